import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adjustment, expectSdkEvent, expectSdkOrder, expectValidCountEvent, type Harness, harness, inStock, LOCATION, physicalCount, receiver, START } from './test-support.ts';

let h: Harness;
let rx: ReturnType<typeof receiver>;
beforeEach(async () => {
  rx = receiver();
  h = await harness({ webhookFetch: rx.fetch });
  expect((await h.control('POST', '/_emulator/webhooks', { notification_url: 'https://truestock.example/hooks/square', signature_key: 'sig-key' })).status).toBe(201);
  await h.seed('VAR1', 2);
  await h.square.flushWebhooks();
  rx.deliveries.length = 0;
});
afterEach(() => h.close());

describe('the POS', () => {
  it('rings up a sale: an order with the line, IN_STOCK → SOLD at once, events for the count and the order', async () => {
    const sale = await h.control('POST', '/_emulator/pos/sales', { location_id: LOCATION, catalog_object_id: 'VAR1', quantity: 1 });
    expect(sale.status).toBe(201);
    const order = sale.body.order;
    expectSdkOrder(order);
    expect(order).toMatchObject({ location_id: LOCATION, state: 'COMPLETED', line_items: [{ catalog_object_id: 'VAR1', quantity: '1', total_money: { amount: 500, currency: 'USD' } }] });
    expect(await inStock(h, 'VAR1')).toBe('1');

    const read = await h.call('GET', `/v2/orders/${order.id}`);
    expect(read.body.order).toEqual(order);
    const batch = await h.call('POST', '/v2/orders/batch-retrieve', { body: { order_ids: [order.id, 'NOPE'] } });
    expect(batch.body.orders).toEqual([order]);

    await h.square.flushWebhooks();
    const [count] = rx.events('inventory.count.updated');
    expectValidCountEvent(count);
    expect(count.data.object.inventory_counts).toEqual([expect.objectContaining({ catalog_object_id: 'VAR1', state: 'IN_STOCK', quantity: '1' })]);
    const [created] = rx.events('order.created');
    const [updated] = rx.events('order.updated');
    expectSdkEvent(created, 'order.created');
    expectSdkEvent(updated, 'order.updated');
    expect(created.data).toMatchObject({ type: 'order_created', id: order.id, object: { order_created: { order_id: order.id, version: 1, state: 'OPEN', location_id: LOCATION } } });
    expect(updated.data.object.order_updated).toMatchObject({ order_id: order.id, version: order.version, state: 'COMPLETED' });

    const changes = await h.call('POST', '/v2/inventory/changes/batch-retrieve', { body: { types: ['ADJUSTMENT'] } });
    expect(changes.body.changes[0].adjustment).toMatchObject({ from_state: 'IN_STOCK', to_state: 'SOLD', transaction_id: order.id, source: { product: 'SQUARE_POS' } });
  });

  it('never refuses a customer: a sale below zero takes the count negative', async () => {
    const sale = await h.control('POST', '/_emulator/pos/sales', { location_id: LOCATION, line_items: [{ catalog_object_id: 'VAR1', quantity: 3 }] });
    expect(sale.status).toBe(201);
    expect(await inStock(h, 'VAR1')).toBe('-1');
    await h.square.flushWebhooks();
    expect(rx.events('inventory.count.updated')[0].data.object.inventory_counts[0].quantity).toBe('-1');
  });

  it('takes a return as a new order pointing at the sale, restocks it, and refuses returning more than was sold', async () => {
    const sale = (await h.control('POST', '/_emulator/pos/sales', { location_id: LOCATION, catalog_object_id: 'VAR1', quantity: 2 })).body.order;
    expect(await inStock(h, 'VAR1')).toBe('0');
    const ret = await h.control('POST', '/_emulator/pos/returns', { order_id: sale.id, catalog_object_id: 'VAR1', quantity: 1 });
    expect(ret.status).toBe(201);
    expectSdkOrder(ret.body.order);
    expect(ret.body.order.returns[0]).toMatchObject({ source_order_id: sale.id, return_line_items: [{ source_line_item_uid: sale.line_items[0].uid, catalog_object_id: 'VAR1', quantity: '1' }] });
    expect(await inStock(h, 'VAR1')).toBe('1');
    const tooMany = await h.control('POST', '/_emulator/pos/returns', { order_id: sale.id, catalog_object_id: 'VAR1', quantity: 2 });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.code).toBe('return_exceeds_sale');
    const kept = await h.control('POST', '/_emulator/pos/returns', { order_id: sale.id, catalog_object_id: 'VAR1', quantity: 1, restock: false });
    expect(kept.status).toBe(201);
    expect(await inStock(h, 'VAR1')).toBe('1');
  });

  it('a hand count by staff sets the count, and a later API count that occurred before it does not win', async () => {
    await h.scheduler.advance(60_000);
    const hc = await h.control('POST', '/_emulator/pos/counts', { catalog_object_id: 'VAR1', location_id: LOCATION, quantity: 9, team_member_id: 'TM1' });
    expect(hc.body.changes[0].physical_count).toMatchObject({ quantity: '9', team_member_id: 'TM1', source: { product: 'SQUARE_POS' } });
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'late', changes: [physicalCount('VAR1', '4', START + 30_000)] } });
    expect(await inStock(h, 'VAR1')).toBe('9');
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'now', changes: [adjustment('VAR1', '1', START + 60_000)] } });
    expect(await inStock(h, 'VAR1')).toBe('8');
  });

  it('refuses sales of unknown objects or locations, as problems', async () => {
    const a = await h.control('POST', '/_emulator/pos/sales', { location_id: LOCATION, catalog_object_id: 'NOPE' });
    expect(a.status).toBe(404);
    const b = await h.control('POST', '/_emulator/pos/sales', { location_id: 'ELSEWHERE', catalog_object_id: 'VAR1' });
    expect(b.body).toMatchObject({ status: 404, code: 'not_found' });
  });

  it("with orderEvents 'created' a sale raises order.created only, COMPLETED at version 1", async () => {
    const rx2 = receiver();
    const h2 = await harness({ webhookFetch: rx2.fetch, orderEvents: 'created' });
    await h2.control('POST', '/_emulator/webhooks', { notification_url: 'https://truestock.example/hooks/square', signature_key: 'k', event_types: ['order.created', 'order.updated'] });
    await h2.seed('VAR1');
    const order = (await h2.control('POST', '/_emulator/pos/sales', { location_id: LOCATION, catalog_object_id: 'VAR1' })).body.order;
    await h2.square.flushWebhooks();
    expect(rx2.deliveries.map((d) => JSON.parse(d.body).type)).toEqual(['order.created']);
    expect(rx2.events('order.created')[0].data.object.order_created).toMatchObject({ order_id: order.id, version: 1, state: 'COMPLETED' });
    expect(order.version).toBe(1);
    await h2.close();
  });
});

describe('the in-process surface', () => {
  it('takes items as numbers or decimal strings and answers decimal strings', async () => {
    h.square.handCount({ catalogObjectId: 'VAR1', locationId: LOCATION, quantity: '10.5' });
    const order = h.square.posSale({ locationId: LOCATION, lines: [{ catalogObjectId: 'VAR1', quantity: 2 }] });
    expectSdkOrder(order);
    expect(h.square.quantity('VAR1', LOCATION)).toBe('8.5');
    expect(() => h.square.posSale({ locationId: LOCATION, lines: [{ catalogObjectId: 'VAR1', quantity: 0.000001 }] })).toThrow(/decimal string/);
  });

  it('draws ids from idSeed: the same seed replays them, another does not', async () => {
    const ids = async (o: { idSeed?: number }) => {
      const x = await harness(o);
      await x.seed('VAR1');
      const id = x.square.posSale({ locationId: LOCATION, lines: [{ catalogObjectId: 'VAR1', quantity: 1 }] }).id;
      await x.close();
      return id;
    };
    expect(await ids({})).toBe(await ids({}));
    expect(await ids({ idSeed: 42 })).not.toBe(await ids({ idSeed: 43 }));
  });
});
