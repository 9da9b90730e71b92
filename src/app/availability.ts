// Channel availability around the pure engine (design.md §3, §4): which listings a stock change
// affects, the facts they need, the number each channel may promise, and the outbox.
//
// The incremental path runs inside the ledger batch's transaction (`afterWrite`): the published
// numbers change atomically with the stock they come from, and a refused or rolled-back batch
// changes nothing. Only listings whose quantity or backorder changed are written; each write
// raises the listing's version and replaces its one pending outbox row (ten sales, one push).

import { kindOf } from '../channels/registry.ts';
import type { ChannelRule, DemandFacts, ItemFacts, LevelFacts, ResolvedRule } from '../domain/availability-model.ts';
import type { Availability } from '../domain/availability-model.ts';
import { computeAvailability, decayedVelocity, poolUnits } from '../domain/availability.ts';
import { resolveRule } from '../domain/channel-rules.ts';
import {
  availabilityOf,
  type ChannelFacts,
  channelsById,
  type Edge,
  incomingBy,
  itemTrees,
  type ItemNode,
  type LevelRow,
  type ListingRef,
  levelsOf,
  listingExternals,
  listingsAffectedBy,
  listingsPage,
  type Publish,
  publish,
  ringFenceLines,
  rulesOfChannels,
  salesSince,
  lockListings,
  locationsOf,
} from '../store/availability-repo.ts';
import { type ChannelReport, channelOwnedStep, channelOwnsNumber } from '../domain/channel-owned-number.ts';
import { managedStockOfItems } from '../store/managed-stock-repo.ts';
import type { LocationKind } from '../domain/model.ts';
import type { Db, Store } from '../store/store.ts';
import type { StockChange } from './ledger.ts';

/** Listings per chunk of a full recompute: each chunk is one transaction and bounded memory. */
export const RECOMPUTE_CHUNK_LISTINGS = 2_000;
/** Sales velocity decays with this half-life: yesterday's rush counts half as much as today's. */
export const VELOCITY_HALF_LIFE_HOURS = 24;
/** Sales older than this are not read at all (their weight is below 1/128). */
export const VELOCITY_WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;

/**
 * A channel's lag in seconds: its settings (`inbound_lag_seconds`: how late its sales reach
 * truestock; `outbound_lag_seconds`: how late it shows a number we push), else its kind's default.
 */
const lagSetting = (c: ChannelFacts, name: 'inbound_lag_seconds' | 'outbound_lag_seconds') => {
  const v = c.settings[name];
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  const lags = kindOf(c.kind).lags;
  return name === 'inbound_lag_seconds' ? lags.inboundSeconds : lags.outboundSeconds;
};

/**
 * A rule that names no locations, for a kind whose channels sell only from the locations their
 * settings map (`defaultLocations: 'mapped'`, a store's POS): scoped to those locations.
 */
function withKindScope(channel: ChannelFacts, rule: ResolvedRule, listingCodes: readonly string[] | null): ResolvedRule {
  const kind = kindOf(channel.kind);
  if (rule.locations.codes !== undefined || rule.locations.kinds !== undefined) return rule;
  // A listing that names its own location (a Walmart ship node) sells that location's stock.
  if (listingCodes !== null && listingCodes.length > 0) return { ...rule, locations: { codes: [...listingCodes] } };
  if (kind.defaultLocations !== 'mapped') return rule;
  const codes = kind.inbound?.mapping(channel.settings).locationCodes() ?? [];
  // Nothing mapped yet (a channel set up before its store): every location, as before.
  return codes.length === 0 ? rule : { ...rule, locations: { codes } };
}

interface ChannelState extends ChannelFacts {
  rules: ChannelRule[];
}

/** A listing's number, with how it was reached. */
export interface ListingResult {
  listing: ListingRef;
  sku: string;
  rule: ResolvedRule;
  availability: Availability;
  /** The channel owns this number (it sells only channel-managed stock): computed and served, never pushed. */
  channelOwned: boolean;
}

/**
 * The facts of one computation (a batch, a chunk of a full recompute, an explain). It reads each
 * kind of fact once for all the listings it is given: items and their component trees, stock
 * levels, the channels and their rules; and only when a resolved rule needs them, ring-fenced
 * units, incoming units and sales.
 */
