import { WebhooksHelper } from 'square';
import { afterEach, describe, expect, it } from 'vitest';
import { eventModel, expectValidCountEvent, type Harness, harness, LOCATION, receiver } from './test-support.ts';
import { attemptsWithin, DAY_MS, SIGNATURE_HEADER } from './webhooks.ts';

const URL_ = 'https://truestock.example/hooks/square';
const KEY = 'whsec-square-emulated';
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function sell(x: Harness) {
  return (await x.control('POST', '/_emulator/pos/sales', { location_id: LOCATION, catalog_object_id: 'VAR1', quantity: 1 })).body.order;
}

describe('webhook signatures', () => {
  it("verify with the SDK's WebhooksHelper; a tampered body, another URL or another key do not", async () => {
    const rx = receiver();
    h = await harness({ webhookFetch: rx.fetch });
    await h.control('POST', '/_emulator/webhooks', { notification_url: URL_, signature_key: KEY, event_types: ['inventory.count.updated'] });
    await h.seed('VAR1', 5);
    await h.square.flushWebhooks();
    const d = rx.deliveries[0]!;
    expect(d.url).toBe(URL_);
    expect(d.headers['square-environment']).toBe('Production');
    const event = JSON.parse(d.body);
    expectValidCountEvent(event);
    // The event schema bites: a number where the model wants a decimal string is refused.
    const broken = { ...event, data: { ...event.data, object: { inventory_counts: [{ ...event.data.object.inventory_counts[0], quantity: 5 }] } } };
    expect(eventModel().validateRequest({ method: 'POST', url: '/webhooks/inventory.count.updated', body: broken }).errors).not.toEqual([]);
    const signatureHeader = d.headers[SIGNATURE_HEADER]!;
    expect(await WebhooksHelper.verifySignature({ requestBody: d.body, signatureHeader, signatureKey: KEY, notificationUrl: URL_ })).toBe(true);
    const tampered = d.body.replace('"quantity":"5"', '"quantity":"50"');
    expect(tampered).not.toBe(d.body);
    expect(await WebhooksHelper.verifySignature({ requestBody: tampered, signatureHeader, signatureKey: KEY, notificationUrl: URL_ })).toBe(false);
    expect(await WebhooksHelper.verifySignature({ requestBody: d.body, signatureHeader, signatureKey: KEY, notificationUrl: `${URL_}/other` })).toBe(false);
    expect(await WebhooksHelper.verifySignature({ requestBody: d.body, signatureHeader, signatureKey: 'other', notificationUrl: URL_ })).toBe(false);
  });

  it('sends each subscription only its event types, signed with its own key, the same event_id to both', async () => {
    const rx = receiver();
    h = await harness({ webhookFetch: rx.fetch });
    await h.control('POST', '/_emulator/webhooks', { notification_url: 'https://a.example/h', signature_key: 'ka', event_types: ['inventory.count.updated'] });
    await h.control('POST', '/_emulator/webhooks', { notification_url: 'https://b.example/h', signature_key: 'kb' });
    await h.seed('VAR1', 5);
    await sell(h);
    await h.square.flushWebhooks();
    const a = rx.deliveries.filter((d) => d.url.startsWith('https://a.'));
    const b = rx.deliveries.filter((d) => d.url.startsWith('https://b.'));
    expect(a.map((d) => JSON.parse(d.body).type)).toEqual(['inventory.count.updated', 'inventory.count.updated']);
    expect(b.map((d) => JSON.parse(d.body).type).sort()).toEqual(['inventory.count.updated', 'inventory.count.updated', 'order.created', 'order.updated']);
    for (const d of b) expect(await WebhooksHelper.verifySignature({ requestBody: d.body, signatureHeader: d.headers[SIGNATURE_HEADER]!, signatureKey: 'kb', notificationUrl: 'https://b.example/h' })).toBe(true);
    expect(new Set(a.map((d) => JSON.parse(d.body).event_id))).toEqual(new Set(b.filter((d) => JSON.parse(d.body).type === 'inventory.count.updated').map((d) => JSON.parse(d.body).event_id)));
  });

  it('refuses a subscription without a URL or key, or with an unknown event type, as a problem', async () => {
    h = await harness();
    for (const body of [{ notification_url: 'ftp://x', signature_key: 'k' }, { notification_url: URL_ }, { notification_url: URL_, signature_key: 'k', event_types: ['payment.created'] }]) {
      const a = await h.control('POST', '/_emulator/webhooks', body);
      expect(a.status).toBe(400);
      expect(a.body.code).toBe('invalid_input');
    }
  });
});

