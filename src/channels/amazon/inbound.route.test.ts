// Amazon's inbound side through the product, on SQLite and PostgreSQL: relayed ORDER_CHANGE
// notifications through truestock's one webhook route (a genuine delivery applies, a redelivery
// answers duplicate, forgeries answer 401 — a delivery without the relay's header 400 — and change
// nothing), and the poll scheduler's `pollChannel` against the emulator (a pending order held, then
// allocated, the same order by notification and poll applied once, FBA stock booked).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, unique } from '../../../test/support/http.ts';
import { STORE_KINDS } from '../../../test/support/truestock.ts';
import { AmazonEmulator } from '../../../emulators/amazon/index.ts';
import { inProcessFetch } from '../../../emulators/kit/in-process-fetch.ts';
import { channelById } from '../../store/channel-event-repo.ts';
import { pollChannel } from '../poll-scheduler.ts';
import { amazon } from './kind.ts';
import { RELAY_SIGNATURE_HEADER, relaySignature } from './notifications.ts';

const US = 'ATVPDKIKX0DER';
const SELLER = 'A1SELLER';
const SECRET = 'relay-secret';

const wired = amazon.inbound?.webhook !== undefined;

function envelope(id: string, orderId: string, sku: string, status: string): Json {
  return {
    NotificationVersion: '1.0', NotificationType: 'ORDER_CHANGE', PayloadVersion: '1.0', EventTime: '2026-03-01T12:00:05.120Z',
    Payload: { OrderChangeNotification: {
      NotificationLevel: 'OrderLevel', SellerId: SELLER, AmazonOrderId: orderId, OrderChangeType: 'OrderStatusChange',
      OrderChangeTrigger: { TimeOfOrderChange: '2026-03-01T12:00:04.900Z', ChangeReason: 'status' },
      Summary: { MarketplaceId: US, OrderStatus: status, PurchaseDate: '2026-03-01T11:59:00Z', DestinationPostalCode: '98101', FulfillmentType: 'MFN', OrderType: 'StandardOrder',
        OrderItems: [{ OrderItemId: `${orderId}-1`, SellerSKU: sku, SupplySourceId: null, Quantity: 2 }] },
    } },
    NotificationMetadata: { ApplicationId: 'app', SubscriptionId: 'sub', PublishTime: '2026-03-01T12:00:06Z', NotificationId: id },
  };
}

