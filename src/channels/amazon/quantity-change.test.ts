import { afterEach, describe, expect, it } from 'vitest';
import { AmazonEmulator } from '../../../emulators/amazon/index.ts';
import { ManualClock } from '../../app/clock.ts';
import { loadJsonSchema } from '../../../test/support/spec-validator.ts';
import type { Delivery, Verified } from '../kind.ts';
import { amazonMapping } from './inbound.ts';
import { amazonNotifications, parseNotification, RELAY_SIGNATURE_HEADER, relaySignature, verifyRelayedNotification } from './notifications.ts';
import { listingKey } from './order-facts.ts';
import { MFN_QUANTITY_CHANGE_SCHEMA, SELLER } from './poll.fixture.ts';
import { knownMarketplaces, MFN_QUANTITY_CHANGE } from './quantity-change.ts';

const US = 'ATVPDKIKX0DER';
const CA = 'A2EUQ1WTGCTBG2';
const UK = 'A1F83G8C2ARO7P';
const SECRET = 'relay-secret';
const SETTINGS = { seller_id: SELLER, notification_secret: SECRET, locations: { [US]: 'WH1' } };
const schema = loadJsonSchema(MFN_QUANTITY_CHANGE_SCHEMA);

function envelope(over: { id?: string; seller?: string; sku?: string; quantity?: unknown; code?: string; at?: string } = {}) {
  return {
    NotificationVersion: '1.0',
    NotificationType: MFN_QUANTITY_CHANGE,
    PayloadVersion: '1.0',
    EventTime: over.at ?? '2026-03-01T12:00:05.194Z',
    Payload: { SellerId: over.seller ?? SELLER, FulfillmentChannelCode: over.code ?? 'DEFAULT', Sku: over.sku ?? 'SKU-1', Quantity: over.quantity ?? 7 },
    NotificationMetadata: { ApplicationId: 'amzn1.sellerapps.app.x', SubscriptionId: 'sub-2', PublishTime: '2026-03-01T12:00:06.000Z', NotificationId: over.id ?? 'q-0001' },
  };
}

function delivery(body: unknown, secret = SECRET, raw = Buffer.from(JSON.stringify(body))): Delivery {
  return { raw, headers: { [RELAY_SIGNATURE_HEADER]: relaySignature(raw, secret) }, url: 'http://truestock.test/v1/channels/ch_1/webhooks' };
}

function verified(body: unknown, settings: Record<string, unknown> = SETTINGS): Verified {
  const v = verifyRelayedNotification(delivery(body), settings);
  if (!v.ok) throw new Error(v.detail);
  return v;
}

describe('relayed LISTINGS_ITEM_MFN_QUANTITY_CHANGE: verify', () => {
  it('a genuine delivery: the NotificationId is the delivery id, the type the topic, no other event id', () => {
    const body = envelope();
    expect(schema.validate(body)).toEqual([]);
    expect(verifyRelayedNotification(delivery(body), SETTINGS)).toEqual({ ok: true, deliveryId: 'q-0001', topic: MFN_QUANTITY_CHANGE, eventId: null, sentAt: Date.parse('2026-03-01T12:00:06.000Z') });
  });

  it('refuses another seller’s, a changed body, another secret', () => {
    const other = envelope({ seller: 'A2OTHER' });
    expect(schema.validate(other)).toEqual([]);
    expect(verifyRelayedNotification(delivery(other), SETTINGS)).toMatchObject({ ok: false, problem: 'forged', field: 'Payload.SellerId' });
    const genuine = delivery(envelope());
    expect(verifyRelayedNotification({ ...genuine, raw: Buffer.from(JSON.stringify(envelope({ quantity: 70 }))) }, SETTINGS)).toMatchObject({ ok: false, problem: 'forged' });
    expect(verifyRelayedNotification(delivery(envelope(), 'another-secret'), SETTINGS)).toMatchObject({ ok: false, problem: 'forged' });
  });
});

