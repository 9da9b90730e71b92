import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AmazonEmulator } from '../../../emulators/amazon/index.ts';
import { inProcessFetch } from '../../../emulators/kit/in-process-fetch.ts';
import { loadJsonSchema } from '../../../test/support/spec-validator.ts';
import { ManualClock } from '../../app/clock.ts';
import type { ChannelEvent, ManagedStockFacts, OrderFacts } from '../../domain/channel-event.ts';
import type { PollEnv, PollPage } from '../kind.ts';
import { amazonInbound, amazonMapping } from './inbound.ts';
import { listingKey } from './order-facts.ts';
import { fbaApiModel, ORDER_CHANGE_SCHEMA, ordersApiModel } from './poll.fixture.ts';

const US = 'ATVPDKIKX0DER';
const UK = 'A1F83G8C2ARO7P';

describe('Amazon locations', () => {
  it('FBA marketplaces map to their FBA location and are never a merchant-fulfilled candidate', () => {
    const m = amazonMapping({ locations: { [US]: 'FBA-US', [UK]: 'WH-UK' }, fba_marketplace_ids: [US], merchant_locations: ['WH-MAIN', 'FBA-US'] });
    expect(m.locationCode(US)).toBe('FBA-US');
    expect(m.locationCode(UK)).toBe('WH-UK');
    expect(m.locationCode('nowhere')).toBeUndefined();
    expect(m.locationCodes()).toEqual(['WH-UK', 'WH-MAIN']);
    expect(amazonMapping({}).locationCodes()).toEqual([]);
  });
});

