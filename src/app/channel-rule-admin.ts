// Channel rules as stored resources: create, replace, deactivate (kept as history), list; and the
// questions asked of them without saving anything: explain a listing's number, and what a
// proposed rule would change. Saving a rule recomputes the channel's listings in the same
// transaction, so the outbox never lags a rule change.

import type { ChannelRule, ResolvedRule, RuleSettings } from '../domain/availability-model.ts';
import { locationEligible } from '../domain/availability.ts';
import { refusal, type Refusal } from '../domain/errors.ts';
import { itemsBySku } from '../store/catalog-repo.ts';
import { availabilityOf, getRule, insertRule, listingRef, listingsPage, rulesOfChannel, type StoredRule, updateRule } from '../store/availability-repo.ts';
import type { Db } from '../store/store.ts';
import { findChannel } from './channels.ts';
import { Facts, type ListingResult, RECOMPUTE_CHUNK_LISTINGS, recomputeChannel } from './availability.ts';
import { nextRuleChange, validateRule } from '../domain/channel-rules.ts';
import { ruleNotInForce, ruleWords } from '../domain/rule-words.ts';
import type { Written } from './idempotent.ts';
import { newId } from './ids.ts';
import { iso } from './views.ts';

const ruleId = (now: number) => newId('rule', now);

/** Active rules per channel: each listing resolves against all of them. */
export const RULES_PER_CHANNEL_MAX = 200;
/** Changed listings a what-if lists; it counts them all. */
export const WHAT_IF_CHANGES_MAX = 500;

export interface RuleInput {
  skus?: string[] | null;
  starts_at?: string | null;
  ends_at?: string | null;
  below_units?: number | null;
  settings: RuleSettings;
}

