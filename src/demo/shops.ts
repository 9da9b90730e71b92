// The demo's emulated storefronts: one per channel of the sample business that has a storefront
// (its kind's `demo()` starts it, src/channels/demo-storefront.ts), stocked with the channel's
// SKUs, the channel's settings pointed at it, its listings mapped to the storefront's identifiers,
// and (once the server listens) its webhooks subscribed to the server.
//
// A storefront keeps no state and comes back on a new port every start, so on a restart:
// - the channel's settings are replaced by what the new storefront gives (its URL, credentials);
// - it gives the same identifiers for the same SKUs in the same order, so the listings stay as
//   they are (a listing whose identifiers did change is deactivated and a new one made);
// - each level starts at what truestock last saw the shop show (as if the shop had kept it), so
//   compare-and-set pushes pick up where they left off;
// - stock the channel keeps itself (its managed location: a marketplace's fulfilment network)
//   starts at what truestock has booked there — what the channel last reported, and our
//   shipments on their way as its inbound — so its next report books nothing new;
// - orders never reuse an id of an earlier run (the storefront is told the time it starts at).

import { updateChannel } from '../app/channels.ts';
import { createListing, updateListing } from '../app/listings.ts';
import type { Truestock } from '../app/truestock.ts';
import type { DemoManagedStock, DemoStorefront } from '../channels/demo-storefront.ts';
import { kindOf } from '../channels/registry.ts';
import type { Refusal } from '../domain/errors.ts';
import { itemsBySku, listLocations } from '../store/catalog-repo.ts';
import { getChannel, listingsOfChannels } from '../store/channel-repo.ts';
import { allLevels } from '../store/query-repo.ts';
import type { Db } from '../store/store.ts';
import { listingSyncOf } from '../store/sync-repo.ts';
import type { DemoCatalog } from './catalog.ts';
import { DEMO_CHANNELS, type DemoChannelName, type SampleChannel } from './sample-catalog.ts';

/**
 * How long truestock waits before pushing its number over a change in the shop's admin. The
 * emulated shops deliver webhooks in milliseconds, so an order's own webhook is long in by then;
 * a short grace keeps the demo's shops close to the ledger (production default: 30 s).
 */
export const EDIT_GRACE_SECONDS_DEMO = 5;
/** The storefront that delivers its webhooks with faults (unless `faults: false`): the busiest one. */
const FAULTY_SHOP: DemoChannelName = 'webstore';

export interface DemoShop {
  name: DemoChannelName;
  channelId: string;
  /** How people call the channel's kind (`Shopify`). */
  kindLabel: string;
  storefront: DemoStorefront;
}

export interface ShopOptions {
  /** Seeds the storefronts' webhook fault injection. */
  seed?: number;
  /** Inject webhook faults (duplicates, reordering, delays, rare drops) on the webstore. Default true. */
  faults?: boolean;
  editGraceSeconds?: number;
  log?: (line: string) => void;
}

export class DemoShops {
  constructor(readonly shops: DemoShop[]) {}

  shop(name: DemoChannelName): DemoShop | undefined {
    return this.shops.find((s) => s.name === name);
  }

  /** Point every shop's webhooks at the server (its channel's webhook endpoint). */
  subscribe(serverUrl: string): void {
    for (const s of this.shops) s.storefront.subscribe(`${serverUrl.replace(/\/$/, '')}/v1/channels/${s.channelId}/webhooks`);
  }

  /** Resolves when every webhook the shops queued has been delivered (or given up). */
  async flushWebhooks(): Promise<void> {
    await Promise.all(this.shops.map((s) => s.storefront.flushWebhooks()));
  }

  async close(): Promise<void> {
    await Promise.all(this.shops.map((s) => s.storefront.close()));
  }
}

class ShopSetupError extends Error {
  constructor(what: string, r: Refusal) {
    super(`demo shops: ${what}: ${r.code}: ${r.detail}`);
    this.name = 'ShopSetupError';
  }
}

function must<T extends object>(what: string, r: T | Refusal): T {
  if ('code' in r && 'detail' in r) throw new ShopSetupError(what, r as Refusal);
  return r as T;
}

