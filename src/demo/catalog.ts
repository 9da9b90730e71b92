// Seeds the demo workspace through the app layer: locations, products and their variants,
// bundles and multipacks, channels with their rules and listings (an emulated storefront's are
// made by shops.ts), opening stock received through the ledger, and a few warehouse documents.
// Safe to run on every start: each piece is looked up first and only what is missing is made, so
// a second run on the same database adds nothing (and a run cut short is completed by the next).

import { createWorkspace } from '../app/access.ts';
import { createItem, createLocation } from '../app/catalog.ts';
import { createRule } from '../app/channel-rule-admin.ts';
import { createChannel } from '../app/channels.ts';
import type { CommandResponse } from '../app/idempotent.ts';
import type { DocumentStep } from '../app/ledger.ts';
import { createListing } from '../app/listings.ts';
import { createProduct } from '../app/products.ts';
import { openPurchaseOrderStep, receivePurchaseOrderStep } from '../app/purchase-orders.ts';
import { receiveTransferStep, shipTransferStep } from '../app/transfers.ts';
import type { Truestock } from '../app/truestock.ts';
import type { StockCommand } from '../domain/commands.ts';
import type { Refusal } from '../domain/errors.ts';
import { listWorkspaces } from '../store/access-repo.ts';
import { rulesOfChannel } from '../store/availability-repo.ts';
import { getProductByHandle, itemsBySku, listLocations } from '../store/catalog-repo.ts';
import { getChannelByName, listingsOfChannels } from '../store/channel-repo.ts';
import { findPurchaseOrder, findTransfer } from '../store/purchasing-repo.ts';
import { allLevels } from '../store/query-repo.ts';
import { seededRandom } from './random.ts';
import {
  DEMO_CHANNELS, DEMO_KITS, DEMO_LOCATIONS, DEMO_PRODUCTS, DEMO_WORKSPACE_NAME, type DemoChannelName, demoStandardSkus, openingStock,
} from './sample-catalog.ts';

/** Who the demo's own writes are by, in the ledger's `actor` column. */
export const DEMO_ACTOR = 'system:demo';
/** The movements' reference of the opening stock. */
export const OPENING_REFERENCE = 'OPENING-STOCK';
/** Commands sent to the ledger at once while seeding (group commit takes them in batches). */
const SEED_COMMANDS_IN_FLIGHT = 256;
/** Safety stock kept back at the East DC on the best sellers. */
const SAFETY_STOCK_UNITS = 6;
const SAFETY_STOCK_SKUS = ['TEE-BLK-M', 'TEE-BLK-L', 'HOOD-BLK-M', 'HOOD-BLK-L'];
const DAY_MS = 86_400_000;

export interface DemoCatalog {
  workspaceId: string;
  /** The admin key of a workspace created by this run (shown once), else null. */
  adminKey: string | null;
  channels: Record<DemoChannelName, string>;
  /** What this run created (all zero on a second run). */
  created: { locations: number; products: number; items: number; channels: number; rules: number; listings: number; levels: number; documents: number };
}

export interface SeedOptions {
  /** Seeds the opening quantities. */
  seed?: number;
  log?: (line: string) => void;
}

class SeedError extends Error {
  constructor(what: string, r: Refusal) {
    super(`demo seeding: ${what}: ${r.code}: ${r.detail}`);
    this.name = 'SeedError';
  }
}

/** The sample data is ours: a refusal is a bug in it, not something to carry on from. */
function must<T extends object>(what: string, r: T | Refusal): T {
  if ('code' in r && 'detail' in r) throw new SeedError(what, r as Refusal);
  return r as T;
}

function mustOk(what: string, r: CommandResponse): Extract<CommandResponse, { ok: true }> {
  if (!r.ok) throw new SeedError(what, r.refusal);
  return r;
}

