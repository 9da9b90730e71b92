// The demo's storefront that keeps stock itself (the Amazon seller: merchant-fulfilled listings
// shipped by the 3PL, FBA listings at FBA-US) wired to its channel, on SQLite and PostgreSQL, on a
// manual clock that truestock, its polls and the emulator share: its settings and listings, its
// FBA stock as truestock booked it, a pending order held then allocated, an FBA order recorded and
// never allocated, a shipment to FBA received when Amazon reports it checked in, and a restart
// that keeps the listings and the FBA stock and takes new orders as new.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../app/clock.ts';
import { Truestock } from '../app/truestock.ts';
import { pollChannel } from '../channels/poll-scheduler.ts';
import { kindOf } from '../channels/registry.ts';
import { listLocations, itemsBySku } from '../store/catalog-repo.ts';
import { channelById, getChannelOrder } from '../store/channel-event-repo.ts';
import { getChannel, listingsOfChannels } from '../store/channel-repo.ts';
import { findTransfer } from '../store/purchasing-repo.ts';
import { allLevels } from '../store/query-repo.ts';
import { createDatabase, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { type DemoCatalog, seedCatalog } from './catalog.ts';
import { demoChannel } from './sample-catalog.ts';
import { type DemoShops, startShops } from './shops.ts';

const quiet = { info: () => undefined, warn: () => undefined };
const NAME = 'amazon-us';
const spec = demoChannel(NAME);
const managed = spec.storefront!.managed!;
/** Past the demo's poll interval (orders) and its FBA read interval. */
const POLL_GAP_MS = 181_000;

describe.each(STORE_KINDS)('the demo storefront with its own warehouse on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let catalog: DemoCatalog;
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 9));
  const opened: DemoShops[] = [];
  const wired = kindOf(spec.kind).inbound?.poll !== undefined;

  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, clock, sync: { idleMs: 20, log: quiet } });
    catalog = await seedCatalog(ts);
  });
  afterAll(async () => {
    for (const s of opened) await s.close();
    await ts?.close();
    await db?.drop();
  });

  const channelId = () => catalog.channels[NAME];
  const ws = () => catalog.workspaceId;
  async function levels(code: string): Promise<Map<string, { available: number; damaged: number; incoming: number; reserved: number; committed: number }>> {
    return ts.store.read(async (d) => {
      const location = (await listLocations(d, ws(), { limit: 100 })).find((l) => l.code === code)!;
      const skus = new Map((await itemsBySku(d, ws(), spec.skus())).map((i) => [i.id, i.sku]));
      return new Map((await allLevels(d, ws())).filter((l) => l.location_id === location.id && skus.has(l.item_id))
        .map((l) => [skus.get(l.item_id)!, { available: Number(l.available), damaged: Number(l.damaged), incoming: Number(l.incoming), reserved: Number(l.reserved), committed: Number(l.committed) }]));
    });
  }
  const poll = async () => {
    clock.advance(POLL_GAP_MS);
    const channel = (await ts.store.read((d) => channelById(d, channelId())))!;
    const r = await pollChannel(ts, channel);
    expect(r.status, r.error).toBe('ok');
    return r;
  };
  const order = (id: string) => ts.store.read((d) => getChannelOrder(d, channelId(), id));
  const listingRows = () => ts.store.read(async (d) => (await listingsOfChannels(d, ws(), [channelId()])).map((l) => ({ id: l.id, active: l.active, external: l.external })));

  it('is wired to its channel with the FBA stock truestock booked, and its orders come in by polling', { timeout: 60_000 }, async () => {
    const first = await startShops(ts, catalog, { faults: false });
    opened.push(first);
    const shop = first.shop(NAME)!;
    const store = shop.storefront;
    expect(shop.kindLabel).toBe(kindOf(spec.kind).label);
    const settings = (await ts.store.read((d) => getChannel(d, ws(), channelId())))!.settings;
    expect(settings).toMatchObject(store.settings);
    const listings = await listingRows();
    expect(listings.filter((l) => l.active).map((l) => l.external).sort((a, b) => String(a.seller_sku).localeCompare(String(b.seller_sku))))
      .toEqual(spec.skus().map((sku) => store.external(sku)).sort((a, b) => String(a.seller_sku).localeCompare(String(b.seller_sku))));

    // The storefront holds what truestock booked at FBA-US: opening stock, the damaged sock of
    // TR-DEMO-1001's check-in, and its lines still in transit as Amazon's inbound.
    const fba = await levels(managed.location.code);
    for (const sku of managed.skus()) {
      const l = fba.get(sku) ?? { available: 0, damaged: 0, incoming: 0 };
      expect(store.managedStock!(sku), sku).toEqual({ available: l.available, damaged: l.damaged, inbound: l.incoming });
    }
    expect(store.managedStock!('SOCK-BLK-LXL').damaged).toBe(1);
    expect(store.managedStock!('SOCK-GRY-LXL').inbound).toBe(4);
    if (!wired) return; // the kind's inbound (polls) is wired by kind.ts; without it nothing comes in

    // The first poll reads FBA stock equal to the ledger's: nothing moves.
    await poll();
    expect(await levels(managed.location.code)).toEqual(fba);

    // A merchant-fulfilled order pending payment is held at the 3PL; an FBA order is recorded only.
    const mfn = 'HOOD-BLK-M';
    store.setShown(mfn, 5);
    const pending = store.placeOrder([{ sku: mfn, quantity: 2 }])!;
    const viaFba = store.placeOrder([{ sku: 'TEE-BLK-M', quantity: 1 }])!;
    expect(viaFba.fulfilledByChannel).toBe(true);
    const threePl = (await levels(spec.storefront!.location.code)).get(mfn)!;
    await poll();
    expect(await order(pending.id)).toMatchObject({ ledgerState: 'held' });
    expect(await order(viaFba.id)).toMatchObject({ fulfilledByChannel: true, holdId: null });
    expect((await levels(spec.storefront!.location.code)).get(mfn)).toMatchObject({ available: threePl.available - 2 });
    // Amazon's count of the FBA unit it sold is booked at FBA-US, nothing else of ours moves.
    expect((await levels(managed.location.code)).get('TEE-BLK-M')!.available).toBe(fba.get('TEE-BLK-M')!.available - 1);

    expect(store.confirm!(pending.id)).toBe(true);
    await poll();
    expect(await order(pending.id)).toMatchObject({ ledgerState: 'allocated' });
    expect((await levels(spec.storefront!.location.code)).get(mfn)).toMatchObject({ available: threePl.available - 2, committed: threePl.committed + 2 });

    // Amazon checks in the transfer's units in transit: its report receives them.
    expect(store.receiveInbound!('SOCK-GRY-LXL', 4)).toBe(true);
    await poll();
    expect((await levels(managed.location.code)).get('SOCK-GRY-LXL')).toMatchObject({ available: fba.get('SOCK-GRY-LXL')!.available + 4, incoming: 0 });
    const tr = await ts.store.read((d) => findTransfer(d, ws(), 'TR-DEMO-1001'));
    expect(tr!.lines.find((l) => l.sku === 'SOCK-GRY-LXL')).toMatchObject({ received: 4 });

    // The restart: a new emulator, the same listings, FBA stock as truestock booked it, new order ids.
    const booked = await levels(managed.location.code);
    await first.close();
    opened.pop();
    const second = await startShops(ts, catalog, { faults: false });
    opened.push(second);
    const again = second.shop(NAME)!.storefront;
    expect(await listingRows()).toEqual(listings);
    for (const sku of managed.skus()) {
      const l = booked.get(sku) ?? { available: 0, damaged: 0, incoming: 0 };
      expect(again.managedStock!(sku), sku).toEqual({ available: l.available, damaged: l.damaged, inbound: l.incoming });
    }
    again.setShown(mfn, 3);
    const next = again.placeOrder([{ sku: mfn, quantity: 1 }])!;
    expect(Number(next.id.split('-')[1])).toBeGreaterThan(Number(pending.id.split('-')[1]));
    await poll();
    expect(await order(next.id)).toMatchObject({ ledgerState: 'held' });
    expect(await order(pending.id)).toMatchObject({ ledgerState: 'allocated' });
  });
});