export class Facts {
  private readonly items = new Map<string, ItemNode>();
  private readonly components = new Map<string, Edge[]>();
  private readonly levels = new Map<string, LevelRow[]>();
  private readonly fences = new Map<string, Map<string, number>>();
  private readonly incoming = new Map<number, Map<string, number>>();
  private readonly sales = new Map<string, { channel_id: string | null; at: number; units: number }[]>();
  private readonly salesLoaded = new Set<string>();
  /** Location kinds by code: from the levels loaded, and every location once a rule names one not among them. */
  private readonly locationKinds = new Map<string, LocationKind>();
  private allLocationsLoaded = false;
  /** Listing id → the locations its own identifiers name (kinds with `listingLocations`), null: none. */
  private readonly listingScopes = new Map<string, readonly string[] | null>();

  constructor(
    readonly db: Db,
    readonly workspaceId: string,
    readonly now: number,
    /** Channels and rules, shared across the chunks of one full recompute. */
    readonly channels = new Map<string, ChannelState>(),
    /** Every channel of the workspace has been loaded (the adaptive buffer's inbound lag needs them all). */
    private allChannelsLoaded = false,
  ) {}

  /** Load what computing these listings needs. */
  async load(listings: ListingRef[]): Promise<void> {
    const roots = [...new Set(listings.map((l) => l.item_id))].filter((id) => !this.items.has(id));
    if (roots.length > 0) {
      const { items, edges } = await itemTrees(this.db, roots);
      for (const i of items) this.items.set(i.id, i);
      for (const e of edges) {
        const list = this.components.get(e.item_id) ?? [];
        list.push(e);
        this.components.set(e.item_id, list);
      }
      // Bundles too: a kit kept pre-built has levels of its own (the others have none).
      const stocked = items.filter((i) => !this.levels.has(i.id)).map((i) => i.id);
      for (const id of stocked) this.levels.set(id, []);
      for (const l of await levelsOf(this.db, this.workspaceId, stocked)) (this.levels.get(l.item_id)!.push(l), this.locationKinds.set(l.code, l.kind));
    }
    await this.loadChannels([...new Set(listings.map((l) => l.channel_id))].filter((id) => id !== ''));
    await this.loadListingScopes(listings);
  }

  /** The identifiers of listings whose kind narrows a listing's locations by them (read only for those kinds). */
  private async loadListingScopes(listings: ListingRef[]): Promise<void> {
    const wanted = listings.filter((l) => !this.listingScopes.has(l.id) && this.channels.has(l.channel_id) && kindOf(this.channels.get(l.channel_id)!.kind).listingLocations !== undefined);
    if (wanted.length === 0) return;
    const externals = await listingExternals(this.db, wanted.map((l) => l.id));
    for (const l of wanted) {
      const channel = this.channels.get(l.channel_id)!;
      const external = externals.get(l.id);
      this.listingScopes.set(l.id, external ? (kindOf(channel.kind).listingLocations!(external, channel.settings) ?? null) : null);
    }
  }

  private async loadChannels(ids: string[]): Promise<void> {
    const missing = ids.filter((id) => !this.channels.has(id));
    if (missing.length === 0) return;
    const rules = await rulesOfChannels(this.db, this.workspaceId, missing);
    for (const c of await channelsById(this.db, this.workspaceId, missing)) {
      this.channels.set(c.id, { ...c, rules: rules.filter((r) => r.channel_id === c.id) });
    }
  }

  /** Replace a channel's rules (what-if): the listings are computed as if they were saved. */
  withRules(channelId: string, rules: ChannelRule[]): void {
    const c = this.channels.get(channelId);
    if (c) this.channels.set(channelId, { ...c, rules });
  }

  item(id: string): ItemNode | undefined {
    return this.items.get(id);
  }

  componentsOf(itemId: string): Edge[] {
    return this.components.get(itemId) ?? [];
  }

  /** The id of the location with this code where the item has a level. */
  locationIdOf(itemId: string, code: string): string | undefined {
    return this.levels.get(itemId)?.find((l) => l.code === code)?.location_id;
  }

