// Square's inbound side through the product's one webhook route, on SQLite and PostgreSQL: a POS
// sale beyond the shelf is recorded at the store, oversold and raised — never refused — and its
// redelivery (same event_id) applies nothing; forgeries answer 401 and change nothing; the count
// the sale leaves is not taken as a hand edit; a return at the till restocks the store (through
// a return, inspected first).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, unique } from '../../../test/support/http.ts';
import { STORE_KINDS } from '../../../test/support/truestock.ts';
import { startSquareEmulator } from '../../../emulators/square/index.ts';
import { unitsOf } from '../../../emulators/square/decimal.ts';
import { SQUARE_SIGNATURE_HEADER, squareSignature } from './webhooks.ts';

const LOC = 'LSTORE1';
const KEY = 'square-signature-key';
const NOTIFY = 'https://truestock.example/square-hook';

let seq = 0;
const at = (s: number) => new Date(Date.UTC(2026, 11, 5, 12, 0, s)).toISOString();

function saleBody(orderId: string, object: string, quantity: number, extra: Json = {}): Json {
  const id = `evt-${++seq}`;
  return {
    merchant_id: 'M1', type: 'order.created', event_id: id, created_at: at(seq),
    data: { type: 'order_created', id: orderId, object: { order_created: {
      id: orderId, order_id: orderId, location_id: LOC, state: 'COMPLETED', version: 1, created_at: at(seq), updated_at: at(seq),
      line_items: [{ uid: `${orderId}-li1`, catalog_object_id: object, quantity: String(quantity) }], ...extra,
    } } },
  };
}

function countBody(object: string, quantity: number): Json {
  const id = `evt-${++seq}`;
  return {
    merchant_id: 'M1', type: 'inventory.count.updated', event_id: id, created_at: at(seq),
    data: { type: 'inventory_counts', id, object: { inventory_counts: [{ catalog_object_id: object, catalog_object_type: 'ITEM_VARIATION', state: 'IN_STOCK', location_id: LOC, quantity: String(quantity), calculated_at: at(seq) }] } },
  };
}