describe('webhook delivery', () => {
  it('retries a failing receiver with doubling pauses and the same event_id, within the configured window', async () => {
    const rx = receiver((_d, n) => (n <= 3 ? 500 : 200));
    h = await harness({ webhookFetch: rx.fetch, webhookRetry: { baseDelayMs: 60_000, windowMs: DAY_MS } });
    await h.control('POST', '/_emulator/webhooks', { notification_url: URL_, signature_key: KEY, event_types: ['inventory.count.updated'] });
    await h.seed('VAR1', 5);
    await h.scheduler.advance(0);
    expect(rx.deliveries).toHaveLength(1);
    await h.scheduler.advance(60_000);
    expect(rx.deliveries).toHaveLength(2);
    await h.scheduler.advance(120_000);
    expect(rx.deliveries).toHaveLength(3);
    await h.scheduler.advance(240_000);
    expect(rx.deliveries).toHaveLength(4);
    expect(new Set(rx.deliveries.map((d) => JSON.parse(d.body).event_id)).size).toBe(1);
    await h.square.flushWebhooks();
    expect(h.square.counters()).toMatchObject({ webhooksSent: 1, webhookAttempts: 4, webhooksFailed: 0 });
  });

  it('gives up after the last attempt inside the window (24 h default; 72 h when configured)', async () => {
    expect(attemptsWithin({ baseDelayMs: 60_000, windowMs: DAY_MS })).toBe(11);
    expect(attemptsWithin({ baseDelayMs: 60_000, windowMs: 3 * DAY_MS })).toBe(13);
    const rx = receiver(() => 503);
    h = await harness({ webhookFetch: rx.fetch });
    await h.control('POST', '/_emulator/webhooks', { notification_url: URL_, signature_key: KEY, event_types: ['inventory.count.updated'] });
    await h.seed('VAR1', 5);
    await h.scheduler.advance(DAY_MS);
    await h.square.flushWebhooks();
    expect(rx.deliveries).toHaveLength(11);
    expect(h.square.counters().webhooksFailed).toBe(1);
    expect((await h.control('POST', '/_emulator/webhooks/retry', { base_delay_ms: 60_000, window_ms: 3 * DAY_MS })).body).toEqual({ base_delay_ms: 60_000, window_ms: 3 * DAY_MS });
  });

  it('duplicates a delivery under the fault switch with the same event_id (the receiver dedupes on it)', async () => {
    const rx = receiver();
    h = await harness({ webhookFetch: rx.fetch });
    await h.control('POST', '/_emulator/webhooks', { notification_url: URL_, signature_key: KEY, event_types: ['inventory.count.updated'] });
    expect((await h.control('POST', '/_emulator/webhooks/faults', { duplicate: 1 })).body).toMatchObject({ duplicate: 1 });
    await h.seed('VAR1', 5);
    await h.square.flushWebhooks();
    expect(rx.deliveries).toHaveLength(2);
    expect(rx.deliveries[0]!.body).toBe(rx.deliveries[1]!.body);
    expect(h.square.counters().webhooksDuplicated).toBe(1);
    expect((await h.control('POST', '/_emulator/webhooks/faults', { drop: 2 })).status).toBe(400);
  });
});
