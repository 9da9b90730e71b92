// Ring-fencing: a rule with `allocation: ring_fenced` keeps units reserved for its channel, as
// long-lived holds (reference `ringfence:<channel id>`, one hold per item) taken at the channel's
// eligible locations through the ledger like any reservation. Reserved units are not
// `available`, so no other channel can see them; the fenced channel sees exactly them.
//
// Orders from the fenced channel draw on the fence (the ledger's `allocate_order`), so the other
// channels' numbers do not move when the fenced channel sells; the rule's quantity is what the
// channel may sell from the fence while the rule stands, so drawn units are not fenced again.
//
// Reconciling compares what the rules want now with what the holds keep, and reserves the
// difference, or releases an item's holds and reserves the smaller quantity again (the release and
// the reserve are submitted together, so with group commit they share one transaction). When
// stock is short, it fences what there is and says how much is missing.

import { locationEligible } from '../domain/availability.ts';
import { HOLD_TIMEOUT_MAX_MS, type StockCommand } from '../domain/commands.ts';
import type { ChannelRule } from '../domain/availability-model.ts';
import { levelsOf, listingsPage, locationsOf, ringFenceDrawn, ringFenceLines, ringFenceReference, type StoredRule } from '../store/availability-repo.ts';
import { Facts } from './availability.ts';
import type { Ledger } from './ledger.ts';

/** Items one channel may ring-fence; a larger fence belongs in a warehouse of its own. */
export const RING_FENCE_ITEMS_MAX = 10_000;
/** A fence hold is extended when it would expire sooner than this. */
export const RING_FENCE_RENEW_BEFORE_MS = 7 * 86_400_000;
const ACTOR = 'system:ring-fence';

export interface FenceReport {
  sku: string;
  /** Units the rule asks to fence. */
  wanted: number;
  /** Units the fence holds after reconciling. */
  fenced: number;
  /** wanted − fenced: units there was not enough available stock for. */
  short: number;
}

interface Plan {
  itemId: string;
  sku: string;
  wanted: number;
  have: number;
  holds: { id: string; expires_at: number | null }[];
  /** Eligible locations with what the fence could take there (available + what the fence holds now). */
  room: { locationId: string; code: string; units: number; held: number }[];
}