describe.each(STORE_KINDS)('Square POS events through the webhook route on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  async function setup(shelf: number, settings: Json = {}) {
    const { sku } = await h.item(shelf);
    const ch = await h.post('/v1/channels', { kind: 'square', name: unique('square'), settings: { signature_key: KEY, notification_url: NOTIFY, merchant_id: 'M1', locations: { [LOC]: 'WH1' }, ...settings } }, { key: h.a.keys.admin });
    expect(ch.statusCode, ch.body).toBe(201);
    const channel = ch.json().channel as Json;
    const object = unique('OBJ');
    const l = await h.post('/v1/listings', { channel: channel.id, sku, external: { catalog_object_id: object } });
    expect(l.statusCode, l.body).toBe(201);
    return { sku, object, listing: String((l.json().listing as Json).id), url: `/v1/channels/${String(channel.id)}/webhooks` };
  }

  const send = (url: string, body: Json, sign: (raw: Buffer) => string = (raw) => squareSignature(raw, NOTIFY, KEY), raw = Buffer.from(JSON.stringify(body))) =>
    h.inject({ method: 'POST', url, payload: raw, headers: { 'content-type': 'application/json', [SQUARE_SIGNATURE_HEADER]: sign(raw) } });

  it('a POS sale beyond the shelf is allocated at the store, oversold and raised, never refused; its redelivery applies nothing', async () => {
    const { sku, object, url } = await setup(2);
    const sale = saleBody(unique('ORD'), object, 5);
    await h.unchanged(async () => {
      const raw = Buffer.from(JSON.stringify(sale));
      const tampered = Buffer.from(raw.toString().replace('"5"', '"1"'));
      expectProblem(await send(url, sale, () => squareSignature(raw, NOTIFY, KEY), tampered), 'webhook_signature_invalid', null);
      expectProblem(await send(url, sale, (r) => squareSignature(r, NOTIFY, 'another-key')), 'webhook_signature_invalid', null);
      expectProblem(await send(url, sale, (r) => squareSignature(r, 'https://elsewhere.example/hook', KEY)), 'webhook_signature_invalid', null);
    }, [sku]);
    const first = await send(url, sale);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'ok', outcome: expect.stringContaining('allocated') });
    expect(await h.totals(sku)).toMatchObject({ available: 0, committed: 5, oversold: 3 });
    const raised = (await h.get(`/v1/exceptions?sku=${sku}&state=open`, h.a.keys.read)).json().data as Json[];
    expect(raised.filter((e) => e.kind === 'oversold')).toHaveLength(1);
    const again = await send(url, sale);
    expect(again.json()).toMatchObject({ status: 'duplicate' });
    expect(await h.totals(sku)).toMatchObject({ available: 0, committed: 5, oversold: 3 });
  });

  it('a POS sale is taken from its own store even when another store of the channel has the units', async () => {
    const other = unique('ST');
    expect((await h.post('/v1/locations', { code: other, name: 'Second store', kind: 'store' }, { key: h.a.keys.admin })).statusCode).toBe(201);
    const { sku, object, url } = await setup(1, { locations: { [LOC]: 'WH1', LSTORE2: other } });
    expect((await h.post('/v1/stock/receive', { sku, location: other, quantity: 9 })).statusCode).toBe(200);
    const r = await send(url, saleBody(unique('ORD'), object, 3));
    expect(r.json(), r.body).toMatchObject({ status: 'ok', outcome: expect.stringContaining('allocated') });
    const levels = ((await h.get(`/v1/stock/${encodeURIComponent(sku)}`, h.a.keys.read)).json().locations as Json[]);
    expect(levels.find((l) => l.location === 'WH1')).toMatchObject({ available: 0, committed: 3, oversold: 2 });
    expect(levels.find((l) => l.location === other)).toMatchObject({ available: 9, committed: 0 });
  });

  it('a sale and a count at another of the merchant\'s Square locations are not this store\'s', async () => {
    const { sku, object, url } = await setup(10);
    await h.unchanged(async () => {
      const elsewhere = (b: Json) => JSON.parse(JSON.stringify(b).replaceAll(LOC, 'LOTHERSTORE')) as Json;
      const sale = await send(url, elsewhere(saleBody(unique('ORD'), object, 2)));
      expect(sale.json(), sale.body).toMatchObject({ status: 'ok', outcome: expect.anything() });
      const count = await send(url, elsewhere(countBody(object, 1)));
      expect(count.statusCode).toBe(200);
    }, [sku]);
    expect(await h.totals(sku)).toMatchObject({ available: 10, committed: 0 });
  });

  it('pickup in store is the store\'s own count: the listing\'s number is the mapped store\'s available, not the network\'s', async () => {
    const { sku, listing } = await setup(10);
    const other = unique('WH');
    expect((await h.post('/v1/locations', { code: other, name: 'Another warehouse', kind: 'warehouse' }, { key: h.a.keys.admin })).statusCode).toBe(201);
    expect((await h.post('/v1/stock/receive', { sku, location: other, quantity: 5 })).statusCode).toBe(200);
    const shown = await h.get(`/v1/listings/${listing}/availability`, h.a.keys.read);
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({ quantity: 10 });
  });

  it('the count a sale leaves on the shelf is our own number, not a hand edit', async () => {
    const { sku, object, url } = await setup(10);
    expect((await send(url, saleBody(unique('ORD'), object, 2))).statusCode).toBe(200);
    expect(await h.totals(sku)).toMatchObject({ available: 8, committed: 2 });
    const count = await send(url, countBody(object, 8));
    expect(count.json()).toMatchObject({ status: 'ok', outcome: 'echo' });
  });

  it('a return at the till comes back to the store through a return (quality control first)', async () => {
    const { sku, object, url } = await setup(10);
    const orderId = unique('ORD');
    expect((await send(url, saleBody(orderId, object, 2))).statusCode).toBe(200);
    const returnId = unique('RET');
    const ret = saleBody(returnId, object, 1, { line_items: [], returns: [{ uid: 'r1', source_order_id: orderId, return_line_items: [{ uid: 'rl1', source_line_item_uid: `${orderId}-li1`, catalog_object_id: object, quantity: '1' }] }] });
    const r = await send(url, ret);
    expect(r.json(), r.body).toMatchObject({ status: 'ok', outcome: expect.stringContaining('return_received') });
    expect(await h.totals(sku)).toMatchObject({ available: 8, committed: 2, quality_control: 1 });
  });

  it('an order event that names the order only is read from Square; while Square is down it answers 503 and applies nothing', async () => {
    const emu = await startSquareEmulator({ merchantId: 'M1', locations: [{ id: LOC }] });
    try {
      const { sku, object, url } = await setup(10, { access_token: emu.accessToken, endpoint: emu.url });
      emu.addCatalogObject({ id: object });
      const sale = emu.posSale({ locationId: LOC, lines: [{ catalogObjectId: object, quantity: unitsOf(3) }] });
      // Square's own event: the order's id, state and location, nothing of what was sold.
      const named: Json = { merchant_id: 'M1', type: 'order.created', event_id: unique('evt'), created_at: at(1),
        data: { type: 'order_created', id: sale.id, object: { order_created: { order_id: sale.id, version: 1, location_id: LOC, state: 'COMPLETED', created_at: at(1) } } } };
      emu.goDown(60);
      await h.unchanged(async () => {
        const busy = await send(url, named);
        expect(busy.statusCode, busy.body).toBe(503);
      }, [sku]);
      emu.goDown(0.001);
      await new Promise((r) => setTimeout(r, 5));
      const r = await send(url, named);
      expect(r.json(), r.body).toMatchObject({ status: 'ok', outcome: expect.stringContaining('allocated') });
      expect(await h.totals(sku)).toMatchObject({ available: 7, committed: 3 });
    } finally {
      await emu.close();
    }
  });
});
