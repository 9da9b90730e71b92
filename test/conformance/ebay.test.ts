// The conformance kit for eBay: the kind's connector against the eBay emulator (emulators/ebay),
// on SQLite and PostgreSQL, reached through the emulator kit's in-process fetch, every request
// truestock sends checked against eBay's official models (Sell Inventory, Sell Fulfillment,
// Commerce Notification). eBay applies quantity updates at once (no submissions) and has no
// compare-and-set; orders come by ORDER_CONFIRMATION notifications signed with ECDSA (the
// emulator's key, fetched by kid through getPublicKey) and by the order poll.
//
// Subscribing: the adapter creates a destination and an ORDER_CONFIRMATION subscription through
// the emulator's Notification API, as a merchant's setup would. eBay checks the endpoint with a
// challenge GET first; the kit's tap forwards POSTs only, so the emulator's challenge is answered
// by the kind's own `challenge` (notifications.ts) in the emulator's fetch. The route's GET is
// tested on its own (src/channels/ebay/challenge.route.test.ts).
//
// Unsupported, with the reasons: refunds with restock, hand edits, and cancellation webhooks
// (the poll brings a cancellation).

import { generateKeyPairSync, randomInt, randomUUID, sign } from 'node:crypto';
import { inProcessFetch } from '../../emulators/kit/index.ts';
import { createEbayEmulator, type EbayEmulator, TOKEN_PATH } from '../../emulators/ebay/index.ts';
import { validatingFetch } from '../../src/channels/ebay/ebay-api.fixture.ts';
import { answerChallenge } from '../../src/channels/ebay/notifications.ts';
import { describeChannel, type EmulatedChannel, type EmulatorOptions, type External } from '../support/conformance.ts';

const ORIGIN = 'http://api.ebay.emulated';
const OUTAGE_ON_SECONDS = 3_600;
const VERIFICATION_TOKEN = 'truestock-conformance-verification-token-0123456789';
const MERCHANT_LOCATION = 'WH-1';