/** Bring a channel's ring-fence holds in line with its rules at `now`. */
export async function reconcileRingFence(ledger: Ledger, ws: string, channelId: string): Promise<FenceReport[]> {
  const now = ledger.clock.now();
  const plans = await ledger.store.read(async (db) => {
    const listings = (await listingsPage(db, ws, null, RING_FENCE_ITEMS_MAX, channelId));
    const facts = new Facts(db, ws, now);
    await facts.load(listings);
    const lines = await ringFenceLines(db, ws, channelId);
    const locations = await locationsOf(db, ws);
    const plans = new Map<string, Plan>();
    const plan = (itemId: string, sku: string) => {
      let p = plans.get(itemId);
      if (!p) plans.set(itemId, (p = { itemId, sku, wanted: 0, have: 0, holds: [], room: [] }));
      return p;
    };
    // Only standard items are fenced: a bundle's fence would have to keep whole kits at one place.
    // The rule's quantity is what the channel may sell from its fence while the rule stands:
    // units its orders drew since the rule took effect (its window's start, else when it was
    // saved) are not fenced again.
    const drawnSince = new Map<number, Set<string>>();
    const wants: { itemId: string; quantity: number; since: number }[] = [];
    for (const l of listings) {
      const item = facts.item(l.item_id);
      if (!item || item.kind !== 'standard' || !facts.channel(l.channel_id)) continue;
      const rule = facts.resolve(l);
      if (rule.allocation.mode !== 'ring_fenced') continue;
      const p = plan(item.id, item.sku);
      const since = fenceSince(facts.channel(l.channel_id)!.rules, rule.applied);
      wants.push({ itemId: item.id, quantity: rule.allocation.quantity, since });
      drawnSince.set(since, (drawnSince.get(since) ?? new Set()).add(item.id));
      const scope = rule.locations;
      const eligible = locations.filter((loc) => locationEligible(scope, loc.code, loc.kind, loc.ships_online));
      p.room = eligible.map((loc) => ({ locationId: loc.id, code: loc.code, units: 0, held: 0 }));
    }
    for (const [since, items] of drawnSince) {
      const drawn = await ringFenceDrawn(db, ws, channelId, [...items], since);
      for (const w of wants) if (w.since === since) plans.get(w.itemId)!.wanted = Math.max(plans.get(w.itemId)!.wanted, w.quantity - (drawn.get(w.itemId) ?? 0));
    }
    const skus = new Map(listings.map((l) => [l.item_id, facts.item(l.item_id)?.sku ?? l.item_id]));
    for (const f of lines) {
      const p = plan(f.item_id, skus.get(f.item_id) ?? f.item_id);
      p.have += f.quantity;
      if (!p.holds.some((h) => h.id === f.hold_id)) p.holds.push({ id: f.hold_id, expires_at: f.expires_at });
      const r = p.room.find((x) => x.locationId === f.location_id);
      if (r) r.held += f.quantity;
    }
    if (plans.size > 0) {
      const levels = await levelsOf(db, ws, [...plans.keys()]);
      for (const lv of levels) {
        const r = plans.get(lv.item_id)!.room.find((x) => x.locationId === lv.location_id);
        if (r) r.units = lv.available;
      }
    }
    return [...plans.values()];
  });

  const commands: { key: string; command: StockCommand }[] = [];
  const reports: FenceReport[] = [];
  for (const p of plans) {
    const fenced = Math.min(p.wanted, p.room.reduce((s, r) => s + r.units + r.held, 0));
    reports.push({ sku: p.sku, wanted: p.wanted, fenced, short: p.wanted - fenced });
    if (fenced === p.have) {
      for (const h of p.holds) {
        if (h.expires_at !== null && h.expires_at - now < RING_FENCE_RENEW_BEFORE_MS) {
          commands.push({ key: `ringfence-extend:${h.id}:${now}`, command: { type: 'extend', hold_id: h.id, expires_in_ms: HOLD_TIMEOUT_MAX_MS } });
        }
      }
      continue;
    }
    let take: { code: string; units: number }[];
    if (fenced > p.have) {
      take = fill(p.room.map((r) => ({ code: r.code, units: r.units })), fenced - p.have);
    } else {
      for (const h of p.holds) commands.push({ key: `ringfence-release:${h.id}`, command: { type: 'release', hold_id: h.id } });
      take = fill(p.room.map((r) => ({ code: r.code, units: r.units + r.held })), fenced);
    }
    if (take.length > 0) {
      commands.push({
        key: `ringfence:${channelId}:${p.itemId}:${now}:${fenced}`,
        command: { type: 'reserve', lines: take.map((t) => ({ sku: p.sku, location: t.code, quantity: t.units })), expires_in_ms: HOLD_TIMEOUT_MAX_MS, reference: ringFenceReference(channelId) },
      });
    }
  }
  // Submitted together, in order: a release and the smaller reserve land in one batch.
  const results = await Promise.all(commands.map((c) => ledger.execute({ workspaceId: ws, idempotencyKey: c.key, actor: ACTOR, command: c.command })));
  results.forEach((r, i) => {
    const c = commands[i]!.command;
    // Stock moved between reading and reserving: the fence keeps what it had; the next reconcile tries again.
    if (!r.ok && c.type === 'reserve') {
      const rep = reports.find((x) => x.sku === (c.lines[0]?.sku ?? ''));
      const plan = plans.find((p) => p.sku === rep?.sku);
      if (rep && plan) {
        // Growing keeps the holds it had; shrinking released them first.
        rep.fenced = rep.fenced > plan.have ? plan.have : 0;
        rep.short = rep.wanted - rep.fenced;
      }
    }
  });
  return reports;
}

/** When the ring-fencing rule in force took effect: its window's start, else when it was last saved. */
function fenceSince(rules: ChannelRule[], applied: string[]): number {
  const byId = new Map(rules.map((r) => [r.id, r as StoredRule]));
  const rule = [...applied].reverse().map((id) => byId.get(id)).find((r) => r?.settings.allocation?.mode === 'ring_fenced');
  return rule?.starts_at ? Date.parse(rule.starts_at) : (rule?.updatedAt ?? 0);
}

/** Take `want` units from the locations with the most first (fewest hold lines). */
function fill(room: { code: string; units: number }[], want: number): { code: string; units: number }[] {
  const out: { code: string; units: number }[] = [];
  for (const r of [...room].sort((a, b) => b.units - a.units || (a.code < b.code ? -1 : 1))) {
    if (want <= 0) break;
    const t = Math.min(r.units, want);
    if (t > 0) (out.push({ code: r.code, units: t }), (want -= t));
  }
  return out;
}
