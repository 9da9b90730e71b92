// The demo's two Shopify storefronts: an in-process Shopify emulator per Shopify channel of the
// demo workspace, stocked with the channel's SKUs, the channel's settings pointed at it, its
// listings mapped to the emulator's inventory items, and (once the server listens) its webhooks
// subscribed to the server.
//
// The emulator keeps no state and listens on a new port every start, so on a restart:
// - the channel's settings are replaced (new `api_url`, token and webhook secret);
// - the emulator numbers everything from one counter, so creating the location and the items in
//   the same order gives them the same ids as last time, and the listings stay as they are (a
//   listing whose identifiers did change is deactivated and a new one made);
// - each level starts at what truestock last saw the shop show (as if the shop had kept it), so
//   compare-and-set pushes pick up where they left off;
// - orders, line items and refunds must never reuse an id of an earlier run (truestock records
//   channel orders by id, and would take a new order for an old one), so after the catalog the
//   emulator's counter jumps to the current time in milliseconds — far above anything a run
//   before could have reached at the demo's pace of well under one id per millisecond.

import { randomBytes } from 'node:crypto';
import { startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify/index.ts';
import { updateChannel } from '../app/channels.ts';
import { createListing, updateListing } from '../app/listings.ts';
import type { Truestock } from '../app/truestock.ts';
import type { Refusal } from '../domain/errors.ts';
import { itemsBySku } from '../store/catalog-repo.ts';
import { getChannel, listingsOfChannels } from '../store/channel-repo.ts';
import { listingSyncOf } from '../store/sync-repo.ts';
import type { DemoCatalog } from './catalog.ts';
import { DEMO_CHANNELS, type DemoChannelName } from './sample-catalog.ts';

/**
 * How long truestock waits before pushing its number over a change in the shop's admin. The
 * emulated shops deliver webhooks in milliseconds, so an order's own webhook is long in by then;
 * a short grace keeps the demo's shops close to the ledger (production default: 30 s).
 */
export const EDIT_GRACE_SECONDS_DEMO = 5;

export interface DemoShop {
  name: DemoChannelName;
  channelId: string;
  emulator: ShopifyEmulator;
  /** The shop's one location (gid) and the truestock location it stands for. */
  locationId: string;
  locationCode: string;
  /** The shop's inventory item and variant per SKU. */
  items: Map<string, { inventoryItemId: string; variantId: string }>;
}

export interface ShopOptions {
  /** Seeds the emulators' webhook fault injection. */
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
    for (const s of this.shops) s.emulator.subscribe(`${serverUrl.replace(/\/$/, '')}/v1/channels/${s.channelId}/webhooks`);
  }

  /** Resolves when every webhook the shops queued has been delivered (or given up). */
  async flushWebhooks(): Promise<void> {
    await Promise.all(this.shops.map((s) => s.emulator.flushWebhooks()));
  }

  async close(): Promise<void> {
    await Promise.all(this.shops.map((s) => s.emulator.close()));
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

/** Starts one emulator per Shopify channel of the demo and wires the channel to it. */
export async function startShops(ts: Truestock, catalog: DemoCatalog, opts: ShopOptions = {}): Promise<DemoShops> {
  const made: DemoShop[] = [];
  try {
    for (const spec of DEMO_CHANNELS.filter((c) => c.kind === 'shopify')) {
      const emulator = await startShopifyEmulator({
        shop: spec.name,
        accessToken: `shpat_${randomBytes(16).toString('hex')}`,
        clientSecret: randomBytes(24).toString('base64url'),
        seed: (opts.seed ?? 1) + made.length,
        // Items keep their ids across restarts (created in the same order); orders must not
        // reuse an earlier run's ids, which truestock has already taken in.
        orderIdStart: Math.max(ts.clock.now(), 1_000_000),
      });
      made.push(await wire(ts, catalog, spec.name, emulator, opts));
    }
  } catch (err) {
    await new DemoShops(made).close();
    throw err;
  }
  const shops = new DemoShops(made);
  const webstore = shops.shop('webstore');
  // A real shop's webhooks arrive twice, late and out of order now and then; the ledger copes.
  if (webstore && opts.faults !== false) webstore.emulator.setFaults({ duplicate: 0.02, reorder: 0.02, drop: 0.002, delayMs: [0, 250] });
  return shops;
}

async function wire(ts: Truestock, catalog: DemoCatalog, name: DemoChannelName, emulator: ShopifyEmulator, opts: ShopOptions): Promise<DemoShop> {
  const spec = DEMO_CHANNELS.find((c) => c.name === name)!;
  const ws = catalog.workspaceId;
  const channelId = catalog.channels[name];
  const { code, name: locationName } = spec.shopifyLocation!;
  // Location first, then items in the catalog's order: the same ids as in the last run.
  const locationId = emulator.addLocation(locationName).id;
  const skus = spec.skus();
  const items = new Map(skus.map((sku) => [sku, emulator.addItem({ sku, levels: { [locationId]: 0 } })]));

  const restore = await ts.store.transaction(async (db) => {
    const now = ts.clock.now();
    const channel = await getChannel(db, ws, channelId);
    if (!channel) throw new Error(`demo shops: channel ${name} (${channelId}) is gone`);
    const settings = {
      ...channel.settings,
      shop_domain: emulator.shopDomain,
      access_token: emulator.accessToken,
      webhook_secret: emulator.clientSecret,
      api_url: emulator.url,
      locations: { [locationId]: code },
      edit_policy: 'master_wins',
      edit_grace_seconds: opts.editGraceSeconds ?? EDIT_GRACE_SECONDS_DEMO,
    };
    must(`settings of ${name}`, await updateChannel(db, ws, channelId, { settings }, now));

    const bySku = new Map((await itemsBySku(db, ws, skus)).map((i) => [i.sku, i]));
    const active = (await listingsOfChannels(db, ws, [channelId])).filter((l) => l.active);
    const wanted = new Map(skus.map((sku) => {
      const ids = items.get(sku)!;
      return [bySku.get(sku)!.id, { sku, external: { inventory_item_id: ids.inventoryItemId, location_id: locationId } }];
    }));
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
    return [...kept].map(([itemId, listingId]) => {
      const s = sync.get(listingId);
      return { sku: wanted.get(itemId)!.sku, shown: s?.shown_quantity ?? s?.pushed_quantity ?? 0 };
    });
  });
  // Nobody is subscribed yet, so these set the levels without a webhook.
  for (const r of restore) if (r.shown > 0) emulator.editAvailable(items.get(r.sku)!.inventoryItemId, locationId, r.shown);
  return { name, channelId, emulator, locationId, locationCode: code, items };
}