describe.each(STORE_KINDS)(`relayed Amazon notifications through the webhook route on %s${wired ? '' : ' — not applicable until kind.ts declares inbound: amazonInbound'}`, (kind) => {
  const h = new Harness(kind);
  beforeAll(async () => {
    if (wired) await h.start();
  });
  afterAll(async () => {
    if (wired) await h.stop();
  });

  async function setup() {
    const { sku } = await h.item(10);
    const ch = await h.post('/v1/channels', { kind: 'amazon', name: unique('amazon'), settings: { seller_id: SELLER, notification_secret: SECRET, locations: { [US]: 'WH1' } } }, { key: h.a.keys.admin });
    expect(ch.statusCode, ch.body).toBe(201);
    const channel = ch.json().channel as Json;
    const l = await h.post('/v1/listings', { channel: channel.id, sku, external: { seller_sku: sku, marketplace_id: US } });
    expect(l.statusCode, l.body).toBe(201);
    return { sku, url: `/v1/channels/${String(channel.id)}/webhooks` };
  }

  const send = (url: string, raw: Buffer, headers: Record<string, string> = { [RELAY_SIGNATURE_HEADER]: relaySignature(raw, SECRET) }) =>
    h.inject({ method: 'POST', url, payload: raw, headers: { 'content-type': 'application/json', ...headers } });

  it.skipIf(!wired)('a genuine delivery allocates, its redelivery answers duplicate, forgeries answer 401 and change nothing', async () => {
    const { sku, url } = await setup();
    const raw = Buffer.from(JSON.stringify(envelope(unique('n'), '111-0000001-0000001', sku, 'Unshipped')));
    await h.unchanged(async () => {
      const tampered = Buffer.from(raw.toString('utf8').replace('"Quantity":2', '"Quantity":9'));
      expectProblem(await send(url, tampered, { [RELAY_SIGNATURE_HEADER]: relaySignature(raw, SECRET) }), 'webhook_signature_invalid', null);
      expectProblem(await send(url, raw, { [RELAY_SIGNATURE_HEADER]: relaySignature(raw, 'another-secret') }), 'webhook_signature_invalid', null);
      expectProblem(await send(url, raw, {}), 'webhook_signature_invalid', null);
      const foreign = Buffer.from(raw.toString('utf8').replace(SELLER, 'A2OTHER'));
      expectProblem(await send(url, foreign), 'webhook_signature_invalid', null);
    }, [sku]);
    const first = await send(url, raw);
    expect(first.statusCode, first.body).toBe(200);
    expect(await h.totals(sku)).toMatchObject({ committed: 2 });
    const again = await send(url, raw);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'duplicate' });
    expect(await h.totals(sku)).toMatchObject({ committed: 2 });
  });

  it.skipIf(!wired)('the poll scheduler reads the emulator: a pending order held then allocated, a notification of it applied once, FBA stock booked', async () => {
    const emu = new AmazonEmulator({ clock: h.clock, sellerId: SELLER, marketplaceIds: [US], seed: 3 });
    try {
      const fetch = inProcessFetch(emu.handler, { origin: 'http://amazon.emulated' });
      const { sku } = await h.item(10);
      const fbaSku = (await h.item(0)).sku;
      expect((await h.post('/v1/locations', { code: 'FBA-US', name: 'Amazon US (FBA)', kind: 'channel_managed' }, { key: h.a.keys.admin })).statusCode).toBe(201);
      const ch = await h.post('/v1/channels', {
        kind: 'amazon', name: unique('amazon'),
        settings: {
          seller_id: SELLER, client_id: emu.clientId, client_secret: emu.clientSecret, refresh_token: emu.refreshToken, notification_secret: SECRET,
          endpoint: 'http://amazon.emulated', lwa_url: 'http://amazon.emulated/auth/o2/token',
          locations: { [US]: 'FBA-US' }, fba_marketplace_ids: [US], merchant_locations: ['WH1'],
        },
      }, { key: h.a.keys.admin });
      expect(ch.statusCode, ch.body).toBe(201);
      const channel = ch.json().channel as Json;
      for (const s of [sku, fbaSku]) {
        const l = await h.post('/v1/listings', { channel: channel.id, sku: s, external: { seller_sku: s, marketplace_id: US } });
        expect(l.statusCode, l.body).toBe(201);
      }
      emu.addListing({ sku, channel: 'MFN', quantity: 10 });
      emu.addListing({ sku: fbaSku, channel: 'AFN' });
      emu.setFbaStock(fbaSku, { fulfillable: 6, inboundShipped: 2 });
      const stored = (await h.ts.store.read((db) => channelById(db, String(channel.id))))!;
      h.clock.advance(5_000);
      const order = emu.placeOrder({ lines: [{ sku, quantity: 2 }] });
      const first = await pollChannel(h.ts, stored, { fetch });
      expect(first).toMatchObject({ status: 'ok', events: 2 });
      expect(await h.totals(sku)).toMatchObject({ available: 8, committed: 0 });
      expect(await h.totals(fbaSku)).toMatchObject({ available: 6, incoming: 2 });
      h.clock.advance(180_000);
      emu.confirmPayment(order.orderId);
      expect(await pollChannel(h.ts, stored, { fetch })).toMatchObject({ status: 'ok' });
      expect(await h.totals(sku)).toMatchObject({ available: 8, committed: 2 });
      // The relay brings the same order's confirmation late: applied once already.
      const raw = Buffer.from(JSON.stringify(envelope(unique('n'), order.orderId, sku, 'Unshipped')).replace(`${order.orderId}-1`, order.items[0]!.orderItemId));
      const late = await send(`/v1/channels/${String(channel.id)}/webhooks`, raw);
      expect(late.statusCode, late.body).toBe(200);
      expect(await h.totals(sku)).toMatchObject({ available: 8, committed: 2 });
    } finally {
      await emu.close();
    }
  });
});
