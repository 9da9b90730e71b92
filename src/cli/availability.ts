// The actions behind `truestock rules …` and `truestock availability …`, on the same use-cases
// as the API.

import { recomputeAll } from '../app/availability.ts';
import { createRule, deactivateRule, explainListing, type RuleInput, ruleView } from '../app/channel-rule-admin.ts';
import { findChannel } from '../app/channels.ts';
import { reconcileRingFence } from '../app/ring-fence.ts';
import type { Truestock } from '../app/truestock.ts';
import { getItemBySku } from '../store/catalog-repo.ts';
import { listListings } from '../store/channel-repo.ts';
import { rulesOfChannel } from '../store/availability-repo.ts';
import { windowActive } from '../domain/channel-rules.ts';
import { ruleNotInForce } from '../domain/rule-words.ts';
import { mutate } from './catalog-io.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { CliError, out, table } from './output.ts';

/** Listings of one item on one channel shown by `explain` (more than one is a catalog problem). */
const EXPLAIN_LISTINGS_MAX = 10;

interface Common {
  workspace?: string;
  idempotencyKey?: string;
  json?: boolean;
}

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new CliError(`${what} must be a JSON object, e.g. '{"buffer":{"mode":"fixed","units":2}}'`);
}

async function channelOf(truestock: Truestock, ws: string, ref: string) {
  const channel = await truestock.store.read((db) => findChannel(db, ws, ref));
  if (!channel) throw new CliError(`no channel ${JSON.stringify(ref)} in this workspace`);
  return channel;
}

async function fenceLine(truestock: Truestock, ws: string, channelId: string): Promise<void> {
  const uses = (await truestock.store.read((db) => rulesOfChannel(db, ws, channelId))).some((r) => r.settings.allocation?.mode === 'ring_fenced');
  if (!uses) return;
  for (const f of await reconcileRingFence(truestock.ledger, ws, channelId)) {
    out(`ring-fence ${f.sku}: ${f.fenced} of ${f.wanted} units${f.short > 0 ? ` (${f.short} short: not enough available stock)` : ''}`);
  }
}

export async function rulesAdd(channelRef: string, opts: Common & { settings: string; sku?: string[]; startsAt?: string; endsAt?: string; below?: string }): Promise<void> {
  const input: RuleInput = {
    settings: parseJson(opts.settings, '--settings'),
    skus: opts.sku ?? null,
    starts_at: opts.startsAt ?? null,
    ends_at: opts.endsAt ?? null,
    below_units: opts.below === undefined ? null : Number(opts.below),
  };
  if (opts.below !== undefined && !/^\d+$/.test(opts.below)) throw new CliError(`--below must be a whole number, got ${JSON.stringify(opts.below)}`);
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const channel = await channelOf(truestock, ws.id, channelRef);
    const { body, replayed } = await mutate(truestock, ws.id, opts.idempotencyKey, { type: 'rule_create', channel: channel.id, ...input }, (db, now) => createRule(db, ws.id, channel.id, input, now));
    if (opts.json) out(JSON.stringify(body, null, 2));
    else out(`${replayed ? 'already added' : 'added'} rule ${body.rule.id} to ${channel.name}; ${body.listings_changed} listing(s) changed`);
    await fenceLine(truestock, ws.id, channel.id);
  });
}

export async function rulesList(channelRef: string, opts: Common & { all?: boolean }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const channel = await channelOf(truestock, ws.id, channelRef);
    const rules = (await truestock.store.read((db) => rulesOfChannel(db, ws.id, channel.id, opts.all ?? false))).map(ruleView);
    if (opts.json) return out(JSON.stringify({ data: rules }, null, 2));
    if (rules.length === 0) return out(`no rules on ${channel.name}: it shows its whole pool (every location that ships online, shared)`);
    const now = truestock.clock.now();
    out(table(['id', 'in force', 'does'], rules.map((r) => [r.id, ruleNotInForceNow(r, now), r.does])));
  });
}

/** "yes", or why not (a window not open, a valve waiting for its shortage, removed). */
function ruleNotInForceNow(r: { id: string; skus: string[] | null; starts_at: string | null; ends_at: string | null; below_units: number | null; active: boolean }, now: number): string {
  if (!r.active) return 'no: removed';
  if (!windowActive(r, now)) return `no: ${ruleNotInForce(r, now, [])}`;
  // A valve's shortage depends on the item: only `availability explain` can say per SKU.
  return r.below_units !== null ? `while the pool is below ${r.below_units}` : 'yes';
}

export async function rulesRemove(id: string, opts: Common): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const { body } = await mutate(truestock, ws.id, opts.idempotencyKey, { type: 'rule_remove', id }, (db, now) => deactivateRule(db, ws.id, id, now));
    out(`deactivated rule ${id}; ${body.listings_changed ?? 0} listing(s) changed`);
    const channelId = body.rule.channel_id as string;
    const fenced = await truestock.store.read((db) => db.all('SELECT 1 FROM holds WHERE workspace_id = ? AND state = ? AND reference = ? LIMIT 1', [ws.id, 'active', `ringfence:${channelId}`]));
    if (fenced.length > 0) for (const f of await reconcileRingFence(truestock.ledger, ws.id, channelId)) out(`ring-fence ${f.sku}: ${f.fenced} units`);
  });
}

export async function explain(sku: string, opts: Common & { channel: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const channel = await channelOf(truestock, ws.id, opts.channel);
    const item = await truestock.store.read((db) => getItemBySku(db, ws.id, sku));
    if (!item) throw new CliError(`no item with SKU ${JSON.stringify(sku)} in this workspace`);
    const listings = await truestock.store.read((db) => listListings(db, ws.id, { channelId: channel.id, itemId: item.id, active: true, limit: EXPLAIN_LISTINGS_MAX }));
    if (listings.length === 0) throw new CliError(`${sku} has no active listing on ${channel.name}`);
    const explained = [];
    for (const l of listings) explained.push((await truestock.store.read((db) => explainListing(db, ws.id, l.id, truestock.clock.now())))!);
    if (opts.json) return out(JSON.stringify(explained.length === 1 ? explained[0] : { data: explained }, null, 2));
    for (const e of explained) {
      const steps = e.steps as { step: string; value: number; why: string }[];
      out(`${channel.name} shows ${e.quantity} of ${sku}${Number(e.backorder_units) > 0 ? ` (${e.backorder_units} backorder)` : ''} — listing ${e.listing_id}`);
      out(table(['step', 'value', 'why'], steps.map((s) => [s.step, s.value, s.why])));
      const idle = e.rules_not_applied as { id: string; does: string; why: string }[];
      if (idle.length > 0) {
        out('rules not in force now:');
        out(table(['id', 'why not', 'does'], idle.map((r) => [r.id, r.why, r.does])));
      }
    }
  });
}

export async function recompute(opts: Common & { channel?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const channelId = opts.channel === undefined ? undefined : (await channelOf(truestock, ws.id, opts.channel)).id;
    const counts = await recomputeAll(truestock.store, () => truestock.clock.now(), ws.id, channelId ? { channelId } : {});
    out(`recomputed ${counts.listings} listing(s) in ${counts.chunks} chunk(s), ${counts.changed} changed and enqueued, in ${counts.duration_ms} ms`);
  });
}