export function ruleView(r: StoredRule) {
  return {
    id: r.id,
    channel_id: r.channel_id,
    skus: r.skus,
    starts_at: r.starts_at,
    ends_at: r.ends_at,
    below_units: r.below_units,
    settings: r.settings,
    does: ruleWords(r),
    active: r.active,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

/**
 * A rule, checked and not yet saved: the engine's `validateRule` judges its shape and what the
 * settings mean; here, that its SKUs exist (a typo would otherwise be a rule for nothing).
 */
async function buildRule(db: Db, ws: string, channelId: string, id: string, input: RuleInput): Promise<Refusal | ChannelRule> {
  const bad = validateRule(input);
  if (bad) return bad;
  const skus = input.skus ?? null;
  if (skus !== null) {
    const known = new Set((await itemsBySku(db, ws, skus)).map((i) => i.sku));
    const unknown = skus.findIndex((s) => !known.has(s));
    if (unknown >= 0) return refusal('unknown_item', `no item with SKU ${JSON.stringify(skus[unknown])} in this workspace`, `skus[${unknown}]`);
  }
  const time = (v: string | null | undefined) => (v === undefined || v === null ? null : new Date(Date.parse(v)).toISOString());
  return {
    id,
    channel_id: channelId,
    skus: skus === null ? null : [...new Set(skus)],
    starts_at: time(input.starts_at),
    ends_at: time(input.ends_at),
    below_units: input.below_units ?? null,
    settings: input.settings ?? {},
  };
}

async function saved(db: Db, ws: string, rule: StoredRule, status: number, now: number): Promise<Written> {
  const recomputed = await recomputeChannel(db, ws, rule.channel_id, now);
  const rules = await rulesOfChannel(db, ws, rule.channel_id);
  return { status, body: { rule: ruleView(rule), listings_changed: recomputed, next_rule_change_at: iso(nextRuleChange(rules, now)) } };
}

/** A rule for a channel (by id or name). */
export async function createRule(db: Db, ws: string, channelRef: string, input: RuleInput, now: number): Promise<Written | Refusal> {
  const channel = await findChannel(db, ws, channelRef);
  if (!channel) return refusal('not_found', `no channel ${channelRef} in this workspace`);
  const channelId = channel.id;
  const rule = await buildRule(db, ws, channelId, ruleId(now), input);
  if ('code' in rule) return rule;
  if ((await rulesOfChannel(db, ws, channelId)).length >= RULES_PER_CHANNEL_MAX) {
    return refusal('validation_failed', `a channel may have at most ${RULES_PER_CHANNEL_MAX} active rules; deactivate one first`);
  }
  const stored: StoredRule = { ...rule, workspaceId: ws, active: true, createdAt: now, updatedAt: now };
  await insertRule(db, stored);
  return saved(db, ws, stored, 201, now);
}

export async function replaceRule(db: Db, ws: string, id: string, input: RuleInput, now: number): Promise<Written | Refusal> {
  const existing = await getRule(db, ws, id);
  if (!existing) return refusal('not_found', `no channel rule ${id} in this workspace`);
  if (!existing.active) return refusal('validation_failed', `rule ${id} was deactivated; create a new one`, 'id');
  const rule = await buildRule(db, ws, existing.channel_id, id, input);
  if ('code' in rule) return rule;
  const stored: StoredRule = { ...existing, ...rule, updatedAt: now };
  await updateRule(db, stored);
  return saved(db, ws, stored, 200, now);
}

/** Deactivate: the rule stops applying and stays in the channel's history. */
export async function deactivateRule(db: Db, ws: string, id: string, now: number): Promise<Written | Refusal> {
  const existing = await getRule(db, ws, id);
  if (!existing) return refusal('not_found', `no channel rule ${id} in this workspace`);
  if (!existing.active) return { status: 200, body: { rule: ruleView(existing), listings_changed: 0 } };
  const stored: StoredRule = { ...existing, active: false, updatedAt: now };
  await updateRule(db, stored);
  return saved(db, ws, stored, 200, now);
}

// Explain and what-if: reads only.

export function resultView(r: ListingResult) {
  return { listing_id: r.listing.id, channel_id: r.listing.channel_id, sku: r.sku, quantity: r.availability.quantity, backorder_units: r.availability.backorder_units };
}

/** Every step of a listing's number, computed now from the ledger, beside what was last published. */
export async function explainListing(db: Db, ws: string, listingId: string, now: number): Promise<Record<string, unknown> | undefined> {
  const listing = await listingRef(db, ws, listingId);
  if (!listing) return undefined;
  const facts = new Facts(db, ws, now);
  await facts.load([listing]);
  const [r] = await facts.compute([listing], { explain: true });
  const [published] = await availabilityOf(db, [listing.id]);
  return {
    listing_id: listing.id,
    channel: facts.channel(listing.channel_id)?.name ?? null,
    channel_id: listing.channel_id,
    sku: r!.sku,
    active: listing.active,
    quantity: r!.availability.quantity,
    backorder_units: r!.availability.backorder_units,
    rules_applied: r!.rule.applied,
    // The channel's other rules for this SKU, each with what it would do and why it does not now.
    rules_not_applied: (await rulesOfChannel(db, ws, listing.channel_id))
      .filter((rule) => rule.skus === null || rule.skus.includes(r!.sku))
      .flatMap((rule) => {
        const why = ruleNotInForce(rule, now, r!.rule.applied);
        return why === null ? [] : [{ id: rule.id, does: ruleWords(rule), why }];
      }),
    steps: r!.availability.steps,
    published: published ? { quantity: published.quantity, backorder_units: published.backorder_units, version: published.version } : null,
    computed_at: iso(now),
  };
}

/**
 * What a proposed rule (new, or replacing `replaces`) would change on its channel: each listing
 * whose number moves, before → after. Nothing is saved. A proposed ring-fence is shown as if it
 * were filled from what is available at the eligible locations now.
 */
export async function whatIf(db: Db, ws: string, channelRef: string, input: RuleInput & { replaces?: string | null }, now: number): Promise<Written | Refusal> {
  const channel = await findChannel(db, ws, channelRef);
  if (!channel) return refusal('not_found', `no channel ${channelRef} in this workspace`);
  const channelId = channel.id;
  const current = await rulesOfChannel(db, ws, channelId);
  const replaces = input.replaces ?? null;
  if (replaces !== null && !current.some((r) => r.id === replaces)) return refusal('not_found', `no active rule ${replaces} on channel ${channelId}`, 'replaces');
  const { replaces: _replaces, ...proposal } = input;
  const rule = await buildRule(db, ws, channelId, replaces ?? 'proposed', proposal);
  if ('code' in rule) return rule;
  const proposed = [...current.filter((r) => r.id !== replaces), rule];

  const changes: Record<string, unknown>[] = [];
  let listings = 0;
  let changed = 0;
  let after: string | null = null;
  for (;;) {
    const page = await listingsPage(db, ws, after, RECOMPUTE_CHUNK_LISTINGS, channelId);
    if (page.length === 0) break;
    const facts = new Facts(db, ws, now);
    await facts.load(page);
    const before = await facts.compute(page);
    facts.withRules(channelId, proposed);
    const fencedNow = new Map(before.map((b) => [b.listing.id, b.rule.allocation.mode === 'ring_fenced']));
    const next = await facts.compute(page, { fence: (listing, resolved) => (fencedNow.get(listing.id) ? null : simulatedFence(facts, listing.item_id, resolved)) });
    listings += page.length;
    next.forEach((n, i) => {
      const b = before[i]!;
      if (b.availability.quantity === n.availability.quantity && b.availability.backorder_units === n.availability.backorder_units) return;
      changed++;
      if (changes.length < WHAT_IF_CHANGES_MAX) {
        changes.push({ listing_id: n.listing.id, sku: n.sku, before: b.availability.quantity, after: n.availability.quantity, delta: n.availability.quantity - b.availability.quantity, backorder_before: b.availability.backorder_units, backorder_after: n.availability.backorder_units, rules_applied: n.rule.applied });
      }
    });
    if (page.length < RECOMPUTE_CHUNK_LISTINGS) break;
    after = page[page.length - 1]!.id;
  }
  return { status: 200, body: { channel_id: channelId, listings, changed, changes, truncated: changed > changes.length, saved: false } };
}

/** A fence that does not exist yet, filled from available stock at the eligible locations. */
function simulatedFence(facts: Facts, itemId: string, resolved: ResolvedRule): Map<string, number> {
  const out = new Map<string, number>();
  if (resolved.allocation.mode !== 'ring_fenced') return out;
  for (const id of facts.stockedItems(itemId)) {
    let want = resolved.allocation.quantity;
    const item = facts.itemFacts(id, null, null);
    const levels = item.levels.filter((l) => locationEligible(resolved.locations, l.location, l.kind, l.ships_online)).sort((a, b) => b.available - a.available);
    for (const l of levels) {
      const t = Math.min(want, l.available);
      want -= t;
      const locId = facts.locationIdOf(id, l.location);
      if (locId) out.set(`${id}|${locId}`, t);
    }
  }
  return out;
}