export async function seedCatalog(ts: Truestock, opts: SeedOptions = {}): Promise<DemoCatalog> {
  const created = { locations: 0, products: 0, items: 0, channels: 0, rules: 0, listings: 0, levels: 0, documents: 0 };
  const { workspaceId, adminKey } = await demoWorkspace(ts);
  const now = () => ts.clock.now();

  // Catalog records: one transaction, each created only if missing.
  const channels = await ts.store.transaction(async (db) => {
    const haveLocations = new Set((await listLocations(db, workspaceId, { limit: 1_000 })).map((l) => l.code));
    for (const l of DEMO_LOCATIONS) {
      if (haveLocations.has(l.code)) continue;
      must(`location ${l.code}`, await createLocation(db, workspaceId, l, now()));
      created.locations++;
    }
    const productIds = new Map<string, string>();
    for (const p of DEMO_PRODUCTS) {
      let product = await getProductByHandle(db, workspaceId, p.handle);
      if (!product) {
        const made = must(`product ${p.handle}`, await createProduct(db, workspaceId, { handle: p.handle, name: p.name, option_names: p.optionNames }, now()));
        productIds.set(p.handle, (made.body.product as { id: string }).id);
        created.products++;
      } else productIds.set(p.handle, product.id);
    }
    const haveItems = new Set((await itemsBySku(db, workspaceId, [...demoStandardSkus(), ...DEMO_KITS.map((k) => k.sku)])).map((i) => i.sku));
    for (const p of DEMO_PRODUCTS) {
      for (const v of p.variants) {
        if (haveItems.has(v.sku)) continue;
        must(`item ${v.sku}`, await createItem(db, workspaceId, {
          sku: v.sku, name: v.name, barcode: v.barcode, product_id: productIds.get(p.handle)!, options: v.options,
          units_per_case: p.unitsPerCase, requires_inspection: p.requiresInspection, skip_return_inspection: p.skipReturnInspection,
        }, now()));
        created.items++;
      }
    }
    for (const k of DEMO_KITS) {
      if (haveItems.has(k.sku)) continue;
      must(`${k.kind} ${k.sku}`, await createItem(db, workspaceId, { sku: k.sku, name: k.name, kind: k.kind, components: k.components, stocks_prebuilt: k.stocksPrebuilt }, now()));
      created.items++;
    }

    const ids = {} as Record<DemoChannelName, string>;
    for (const c of DEMO_CHANNELS) {
      let channel = await getChannelByName(db, workspaceId, c.name);
      if (!channel) {
        const made = must(`channel ${c.name}`, await createChannel(db, workspaceId, { kind: c.kind, name: c.name, settings: c.settings ?? {} }, now()));
        ids[c.name] = (made.body.channel as { id: string }).id;
        created.channels++;
      } else ids[c.name] = channel.id;
      if ((await rulesOfChannel(db, workspaceId, ids[c.name])).length === 0) {
        must(`rule of ${c.name}`, await createRule(db, workspaceId, ids[c.name], { settings: c.rule }, now()));
        created.rules++;
        for (const extra of c.extraRules ?? []) {
          must(`rule of ${c.name}`, await createRule(db, workspaceId, ids[c.name], { below_units: extra.below_units ?? null, skus: extra.skus ?? null, settings: extra.settings }, now()));
          created.rules++;
        }
      }
      // A storefront's listings name its own identifiers: shops.ts makes them.
      if (!c.storefront) created.listings += await ensureListings(db, workspaceId, ids[c.name], c.skus(), now());
    }
    return ids;
  });

  created.levels = await openingStockFor(ts, workspaceId, opts.seed ?? 1);
  created.documents = await sampleDocuments(ts, workspaceId);

  const total = created.locations + created.products + created.items + created.channels + created.rules + created.listings + created.levels + created.documents;
  if (total > 0) {
    opts.log?.(`demo: seeded workspace "${DEMO_WORKSPACE_NAME}": ${created.items} SKUs, ${created.products} products, ${created.locations} locations, ` +
      `${created.channels} channels (${created.rules} rules, ${created.listings} listings), opening stock at ${created.levels} stock levels, ${created.documents} warehouse documents`);
  } else opts.log?.(`demo: workspace "${DEMO_WORKSPACE_NAME}" is already seeded`);
  return { workspaceId, adminKey, channels, created };
}