  channel(id: string): ChannelState | undefined {
    return this.channels.get(id);
  }

  /**
   * The item as the engine sees it. `fenced` gives the channel's ring-fenced units per
   * `item|location`, `incoming` the units arriving within the backorder window.
   */
  itemFacts(itemId: string, fenced: Map<string, number> | null, incoming: Map<string, number> | null, depth = 0, archived = false): ItemFacts {
    const item = this.items.get(itemId)!;
    // An archived item (or a bundle with an archived part) is not for sale: checkout refuses it,
    // so no channel may promise it. Its locations stay in the explanation, with nothing to sell.
    const dead = archived || item.archived;
    // Nested kits are allowed, cycles are not (the catalog refuses them); this only stops a bug.
    if (depth > 32) throw new Error(`invariant violated: bundle ${item.sku} nests deeper than 32 levels`);
    const levels = (this.levels.get(itemId) ?? []).map((l): LevelFacts => ({
      location: l.code,
      kind: l.kind,
      ships_online: l.ships_online,
      available: dead ? 0 : l.available,
      ring_fenced: dead ? 0 : (fenced?.get(`${itemId}|${l.location_id}`) ?? 0),
      incoming_soon: dead ? 0 : (incoming?.get(`${itemId}|${l.location_id}`) ?? 0),
    }));
    if (item.kind === 'standard') return { sku: item.sku, kind: 'standard', levels, components: [] };
    const components = (this.components.get(itemId) ?? []).map((e) => ({ item: this.itemFacts(e.component_id, fenced, incoming, depth + 1, dead), quantity: e.quantity }));
    return { sku: item.sku, kind: item.kind, levels, components };
  }

  /** Items under an item that may hold stock: itself, and a bundle's components, nested. */
  stockedItems(itemId: string, out = new Set<string>()): Set<string> {
    const item = this.items.get(itemId);
    if (!item) return out;
    out.add(itemId);
    for (const e of this.components.get(itemId) ?? []) this.stockedItems(e.component_id, out);
    return out;
  }

  /** The rule in force for a listing. `below_units` rules look at the pool the locations rule draws on: two passes. */
  resolve(listing: ListingRef): ResolvedRule {
    const channel = this.channels.get(listing.channel_id)!;
    const sku = this.items.get(listing.item_id)!.sku;
    // The engine asks for the pool only when a below_units rule matches, over the locations of its first pass.
    const resolved = resolveRule(channel.rules, sku, this.now, (scope) => poolUnits(this.itemFacts(listing.item_id, null, null), scope));
    const rule = withKindScope(channel, resolved, this.listingScopes.get(listing.id) ?? null);
    // Hidden on this channel (an operator's outage tool): whatever the rules say, it shows 0.
    return channel.hidden_skus.has(sku) ? { ...rule, cap_units: 0, applied: [...rule.applied, 'hidden'] } : rule;
  }

  /** Compute these (loaded) listings, reading ring-fences, incoming and sales only where their rules need them. */
  async compute(listings: ListingRef[], opts: { explain?: boolean; fence?: (listing: ListingRef, rule: ResolvedRule) => Map<string, number> | null } = {}): Promise<ListingResult[]> {
    const rules = listings.map((l) => this.resolve(l));
    await this.loadNeeds(listings, rules);
    const results = listings.map((listing, i) => {
      const rule = rules[i]!;
      const fenced = rule.allocation.mode !== 'ring_fenced' ? null : (opts.fence?.(listing, rule) ?? this.fences.get(listing.channel_id) ?? null);
      const incoming = rule.backorder_days === null ? null : (this.incoming.get(rule.backorder_days) ?? null);
      const facts = this.itemFacts(listing.item_id, fenced, incoming);
      const demand = rule.buffer.mode === 'adaptive' ? this.demand(listing) : NO_DEMAND;
      const channelOwned = channelOwnsNumber(rule.locations, (code) => this.locationKinds.get(code));
      return { listing, sku: facts.sku, rule, availability: computeAvailability(facts, rule, demand, { explain: opts.explain ?? false }), channelOwned };
    });
    if (opts.explain) await this.explainChannelOwned(results);
    return results;
  }

