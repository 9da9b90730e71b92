import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

const ea = (n: number) => ({ unitOfMeasurement: 'EACH', amount: String(n) });
type Line = { lineNumber: string; orderLineStatuses: { orderLineStatus: { status: string; statusQuantity: { amount: string }; cancellationReason?: string }[] } };
const statuses = (order: { orderLines: { orderLine: Line[] } }) =>
  order.orderLines.orderLine.map((l) => l.orderLineStatuses.orderLineStatus.map((s) => `${s.status}:${s.statusQuantity.amount}`).join(','));

/** Follows list.meta.nextCursor (a ready-made query string) to the end; the purchase order ids in order. */
async function allPages(path: string, query: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  let q: Record<string, string> | null = query;
  while (q) {
    const page = await h.call('GET', path, { query: q });
    expect(page.status).toBe(200);
    ids.push(...page.body.list.elements.order.map((o: { purchaseOrderId: string }) => o.purchaseOrderId));
    const next: string | undefined = page.body.list.meta.nextCursor;
    q = next ? Object.fromEntries(new URLSearchParams(next.replace(/^\?/, ''))) : null;
  }
  return ids;
}

function shipment(lineNumber: string, quantity: number) {
  return {
    orderShipment: {
      orderLines: {
        orderLine: [{ lineNumber, sellerOrderId: 'S-1', orderLineStatuses: { orderLineStatus: [{ status: 'Shipped', statusQuantity: ea(quantity), trackingInfo: { shipDateTime: Date.parse('2026-11-23T12:00:00Z'), carrierName: { carrier: 'UPS' }, methodCode: 'Standard', trackingNumber: '1Z999' } }] } }],
      },
    },
  };
}

function cancellation(lineNumber: string, quantity: number) {
  return { orderCancellation: { orderLines: { orderLine: [{ lineNumber, orderLineStatuses: { orderLineStatus: [{ status: 'Cancelled', cancellationReason: 'SELLER_CANCEL_OUT_OF_STOCK', statusQuantity: ea(quantity) }] } }] } } };
}

describe('order lifecycle through the API', () => {
  it('Created → Acknowledged → part Shipped, part Cancelled, each move shown per line and moving lastModified', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 10, productName: 'Widget' });
    h.walmart.addSku({ sku: 'B', quantity: 10 });
    const po = h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 3 }, { sku: 'B', quantity: 1 }] }).purchaseOrderId;
    const created = (await h.call('GET', `/v3/orders/${po}`)).body.order;
    expect(created.orderLines.orderLine[0]).toMatchObject({ lineNumber: '1', item: { sku: 'A', productName: 'Widget' }, orderLineQuantity: ea(3) });
    expect(statuses(created)).toEqual(['Created:3', 'Created:1']);
    expect((await h.call('GET', '/v3/orders/released')).body.list.elements.order.map((o: { purchaseOrderId: string }) => o.purchaseOrderId)).toEqual([po]);

    await h.scheduler.advance(60_000);
    const acked = await h.call('POST', `/v3/orders/${po}/acknowledge`);
    expect(statuses(acked.body.order)).toEqual(['Acknowledged:3', 'Acknowledged:1']);
    expect((await h.call('GET', '/v3/orders/released')).body.list.elements.order).toEqual([]);

    await h.scheduler.advance(60_000);
    const t2 = new Date(h.scheduler.clock.now()).toISOString();
    const shipped = await h.call('POST', `/v3/orders/${po}/shipping`, { body: shipment('1', 2) });
    expect(statuses(shipped.body.order)).toEqual(['Acknowledged:1,Shipped:2', 'Acknowledged:1']);
    expect(shipped.body.order.orderLines.orderLine[0].orderLineStatuses.orderLineStatus[1].trackingInfo.trackingNumber).toBe('1Z999');
    const cancelled = await h.call('POST', `/v3/orders/${po}/cancel`, { body: cancellation('2', 1) });
    expect(statuses(cancelled.body.order)).toEqual(['Acknowledged:1,Shipped:2', 'Cancelled:1']);
    expect(cancelled.body.order.orderLines.orderLine[1].orderLineStatuses.orderLineStatus[0].cancellationReason).toBe('SELLER_CANCEL_OUT_OF_STOCK');

    // Polling by lastModifiedStartDate finds the order again after each change, and not before.
    expect(await allPages('/v3/orders', { lastModifiedStartDate: t2 })).toEqual([po]);
    await h.scheduler.advance(1000);
    expect(await allPages('/v3/orders', { lastModifiedStartDate: new Date(h.scheduler.clock.now()).toISOString() })).toEqual([]);
    expect(await allPages('/v3/orders', { status: 'Shipped' })).toEqual([po]);
    expect(await allPages('/v3/orders', { status: 'Created' })).toEqual([]);
    expect(await allPages('/v3/orders', { sku: 'B' })).toEqual([po]);
    expect(h.walmart.sku('A').nodes.get(h.walmart.shipNodes[0]!)).toEqual({ amount: 7, reserved: 1 });
    expect(h.walmart.sku('B').nodes.get(h.walmart.shipNodes[0]!)).toEqual({ amount: 9, reserved: 0 });
  });

  it('refuses moves the lines cannot make: more than is open (400), an unknown line (400), a finished order to acknowledge (400), an unknown order (404)', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 10 });
    const po = h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 2 }] }).purchaseOrderId;
    const tooMany = await h.call('POST', `/v3/orders/${po}/cancel`, { body: cancellation('1', 3) });
    expect([tooMany.status, tooMany.body.errors[0].code]).toEqual([400, 'INVALID_REQUEST_CONTENT']);
    expect((await h.call('POST', `/v3/orders/${po}/shipping`, { body: shipment('9', 1) })).status).toBe(400);
    expect((await h.call('POST', `/v3/orders/${po}/shipping`, { body: shipment('1', 2) })).status).toBe(200);
    expect((await h.call('POST', `/v3/orders/${po}/acknowledge`)).status).toBe(400);
    expect((await h.call('GET', '/v3/orders/999')).status).toBe(404);
    expect((await h.call('GET', '/v3/orders', { query: { limit: '201' } })).status).toBe(400);
    expect((await h.call('GET', '/v3/orders', { query: { status: 'Lost' } })).status).toBe(400);
    expect((await h.call('GET', '/v3/orders', { query: { createdStartDate: 'yesterday' } })).status).toBe(400);
  });
});