/** The workspace named `demo`, made (with its first admin key) if there is none. */
async function demoWorkspace(ts: Truestock): Promise<{ workspaceId: string; adminKey: string | null }> {
  const found = (await ts.store.read((db) => listWorkspaces(db))).filter((w) => w.name === DEMO_WORKSPACE_NAME);
  if (found.length > 0) return { workspaceId: found[0]!.id, adminKey: null };
  const made = await createWorkspace(ts.store, ts.clock, DEMO_WORKSPACE_NAME);
  return { workspaceId: made.workspace.id, adminKey: made.adminKey };
}

/** Active listings for these SKUs on a channel, identified by SKU (`external_id`); returns how many were made. */
async function ensureListings(db: Parameters<typeof createListing>[0], ws: string, channelId: string, skus: string[], now: number): Promise<number> {
  const items = await itemsBySku(db, ws, skus);
  const listed = new Set((await listingsOfChannels(db, ws, [channelId])).filter((l) => l.active).map((l) => l.itemId));
  let made = 0;
  for (const item of items) {
    if (listed.has(item.id)) continue;
    must(`listing of ${item.sku}`, await createListing(db, ws, { channel: channelId, sku: item.sku, external: { external_id: item.sku } }, now));
    made++;
  }
  return made;
}

/** Runs commands through the ledger, a bounded number at a time; the first refusal stops the seeding. */
async function executeAll(ts: Truestock, ws: string, commands: { key: string; command: StockCommand; what: string }[]): Promise<void> {
  for (let i = 0; i < commands.length; i += SEED_COMMANDS_IN_FLIGHT) {
    const part = commands.slice(i, i + SEED_COMMANDS_IN_FLIGHT);
    const results = await Promise.all(part.map((c) => ts.ledger.execute({ workspaceId: ws, idempotencyKey: c.key, actor: DEMO_ACTOR, command: c.command })));
    results.forEach((r, j) => mustOk(part[j]!.what, r));
  }
}

/**
 * Opening stock, received from the supplier at every stock level that does not exist yet (a
 * level exists once anything has moved there, so a second run receives nothing).
 */