  /** An explanation of a listing the channel owns says so, with the channel's last reports of the item (shown beside the buckets). */
  private async explainChannelOwned(results: ListingResult[]): Promise<void> {
    const owned = results.filter((r) => r.channelOwned);
    if (owned.length === 0) return;
    const reports = await managedStockOfItems(this.db, this.workspaceId, [...new Set(owned.map((r) => r.listing.item_id))]);
    const codes = new Map((await locationsOf(this.db, this.workspaceId)).map((l) => [l.id, l.code]));
    for (const r of owned) {
      const mine = reports.filter((m) => m.itemId === r.listing.item_id && m.channelId === r.listing.channel_id).map((m): ChannelReport => ({
        location: codes.get(m.locationId) ?? m.locationId, available: m.available, reserved: m.reserved, inbound: m.inbound, unfulfillable: m.unfulfillable, researching: m.researching,
        reported_at: new Date(m.reportedAt).toISOString(),
      }));
      const steps = r.availability.steps;
      // Before the result: the number is what it is, only nobody pushes it.
      steps.splice(Math.max(0, steps.length - 1), 0, channelOwnedStep(r.availability.quantity, this.channels.get(r.listing.channel_id)?.name ?? r.listing.channel_id, mine));
    }
  }

  private async loadNeeds(listings: ListingRef[], rules: ResolvedRule[]): Promise<void> {
    const fenceChannels = new Map<string, Set<string>>();
    const horizons = new Map<number, Set<string>>();
    const salesItems = new Set<string>();
    listings.forEach((l, i) => {
      const rule = rules[i]!;
      if (rule.allocation.mode === 'ring_fenced' && !this.fences.has(l.channel_id)) {
        const set = fenceChannels.get(l.channel_id) ?? new Set<string>();
        this.stockedItems(l.item_id, set);
        fenceChannels.set(l.channel_id, set);
      }
      if (rule.backorder_days !== null && !this.incoming.has(rule.backorder_days)) {
        const set = horizons.get(rule.backorder_days) ?? new Set<string>();
        this.stockedItems(l.item_id, set);
        horizons.set(rule.backorder_days, set);
      }
      if (rule.buffer.mode === 'adaptive') for (const id of this.stockedItems(l.item_id)) if (!this.salesLoaded.has(id)) salesItems.add(id);
    });
    // Whether a listing's number is the channel's own needs the kinds of the locations its rule
    // names; those without a level of the item yet are read once (a handful of rows).
    if (!this.allLocationsLoaded && rules.some((r) => (r.locations.codes ?? []).some((c) => !this.locationKinds.has(c)))) {
      for (const l of await locationsOf(this.db, this.workspaceId)) this.locationKinds.set(l.code, l.kind);
      this.allLocationsLoaded = true;
    }
    for (const [channelId, items] of fenceChannels) {
      const map = new Map<string, number>();
      for (const f of await ringFenceLines(this.db, this.workspaceId, channelId, [...items])) {
        const key = `${f.item_id}|${f.location_id}`;
        map.set(key, (map.get(key) ?? 0) + f.quantity);
      }
      this.fences.set(channelId, map);
    }
    // A batch sees one horizon per distinct backorder_days; each is read for the batch's items.
    for (const [days, items] of horizons) {
      const map = new Map<string, number>();
      for (const r of await incomingBy(this.db, this.workspaceId, [...items], this.now + days * DAY_MS)) map.set(`${r.item_id}|${r.location_id}`, r.units);
      this.incoming.set(days, map);
    }
    if (salesItems.size > 0) {
      if (!this.allChannelsLoaded) {
        await this.loadAllChannels();
      }
      for (const id of salesItems) (this.salesLoaded.add(id), this.sales.set(id, []));
      for (const s of await salesSince(this.db, this.workspaceId, [...salesItems], this.now - VELOCITY_WINDOW_DAYS * DAY_MS)) this.sales.get(s.item_id)!.push(s);
    }
  }

  private async loadAllChannels(): Promise<void> {
    const ids = (await this.db.all<{ id: string }>('SELECT id FROM channels WHERE workspace_id = ?', [this.workspaceId])).map((r) => r.id);
    await this.loadChannels(ids);
    this.allChannelsLoaded = true;
  }