describe('listing orders', () => {
  it('pages by the ready-made nextCursor (list.meta), losing no order placed between pages', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 100 });
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) {
      placed.push(h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 1 }] }).purchaseOrderId);
      await h.scheduler.advance(1000);
    }
    const first = await h.call('GET', '/v3/orders', { query: { limit: '2' } });
    expect(first.body.list.meta).toMatchObject({ totalCount: 5, limit: 2, nextCursor: expect.stringMatching(/^\?limit=2&hasMoreElements=true&soIndex=5&poIndex=2&createdStartDate=/) });
    placed.push(h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 1 }] }).purchaseOrderId);
    const rest = await allPages('/v3/orders', Object.fromEntries(new URLSearchParams(first.body.list.meta.nextCursor.slice(1))));
    const seen = new Set([...first.body.list.elements.order.map((o: { purchaseOrderId: string }) => o.purchaseOrderId), ...rest]);
    expect(placed.slice(0, 5).every((p) => seen.has(p))).toBe(true);
    expect(await allPages('/v3/orders', { limit: '4' })).toEqual([...placed].reverse());
  });

  it('lists only the last 7 days by default, and never orders older than 180 days', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 100 });
    const t = h.scheduler.clock.now();
    const old = h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 1 }], orderDate: t - 181 * 86_400_000 }).purchaseOrderId;
    const month = h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 1 }], orderDate: t - 30 * 86_400_000 }).purchaseOrderId;
    const today = h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 1 }] }).purchaseOrderId;
    expect(await allPages('/v3/orders', {})).toEqual([today]);
    expect(await allPages('/v3/orders', { createdStartDate: new Date(t - 365 * 86_400_000).toISOString() })).toEqual([today, month]);
    expect(await allPages('/v3/orders', { lastModifiedStartDate: new Date(t - 1000).toISOString() })).toEqual([today, month]);
    expect((await h.call('GET', `/v3/orders/${old}`)).status).toBe(200);
  });
});

describe("Walmart's and the buyer's moves (control surface)", () => {
  it('auto-cancels an open line with Walmart\'s reason, ships and cancels through the control endpoints', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 10 });
    const placed = await h.control('POST', '/_emulator/orders', { lines: [{ sku: 'A', quantity: 2 }, { sku: 'A', quantity: 1 }] });
    expect(placed.status).toBe(201);
    const po: string = placed.body.purchase_order_id;
    const auto = await h.control('POST', `/_emulator/orders/${po}/auto-cancel`, { line_numbers: ['2'] });
    expect(auto.body.lines[1]).toMatchObject({ statuses: { Cancelled: 1 }, cancellation_reason: expect.stringMatching(/^Auto-cancelled/) });
    expect((await h.control('POST', `/_emulator/orders/${po}/auto-cancel`, { line_numbers: ['2'] })).status).toBe(409);
    const shipped = await h.control('POST', `/_emulator/orders/${po}/ship`, {});
    expect(shipped.body.lines.map((l: { statuses: Record<string, number> }) => l.statuses)).toEqual([{ Shipped: 2 }, { Cancelled: 1 }]);
    expect((await h.control('POST', `/_emulator/orders/${po}/cancel`, {})).status).toBe(409);
    const order = (await h.call('GET', `/v3/orders/${po}`)).body.order;
    expect(statuses(order)).toEqual(['Shipped:2', 'Cancelled:1']);
    expect(h.walmart.counters()).toMatchObject({ ordersPlaced: 1, linesAutoCancelled: 1, linesShipped: 1 });
    const out = await h.control('POST', '/_emulator/orders', { lines: [{ sku: 'A', quantity: 8 }] });
    expect([out.status, out.body.code]).toEqual([409, 'out_of_stock']);
  });
});