async function startEbayAdapter(options: EmulatorOptions): Promise<EmulatedChannel> {
  const limits = options.budget ? { rate: options.budget.perSecond, burst: options.budget.size } : undefined;
  const ebay: EbayEmulator = createEbayEmulator({
    // Credentials of its own, so tokens held for an earlier check's emulator are never offered here.
    clientId: `Conformance-${randomUUID().slice(0, 8)}-PRD`,
    // A seed of its own: the signing key's kid comes from it, and a kid names one key (truestock caches keys by kid).
    seed: randomInt(1, 2 ** 31 - 1),
    publicUrl: ORIGIN,
    notificationRetry: { attempts: 3, baseDelayMs: 20 },
    ...(limits ? { limits: { inventory: limits, fulfillment: limits } } : {}),
    // The endpoint challenge answered by the kind; deliveries go to the tap.
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const code = url.searchParams.get('challenge_code');
      if ((init?.method ?? 'GET') === 'GET' && code !== null) {
        const answer = answerChallenge({ challenge_code: code }, `${url.origin}${url.pathname}`, { verification_token: VERIFICATION_TOKEN });
        return new Response(JSON.stringify(answer?.body ?? {}), { status: answer?.status ?? 404, headers: { 'content-type': 'application/json' } });
      }
      return fetch(input, init);
    },
  });
  /** Every request truestock sends, checked against eBay's models; a check fails at close if one was not valid. */
  const invalid: string[] = [];
  const inProcess = inProcessFetch(ebay.handler, { origin: ORIGIN });
  const viaEmulator = validatingFetch(inProcess, invalid);
  let subscribing: Promise<void> = Promise.resolve();

  async function subscribe(endpoint: string): Promise<void> {
    const basic = Buffer.from(`${ebay.clientId}:${ebay.clientSecret}`).toString('base64');
    const tokenRes = await inProcess(`${ORIGIN}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=https%3A%2F%2Fapi.ebay.com%2Foauth%2Fapi_scope',
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const dest = await inProcess(`${ORIGIN}/commerce/notification/v1/destination`, {
      method: 'POST', headers,
      body: JSON.stringify({ name: 'truestock', status: 'ENABLED', deliveryConfig: { endpoint, verificationToken: VERIFICATION_TOKEN } }),
    });
    if (dest.status !== 201) throw new Error(`createDestination: ${dest.status} ${await dest.text()}`);
    const destinationId = dest.headers.get('location')!.split('/').pop()!;
    const sub = await inProcess(`${ORIGIN}/commerce/notification/v1/subscription`, {
      method: 'POST', headers,
      body: JSON.stringify({ topicId: 'ORDER_CONFIRMATION', status: 'ENABLED', destinationId, payload: { format: 'JSON', schemaVersion: '1.0', deliveryProtocol: 'HTTPS' } }),
    });
    if (sub.status !== 201) throw new Error(`createSubscription: ${sub.status} ${await sub.text()}`);
  }

  const skuOf = (e: External) => e.sku!;
  return {
    fetch: viaEmulator,
    settings: (code) => ({
      client_id: ebay.clientId,
      client_secret: ebay.clientSecret,
      refresh_token: ebay.refreshToken,
      marketplace_id: 'EBAY_US',
      endpoint: ORIGIN,
      auth_url: `${ORIGIN}${TOKEN_PATH}`,
      verification_token: VERIFICATION_TOKEN,
      locations: { [MERCHANT_LOCATION]: code },
      // A token short of the emulator's burst: calls are counted when they arrive.
      ...(limits ? { bucket_size: limits.burst - 1, restore_rate: limits.rate } : {}),
    }),
    addItem(sku, level) {
      ebay.addListing({ sku, quantity: level });
      return { sku };
    },
    unknownListing: () => ({ sku: `UNKNOWN-${randomUUID().slice(0, 8)}` }),
    shown(e) {
      try {
        return ebay.quantity(skuOf(e));
      } catch {
        return null;
      }
    },
    subscribe(url) {
      subscribing = subscribe(url);
      subscribing.catch(() => {}); // reported by flushWebhooks
    },
    async flushWebhooks() {
      await subscribing;
      await ebay.flushNotifications();
    },
    placeOrder: (lines) => ebay.placeOrder({ lines }).orderId,
    cancelOrder: (id) => void ebay.completeCancellation(id),
    refundWithRestock() {
      throw new Error('eBay reports refunds without saying whether units came back (see the reasons below)');
    },
    handEdit: (e, level) => void ebay.setQuantity(skuOf(e), level),
    outage: (on) => ebay.goDown(on ? OUTAGE_ON_SECONDS : 0.001, '503'),
    faults: (f) => void ebay.setNotificationFaults({
      ...(f.drop !== undefined ? { drop: f.drop ? 1 : 0 } : {}),
      ...(f.duplicate !== undefined ? { duplicate: f.duplicate ? 1 : 0 } : {}),
      ...(f.reorder !== undefined ? { reorder: f.reorder ? 1 : 0 } : {}),
    }),
    forge(genuine) {
      const text = genuine.body.toString('utf8');
      const body = JSON.parse(text) as { notification: { data: { orderId: string } } };
      const header = JSON.parse(Buffer.from(genuine.headers['x-ebay-signature']!, 'base64').toString('utf8')) as Record<string, string>;
      const resign = (h: Record<string, string>) => ({ ...genuine.headers, 'x-ebay-signature': Buffer.from(JSON.stringify(h)).toString('base64') });
      // The same notification about another order, under the genuine signature.
      const tampered = JSON.stringify({ ...body, notification: { ...body.notification, data: { ...body.notification.data, orderId: `${body.notification.data.orderId}9` } } });
      // Signed as eBay signs, with a key that is not eBay's.
      const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
      const otherSignature = sign('sha1', Buffer.from(JSON.stringify(body)), other).toString('base64');
      return [
        { body: Buffer.from(tampered), headers: genuine.headers },
        { body: genuine.body, headers: resign({ ...header, signature: otherSignature }) },
        { body: genuine.body, headers: resign({ ...header, kid: 'not-a-key-of-ebay' }) },
      ];
    },
    revokeCredentials(revoked) {
      // The seller revoked the app: the refresh token is refused and live access tokens die.
      ebay.revokeRefreshToken(revoked);
      if (revoked) ebay.expireTokens();
    },
    async spendBudget() {
      // Another application of the same seller spends the Inventory API's bucket.
      ebay.drainBucket('inventory');
    },
    counters: () => {
      const c = ebay.counters();
      return { throttled: c.throttled, calls: c.requests };
    },
    async close() {
      await ebay.close();
      if (invalid.length > 0) throw new Error(`requests eBay's models refuse:\n${[...new Set(invalid)].join('\n')}`);
    },
  };
}

describeChannel('ebay', startEbayAdapter, {
  refundWithRestock: 'eBay’s Fulfillment API reports refunds (lineItems[].refunds) without saying whether the units came back, and returns live in the Post-Order API, whose parameters are not in the models (channels.md §4)',
  handEdits: 'eBay sends no notification for a quantity the seller sets in Seller Hub (ORDER_CONFIRMATION is the order topic truestock subscribes to); the reconciler’s read-back (bulk_get_inventory_item) sees it',
  cancellationWebhooks: 'eBay has no notification topic for a cancelled order: the order poll reads it from the order’s cancelStatus',
});