describe('relayed LISTINGS_ITEM_MFN_QUANTITY_CHANGE: parse', () => {
  it('is the level of the SKU’s listing, at the merchant-fulfilled location, at its EventTime in milliseconds, its event id the NotificationId', () => {
    const body = envelope();
    expect(parseNotification(verified(body), body, SETTINGS)).toEqual({
      ok: true,
      events: [{ kind: 'level_updated', occurredAt: Date.parse('2026-03-01T12:00:05.194Z'), eventId: 'q-0001', level: { keys: [listingKey('SKU-1', US)], locationId: 'DEFAULT', available: 7 } }],
    });
    const zero = envelope({ quantity: 0 });
    expect(parseNotification(verified(zero), zero, SETTINGS)).toMatchObject({ ok: true, events: [{ level: { available: 0 } }] });
  });

  it('names the SKU on every marketplace the channel knows, merchant-fulfilled ones first, in one event', () => {
    const settings = { ...SETTINGS, locations: { [US]: 'FBA-US', [CA]: 'WH-CA' }, fba_marketplace_ids: [US, UK] };
    expect(knownMarketplaces(settings)).toEqual([CA, US, UK]);
    const body = envelope();
    const parsed = parseNotification(verified(body, settings), body, settings);
    expect(parsed).toMatchObject({ ok: true, events: [{ level: { keys: [listingKey('SKU-1', CA), listingKey('SKU-1', US), listingKey('SKU-1', UK)] } }] });
    expect(knownMarketplaces({})).toEqual([]);
    expect(parseNotification(verified(body), body, { seller_id: SELLER })).toMatchObject({ ok: false, ignored: expect.stringContaining('name no marketplace') });
  });

  it('the merchant-fulfilled code maps to the first merchant location, never an FBA one', () => {
    expect(amazonMapping({ locations: { [US]: 'FBA-US', [CA]: 'WH-CA' }, fba_marketplace_ids: [US] }).locationCode('DEFAULT')).toBe('WH-CA');
    expect(amazonMapping({ locations: { [US]: 'FBA-US' }, fba_marketplace_ids: [US], merchant_locations: ['WH1'] }).locationCode('DEFAULT')).toBe('WH1');
    expect(amazonMapping({ locations: { [US]: 'FBA-US' }, fba_marketplace_ids: [US] }).locationCode('DEFAULT')).toBeUndefined();
  });

  it('ignores another fulfillment channel’s quantity, and says why an unreadable one is ignored', () => {
    const regional = envelope({ code: 'REGIONAL_FULFILLMENT' });
    expect(parseNotification(verified(regional), regional, SETTINGS)).toMatchObject({ ok: false, ignored: expect.stringContaining('REGIONAL_FULFILLMENT') });
    for (const [body, why] of [[envelope({ quantity: -1 }), 'Quantity'], [envelope({ quantity: 2.5 }), 'Quantity'], [envelope({ sku: '' }), 'Sku'], [envelope({ at: 'yesterday' }), 'date-time']] as const) {
      const parsed = parseNotification(verified(body), body, SETTINGS);
      if (why !== 'date-time') expect(parsed).toMatchObject({ ok: false, ignored: expect.stringMatching(new RegExp(`^unreadable.*${why}`)) });
      // A bad EventTime falls back to PublishTime.
      else expect(parsed).toMatchObject({ ok: true, events: [{ occurredAt: Date.parse('2026-03-01T12:00:06.000Z') }] });
    }
  });

  it('the route parses with the channel’s settings', async () => {
    const body = envelope();
    const env = { clock: new ManualClock(0), fetch, settings: SETTINGS };
    expect(await amazonNotifications.parseWith!(verified(body), body, env)).toEqual(parseNotification(verified(body), body, SETTINGS));
  });
});

describe('the emulator’s relayed quantity changes read back', () => {
  let emu: AmazonEmulator | null = null;
  afterEach(async () => {
    await emu?.close();
    emu = null;
  });

  it('a hand edit, an order and a cancellation arrive as levels in the order they happened', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 5, 9, 0, 0));
    const got: Buffer[] = [];
    const relay: typeof fetch = async (_url, init) => {
      got.push(Buffer.from(String(init?.body)));
      return new Response(null, { status: 200 });
    };
    emu = new AmazonEmulator({ clock, sellerId: SELLER, marketplaceIds: [US], seed: 5 });
    const original = globalThis.fetch;
    globalThis.fetch = relay;
    try {
      emu.configureNotifications('http://truestock.test/v1/channels/ch_1/webhooks', SECRET, ['LISTINGS_ITEM_MFN_QUANTITY_CHANGE']);
      emu.addListing({ sku: 'SKU-1', quantity: 10 });
      emu.setQuantity('SKU-1', 8);
      const order = emu.placeOrder({ lines: [{ sku: 'SKU-1', quantity: 3 }] });
      emu.cancelOrder(order.orderId);
      await emu.flushNotifications();
    } finally {
      globalThis.fetch = original;
    }
    const events = got.map((raw) => {
      const body = JSON.parse(raw.toString('utf8'));
      expect(schema.validate(body)).toEqual([]);
      const v = verifyRelayedNotification({ raw, headers: { [RELAY_SIGNATURE_HEADER]: relaySignature(raw, SECRET) }, url: '' }, SETTINGS);
      if (!v.ok) throw new Error(v.detail);
      const parsed = parseNotification(v, body, SETTINGS);
      if (!parsed.ok) throw new Error(parsed.ignored);
      return parsed.events[0] as { occurredAt: number; level: { available: number } };
    }).sort((a, b) => a.occurredAt - b.occurredAt);
    expect(events.map((e) => e.level.available)).toEqual([8, 5, 8]);
    expect(new Set(events.map((e) => e.occurredAt)).size).toBe(3);
  });
});