const sameExternal = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** Starts a storefront per channel of the demo that has one, and wires the channel to it. */
export async function startShops(ts: Truestock, catalog: DemoCatalog, opts: ShopOptions = {}): Promise<DemoShops> {
  const made: DemoShop[] = [];
  try {
    for (const spec of DEMO_CHANNELS.filter((c) => c.storefront)) {
      const kind = kindOf(spec.kind);
      if (!kind.demo) throw new Error(`demo shops: ${spec.name} wants a storefront, but its kind ${kind.label} has no demo storefront`);
      const storefront = await (await kind.demo()).start({
        name: spec.name,
        skus: spec.skus(),
        location: spec.storefront!.location,
        seed: (opts.seed ?? 1) + made.length,
        // Listings keep their identifiers across restarts; orders must not reuse an earlier run's ids.
        now: ts.clock.now(),
        clock: ts.clock,
        faults: spec.name === FAULTY_SHOP && opts.faults !== false,
        ...(spec.storefront!.managed ? { managed: { location: spec.storefront!.managed.location, skus: spec.storefront!.managed.skus() } } : {}),
      });
      try {
        made.push(await wire(ts, catalog, spec, kind.label, storefront, opts));
      } catch (err) {
        await storefront.close();
        throw err;
      }
    }
  } catch (err) {
    await new DemoShops(made).close();
    throw err;
  }
  return new DemoShops(made);
}

/** What the ledger books of each of these SKUs at a location: the channel's stock there, as truestock last learned it. */
async function bookedAt(db: Db, ws: string, code: string, bySku: Map<string, { id: string }>): Promise<Map<string, DemoManagedStock>> {
  const location = (await listLocations(db, ws, { limit: 1_000 })).find((l) => l.code === code);
  if (!location) throw new Error(`demo shops: no location ${code} for the channel's own stock`);
  const skuOf = new Map([...bySku].map(([sku, i]) => [i.id, sku]));
  const out = new Map<string, DemoManagedStock>();
  for (const l of await allLevels(db, ws)) {
    const sku = l.location_id === location.id ? skuOf.get(l.item_id) : undefined;
    if (sku) out.set(sku, { available: Math.max(0, Number(l.available)), damaged: Math.max(0, Number(l.damaged)), inbound: Math.max(0, Number(l.incoming)) });
  }
  return out;
}

async function wire(ts: Truestock, catalog: DemoCatalog, spec: SampleChannel, kindLabel: string, storefront: DemoStorefront, opts: ShopOptions): Promise<DemoShop> {
  const { name } = spec;
  const ws = catalog.workspaceId;
  const channelId = catalog.channels[name];
  const skus = storefront.skus;

  const restore = await ts.store.transaction(async (db) => {
    const now = ts.clock.now();
    const channel = await getChannel(db, ws, channelId);
    if (!channel) throw new Error(`demo shops: channel ${name} (${channelId}) is gone`);
    const settings = {
      ...channel.settings,
      ...storefront.settings,
      edit_policy: spec.editPolicy ?? 'master_wins',
      edit_grace_seconds: opts.editGraceSeconds ?? EDIT_GRACE_SECONDS_DEMO,
    };
    must(`settings of ${name}`, await updateChannel(db, ws, channelId, { settings }, now));

    const bySku = new Map((await itemsBySku(db, ws, [...skus])).map((i) => [i.sku, i]));
    const active = (await listingsOfChannels(db, ws, [channelId])).filter((l) => l.active);
    const wanted = new Map(skus.map((sku) => [bySku.get(sku)!.id, { sku, external: storefront.external(sku) }]));
    // Listings whose identifiers changed go first, so their keys are free for the new ones.
    const kept = new Map<string, string>();
    for (const l of active) {
      const want = wanted.get(l.itemId);
      if (want && !kept.has(l.itemId) && sameExternal(l.external, want.external)) kept.set(l.itemId, l.id);
      else must(`deactivating listing ${l.id}`, await updateListing(db, ws, l.id, { active: false }, now));
    }
    for (const [itemId, want] of wanted) {
      if (kept.has(itemId)) continue;
      must(`listing of ${want.sku} on ${name}`, await createListing(db, ws, { channel: channelId, sku: want.sku, external: want.external }, now));
    }
    const sync = await listingSyncOf(db, [...kept.values()]);
    const shown = [...kept].map(([itemId, listingId]) => {
      const s = sync.get(listingId);
      return { sku: wanted.get(itemId)!.sku, shown: s?.shown_quantity ?? s?.pushed_quantity ?? 0 };
    });
    return { shown, managed: spec.storefront?.managed ? await bookedAt(db, ws, spec.storefront.managed.location.code, bySku) : new Map<string, DemoManagedStock>() };
  });
  // Nobody is subscribed yet, so these set the levels without a webhook. The channel's own stock
  // is its own number, not one truestock pushes.
  for (const r of restore.shown) if (r.shown > 0 && !storefront.channelFulfils?.(r.sku)) storefront.setShown(r.sku, r.shown);
  if (storefront.setManagedStock) for (const [sku, stock] of restore.managed) if (storefront.channelFulfils?.(sku)) storefront.setManagedStock(sku, stock);
  return { name, channelId, kindLabel, storefront };
}