describe('Amazon inbound against the emulator', () => {
  const T0 = Date.UTC(2026, 11, 5, 9, 0, 0);
  let server: Server | null = null;
  let emulator: AmazonEmulator | null = null;

  afterEach(async () => {
    await emulator?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = null;
    emulator = null;
  });

  function start() {
    const clock = new ManualClock(T0);
    const emu = new AmazonEmulator({ clock, marketplaceIds: [US, UK], seed: 7 });
    emulator = emu;
    const invalid: string[] = [];
    const inner = inProcessFetch(emu.handler, { origin: 'http://amazon.emulated' });
    // Every SP-API request truestock sends, and every answer, is held to Amazon's models.
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const res = await inner(input, init);
      const model = url.pathname.startsWith('/orders/') ? ordersApiModel() : url.pathname.startsWith('/fba/') ? fbaApiModel() : null;
      if (model) {
        const check = model.validateRequest({ method: init?.method ?? 'GET', url: url.pathname + url.search });
        invalid.push(...check.errors);
        const body = await res.clone().json().catch(() => undefined);
        invalid.push(...model.validateResponse({ operationId: check.operationId ?? '?', status: res.status, body }));
      }
      return res;
    };
    const settings = {
      seller_id: emu.sellerId, client_id: emu.clientId, client_secret: emu.clientSecret, refresh_token: emu.refreshToken,
      endpoint: 'http://amazon.emulated', lwa_url: 'http://amazon.emulated/auth/o2/token',
      locations: { [US]: 'WH1', [UK]: 'FBA-UK' }, fba_marketplace_ids: [UK],
    };
    let cursor: string | null = null;
    const spent: string[] = [];
    /** One poll as the scheduler runs it: pages applied in turn, the cursor kept after each good one. */
    const poll = async (): Promise<{ events: ChannelEvent[]; failures: PollPage[] }> => {
      const env: PollEnv = { settings, cursor, since: T0 - 60_000, clock, fetch, spend: async (_c, b) => (spent.push(String(b)), true), observe: () => {} };
      const events: ChannelEvent[] = [];
      const failures: PollPage[] = [];
      for await (const p of amazonInbound.poll!.pages(env)) {
        if (!p.ok) failures.push(p);
        else {
          events.push(...p.events);
          cursor = p.cursor;
        }
      }
      return { events, failures };
    };
    return { clock, emu, invalid, poll, spent, settings };
  }

  const orders = (events: ChannelEvent[]) => events.filter((e): e is Extract<ChannelEvent, { order: OrderFacts }> => 'order' in e);
  const stock = (events: ChannelEvent[]) => events.filter((e): e is Extract<ChannelEvent, { stock: ManagedStockFacts }> => e.kind === 'managed_stock_reported').map((e) => e.stock);

  it('a pending order is read as a hold, confirmed as an allocation, then cancelled; FBA stock as its buckets', async () => {
    const w = start();
    w.emu.addListing({ sku: 'MUG', channel: 'MFN', quantity: 10, marketplaceIds: [US] });
    w.emu.addListing({ sku: 'TEE', channel: 'AFN', marketplaceIds: [UK] });
    w.emu.setFbaStock('TEE', { fulfillable: 8, inboundShipped: 5, unfulfillable: 1 });
    w.clock.advance(5_000);
    const placed = w.emu.placeOrder({ lines: [{ sku: 'MUG', quantity: 2 }], marketplaceId: US });

    const first = await w.poll();
    expect(first.failures).toEqual([]);
    const [pending] = orders(first.events);
    expect(pending).toMatchObject({ kind: 'order_created', order: { orderId: placed.orderId, pending: true, cancelled: false, locationId: null } });
    expect(pending!.order.lines).toEqual([{ lineId: placed.items[0]!.orderItemId, quantity: 2, sku: 'MUG', keys: [listingKey('MUG', US)], keyPrefixes: [] }]);
    expect(stock(first.events)).toEqual([{ keys: [listingKey('TEE', UK)], sku: 'TEE', locationId: UK, available: 8, reserved: 0, inbound: 5, unfulfillable: 1, researching: 0 }]);

    w.clock.advance(200_000);
    w.emu.confirmPayment(placed.orderId);
    const afn = w.emu.placeOrder({ lines: [{ sku: 'TEE', quantity: 3 }], marketplaceId: UK, status: 'UNSHIPPED' });
    const second = await w.poll();
    const byId = new Map(orders(second.events).map((e) => [e.order.orderId, e]));
    expect(byId.get(placed.orderId)).toMatchObject({ kind: 'order_created', order: { cancelled: false } });
    expect(byId.get(placed.orderId)!.order.pending).toBeUndefined();
    expect(byId.get(afn.orderId)).toMatchObject({ order: { fulfilledByChannel: true, locationId: UK } });
    // FBA is read on its own schedule (15 min), not at every order poll.
    expect(stock(second.events)).toEqual([]);

    w.clock.advance(900_000);
    w.emu.cancelOrder(placed.orderId);
    const third = await w.poll();
    expect(orders(third.events).find((e) => e.order.orderId === placed.orderId)).toMatchObject({ kind: 'order_cancelled', order: { cancelled: true } });
    // The AFN order moved its units into reserved; the changed-only read reports that.
    expect(stock(third.events)).toEqual([expect.objectContaining({ sku: 'TEE', available: 5, reserved: 3 })]);
    expect(w.invalid).toEqual([]);
    expect(new Set(w.spent)).toEqual(new Set(['searchOrders', 'getInventorySummaries']));
  });

  it('relayed ORDER_CHANGE notifications verify, are valid against the schema, and read as the poll reads the order', async () => {
    const w = start();
    const received: { raw: Buffer; headers: Record<string, string | undefined> }[] = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ raw: Buffer.concat(chunks), headers: req.headers as Record<string, string | undefined> });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    const address = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/channels/ch_1/webhooks`;
    const secret = 'relay-secret';
    w.emu.configureNotifications(address, secret, ['ORDER_CHANGE']);
    w.emu.addListing({ sku: 'MUG', channel: 'MFN', quantity: 10, marketplaceIds: [US] });
    const placed = w.emu.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }], marketplaceId: US });
    w.emu.confirmPayment(placed.orderId);
    await w.emu.flushNotifications();
    expect(received.length).toBeGreaterThanOrEqual(2);
    const schema = loadJsonSchema(ORDER_CHANGE_SCHEMA);
    const settings = { ...w.settings, notification_secret: secret };
    const events: ChannelEvent[] = [];
    for (const d of received) {
      const body = JSON.parse(d.raw.toString('utf8'));
      expect(schema.validate(body)).toEqual([]);
      const v = amazonInbound.webhook!.verify({ raw: d.raw, headers: d.headers, url: address }, settings);
      expect(v.ok).toBe(true);
      if (!v.ok) continue;
      const parsed = amazonInbound.webhook!.parse(v, body);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) events.push(...parsed.events);
      // Signed with another secret: refused.
      expect(amazonInbound.webhook!.verify({ raw: d.raw, headers: d.headers, url: address }, { ...settings, notification_secret: 'other' })).toMatchObject({ ok: false, problem: 'forged' });
    }
    const states = orders(events).map((e) => e.order.pending === true);
    expect(states[0]).toBe(true);
    expect(states.at(-1)).toBe(false);
    // The poll reads the same order, line and state at the same time: applied once.
    w.clock.advance(1_000);
    const polled = orders((await w.poll()).events).find((e) => e.order.orderId === placed.orderId)!;
    const last = orders(events).at(-1)!;
    expect(polled.order).toEqual(last.order);
    expect(polled.occurredAt).toBe(last.occurredAt);
    expect(w.invalid).toEqual([]);
  });
});