async function openingStockFor(ts: Truestock, ws: string, seed: number): Promise<number> {
  const rng = seededRandom(seed);
  const { items, locations, levels } = await ts.store.read(async (db) => ({
    items: new Map((await itemsBySku(db, ws, [...demoStandardSkus(), 'WINTER-BOX'])).map((i) => [i.sku, i])),
    locations: new Map((await listLocations(db, ws, { limit: 1_000 })).map((l) => [l.code, l])),
    levels: new Set((await allLevels(db, ws)).map((l) => `${l.item_id}|${l.location_id}`)),
  }));
  const has = (sku: string, code: string) => levels.has(`${items.get(sku)?.id}|${locations.get(code)?.id}`);
  const commands: { key: string; command: StockCommand; what: string }[] = [];
  const receive = (sku: string, code: string, quantity: number) => {
    if (quantity <= 0 || has(sku, code)) return;
    commands.push({
      key: `demo:opening:${sku}:${code}`, what: `opening stock of ${sku} at ${code}`,
      command: { type: 'receive', sku, location: code, quantity, reference: OPENING_REFERENCE, note: 'opening stock' },
    });
  };
  // Every SKU draws its numbers whether or not it is received, so one seed gives one catalog.
  for (const sku of demoStandardSkus()) for (const [code, quantity] of Object.entries(openingStock(sku, rng))) receive(sku, code, quantity);
  // Pre-built winter boxes, ready on the shelf.
  receive('WINTER-BOX', 'WH-EAST', 12);
  const safety = SAFETY_STOCK_SKUS.filter((sku) => !has(sku, 'WH-EAST'));
  await executeAll(ts, ws, commands);
  await executeAll(ts, ws, safety.map((sku) => ({
    key: `demo:safety:${sku}`, what: `safety stock of ${sku}`,
    command: { type: 'set_safety_stock', sku, location: 'WH-EAST', quantity: SAFETY_STOCK_UNITS, note: 'best seller: keep a few back' },
  })));
  return commands.length;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * A purchase order on its way, one received in part (good and damaged, shoes into inspection),
 * and a transfer to Amazon FBA half received: so the documents screens have something to show.
 * Each is made only if its number is not taken yet.
 */
async function sampleDocuments(ts: Truestock, ws: string): Promise<number> {
  const now = ts.clock.now();
  const step = async (key: string, s: DocumentStep) => mustOk(key, await ts.ledger.executeDocument({ workspaceId: ws, idempotencyKey: key, actor: DEMO_ACTOR }, s));
  const exists = await ts.store.read(async (db) => ({
    po1: Boolean(await findPurchaseOrder(db, ws, 'PO-DEMO-1001')),
    po2: Boolean(await findPurchaseOrder(db, ws, 'PO-DEMO-1002')),
    tr1: Boolean(await findTransfer(db, ws, 'TR-DEMO-1001')),
  }));
  let made = 0;
  if (!exists.po1) {
    const lines = ['BLK', 'WHT', 'NVY'].flatMap((c) => ['S', 'M', 'L'].map((s) => ({ sku: `TEE-${c}-${s}`, quantity: 48 })));
    await step('demo:doc:PO-DEMO-1001:open', openPurchaseOrderStep(ws, { number: 'PO-DEMO-1001', supplier: 'Acme Apparel', location: 'WH-EAST', eta: isoDay(now + 5 * DAY_MS), note: 'spring restock of the classic tee', lines }));
    made++;
  }
  if (!exists.po2) {
    const lines = ['BLK', 'WHT'].flatMap((c) => ['41', '42', '43'].map((s) => ({ sku: `RUN-${c}-${s}`, quantity: 24 })));
    await step('demo:doc:PO-DEMO-1002:open', openPurchaseOrderStep(ws, { number: 'PO-DEMO-1002', supplier: 'Stride Footwear', location: '3PL-CENTRAL', eta: isoDay(now + 2 * DAY_MS), lines }));
    // The first carton arrived: good pairs go to inspection (shoes require it), one was crushed.
    await step('demo:doc:PO-DEMO-1002:receive-1', receivePurchaseOrderStep(ws, 'PO-DEMO-1002', {
      reference: 'carton 1 of 2', lines: [{ sku: 'RUN-BLK-41', good: 12 }, { sku: 'RUN-BLK-42', good: 11, damaged: 1 }, { sku: 'RUN-BLK-43', good: 12 }],
    }));
    made++;
  }
  if (!exists.tr1) {
    const lines = ['BLK', 'WHT'].map((c) => ({ sku: `BTL-750ML-${c}`, quantity: 4 })).concat(['BLK', 'GRY'].map((c) => ({ sku: `SOCK-${c}-LXL`, quantity: 4 })));
    await step('demo:doc:TR-DEMO-1001:ship', shipTransferStep(ws, { number: 'TR-DEMO-1001', from: 'WH-WEST', to: 'FBA-US', eta: isoDay(now + 3 * DAY_MS), note: 'FBA replenishment', lines }));
    await step('demo:doc:TR-DEMO-1001:receive-1', receiveTransferStep(ws, 'TR-DEMO-1001', { reference: 'FBA check-in', lines: [{ sku: 'BTL-750ML-BLK', good: 4 }, { sku: 'SOCK-BLK-LXL', good: 3, damaged: 1 }] }));
    made++;
  }
  return made;
}