  /**
   * What the adaptive buffer needs: the decayed sales of this item on every other channel, the
   * slowest of their inbound lags, and this channel's outbound lag. A bundle's sales are read
   * through its components: the fastest-selling component, in kits (`velocity / quantity`).
   */
  private demand(listing: ListingRef): DemandFacts {
    const channel = this.channels.get(listing.channel_id)!;
    const velocity = (itemId: string): number => {
      const item = this.items.get(itemId)!;
      if (item.kind === 'standard') {
        const others = (this.sales.get(itemId) ?? []).filter((s) => s.channel_id !== listing.channel_id).map((s) => ({ at: s.at, units: s.units }));
        return decayedVelocity(others, this.now, VELOCITY_HALF_LIFE_HOURS);
      }
      return Math.max(0, ...(this.components.get(itemId) ?? []).map((e) => velocity(e.component_id) / e.quantity));
    };
    const others = [...this.channels.values()].filter((c) => c.id !== channel.id);
    // Webhook delays measured from the channels' own send times once there are some; configured until then.
    const inbound = others.map((c) => ({ c, seconds: c.measured_inbound_lag_seconds ?? lagSetting(c, 'inbound_lag_seconds') }));
    const slowest = inbound.reduce<(typeof inbound)[number] | null>((a, b) => (b.seconds > (a?.seconds ?? 0) ? b : a), null);
    return {
      others_units_per_hour: velocity(listing.item_id),
      inbound_lag_seconds: Math.max(0, slowest?.seconds ?? 0),
      // The explanation names the channel whose sales arrive latest, by its kind's label.
      inbound_lag_channel: slowest === null ? null : { name: slowest.c.name, label: kindOf(slowest.c.kind).label, measured: slowest.c.measured_inbound_lag_seconds !== null },
      // Measured by the sync engine once it has pushed to the channel; configured until then.
      outbound_lag_seconds: channel.measured_outbound_lag_seconds ?? lagSetting(channel, 'outbound_lag_seconds'),
    };
  }
}

const NO_DEMAND: DemandFacts = { others_units_per_hour: 0, inbound_lag_seconds: 0, outbound_lag_seconds: 0 };

/** Write the listings whose number changed: a new version in `availability`, one pending outbox row. */
export async function publishChanged(db: Db, ws: string, results: ListingResult[], now: number): Promise<number> {
  if (results.length === 0) return 0;
  const current = new Map((await availabilityOf(db, results.map((r) => r.listing.id))).map((c) => [c.listing_id, c]));
  const changed: Publish[] = [];
  for (const r of results) {
    const before = current.get(r.listing.id);
    const { quantity, backorder_units } = r.availability;
    if (before && before.quantity === quantity && before.backorder_units === backorder_units) continue;
    changed.push({ listingId: r.listing.id, channelId: r.listing.channel_id, quantity, backorderUnits: backorder_units, version: (before?.version ?? 0) + 1, ...(r.channelOwned ? { push: false } : {}) });
  }
  await publish(db, ws, changed, now);
  return changed.length;
}

/** Recompute these listings and publish what changed, in the caller's transaction. */
export async function recomputeListings(db: Db, ws: string, listings: ListingRef[], now: number, channels?: Map<string, ChannelState>): Promise<number> {
  if (listings.length === 0) return 0;
  // Lock the listings first (in id order) on PostgreSQL: two transactions recomputing one listing
  // then take turns, the second reads the stock the first committed, and versions only grow.
  await lockListings(db, listings.map((l) => l.id));
  const facts = new Facts(db, ws, now, channels);
  await facts.load(listings);
  // A listing of an item deleted under it, or of a channel gone, has nothing to compute.
  const computable = listings.filter((l) => facts.item(l.item_id) && facts.channel(l.channel_id));
  return publishChanged(db, ws, await facts.compute(computable), now);
}

/**
 * The ledger's `afterWrite`: recompute the listings of the items whose stock changed and of
 * every bundle containing them, inside the batch's transaction. A workspace without listings
 * costs the one statement that finds none.
 */
export async function onStockChanged(db: Db, changed: StockChange[], now: number): Promise<void> {
  for (const { workspaceId, itemIds } of changed) {
    const found = await listingsAffectedBy(db, itemIds);
    if (found.length === 0) continue;
    // Items looked up in several statements may share a bundle: one listing, once. A large
    // import changes many items at once: its listings are computed a chunk at a time.
    const listings = [...new Map(found.map((l) => [l.id, l])).values()];
    const channels = new Map<string, ChannelState>();
    for (let i = 0; i < listings.length; i += RECOMPUTE_CHUNK_LISTINGS) {
      await recomputeListings(db, workspaceId, listings.slice(i, i + RECOMPUTE_CHUNK_LISTINGS), now, channels);
    }
  }
}

/** Recompute every listing an item change touches (its own and its bundles'), e.g. after archiving it or changing a kit. */
export async function recomputeItems(db: Db, workspaceId: string, itemIds: string[], now: number): Promise<void> {
  await onStockChanged(db, [{ workspaceId, itemIds }], now);
}

export interface RecomputeCounts {
  listings: number;
  changed: number;
  chunks: number;
  duration_ms: number;
}

/**
 * Recompute every active listing of a workspace (or of one channel) in chunks of
 * `RECOMPUTE_CHUNK_LISTINGS`, each its own transaction: memory stays bounded whatever the size,
 * and stock commands interleave between chunks (each chunk reads the stock as it is then, and
 * the incremental path keeps up with whatever changes meanwhile).
 */
export async function recomputeAll(store: Store, now: () => number, ws: string, opts: { channelId?: string; chunk?: number } = {}): Promise<RecomputeCounts> {
  const started = performance.now();
  const size = opts.chunk ?? RECOMPUTE_CHUNK_LISTINGS;
  const channels = new Map<string, ChannelState>();
  let after: string | null = null;
  const counts = { listings: 0, changed: 0, chunks: 0 };
  for (;;) {
    const done: boolean = await store.transaction(async (db) => {
      const page = await listingsPage(db, ws, after, size, opts.channelId);
      if (page.length === 0) return true;
      counts.changed += await recomputeListings(db, ws, page, now(), channels);
      counts.listings += page.length;
      counts.chunks++;
      after = page[page.length - 1]!.id;
      return page.length < size;
    });
    if (done) break;
  }
  return { ...counts, duration_ms: Math.round(performance.now() - started) };
}

/** Every listing of one channel, in chunks, in the caller's transaction (a rule was saved). */
export async function recomputeChannel(db: Db, ws: string, channelId: string, now: number): Promise<number> {
  let after: string | null = null;
  let changed = 0;
  for (;;) {
    const page = await listingsPage(db, ws, after, RECOMPUTE_CHUNK_LISTINGS, channelId);
    changed += await recomputeListings(db, ws, page, now);
    if (page.length < RECOMPUTE_CHUNK_LISTINGS) return changed;
    after = page[page.length - 1]!.id;
  }
}

/**
 * What a store can sell over its own counter or hand over for pickup: its `available` units.
 * Safety stock, reserved, committed, damaged and quality-control units are separate buckets, so
 * `available` already leaves them out; channel allocations and buffers do not apply (the
 * customer is standing at the shelf). A bundle counts the kits its components make here.
 */
export async function locationAvailability(db: Db, ws: string, location: { id: string; code: string }, itemIds: string[]): Promise<{ item_id: string; sku: string; kind: string; available: number }[]> {
  const facts = new Facts(db, ws, 0);
  // Items, not listings: no channel ('') and no rules.
  await facts.load(itemIds.map((id) => ({ id, channel_id: '', item_id: id })));
  const kits = (itemId: string): number => {
    const own = facts.itemFacts(itemId, null, null).levels.find((l) => l.location === location.code)?.available ?? 0;
    if (facts.item(itemId)!.kind === 'standard') return own;
    const parts = facts.componentsOf(itemId);
    // Pre-built kits on the shelf, plus the kits the components here make.
    return own + (parts.length === 0 ? 0 : Math.min(...parts.map((e) => Math.floor(kits(e.component_id) / e.quantity))));
  };
  return itemIds.filter((id) => facts.item(id)).map((id) => ({ item_id: id, sku: facts.item(id)!.sku, kind: facts.item(id)!.kind, available: kits(id) }));
}
