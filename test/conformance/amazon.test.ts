// The conformance kit for Amazon: the kind's connector against the Amazon emulator
// (emulators/amazon), on SQLite and PostgreSQL, reached through the emulator kit's in-process
// fetch, every request truestock sends checked against Amazon's official models. Amazon applies listing changes later, so this is the kit's first kind whose pushes are
// asynchronous submissions: ACCEPTED patches followed by read-backs until the number shows.
//
// The emulator runs on a clock that follows real time plus a skew: `settleSubmissions` moves the
// skew past every processing delay, so Amazon finishes what it was processing at once (each
// listing applied, or refused through the emulator's per-SKU failure switch), without the kit
// waiting out minutes of Amazon's processing.
//
// Inbound: orders polled, and the emulator's relay of ORDER_CHANGE and
// LISTINGS_ITEM_MFN_QUANTITY_CHANGE notifications to the channel's webhook route. A hand edit in
// Seller Central (`handEdit`: the emulator's setQuantity) reaches truestock as a quantity change,
// and so do orders and our own applied patches (their echoes). One check stays unsupported, with
// its reason: refunds with restock (no MFN returns API in Amazon's models, channels.md §2).

import { createHmac, randomUUID } from 'node:crypto';
import { inProcessFetch } from '../../emulators/kit/index.ts';
import { type AmazonEmulator, startAmazonEmulator } from '../../emulators/amazon/index.ts';
import { validatingFetch } from '../../src/channels/amazon/sp-api.fixture.ts';
import { SP_API_USAGE_PLANS } from '../../src/channels/amazon/sp-api.ts';
import { describeChannel, type EmulatedChannel, type EmulatorOptions, type External } from '../support/conformance.ts';

const ORIGIN = 'http://sellingpartnerapi-na.emulated';
const MARKETPLACE = 'ATVPDKIKX0DER';
/** How long an ACCEPTED patch takes to apply here (Amazon: minutes; the kit converges within 15 s, and its asynchronous check must see submissions before they apply by themselves). */
const LISTING_PROCESSING_MS = 3_000;
/** Far enough past every processing delay (patches, a feed's queue and processing) that all is done. */
const SETTLE_SKEW_MS = 120_000;
const OUTAGE_ON_SECONDS = 3_600;
const RELAY_SECRET = 'relay-secret';

async function startAmazonAdapter(options: EmulatorOptions): Promise<EmulatedChannel> {
  let skew = 0;
  const plans = options.budget
    ? Object.fromEntries(Object.keys(SP_API_USAGE_PLANS).map((op) => [op, { rate: options.budget!.perSecond, burst: options.budget!.size }]))
    : undefined;
  const amazon: AmazonEmulator = await startAmazonEmulator({
    sellerId: `A1CONF${randomUUID().slice(0, 8).toUpperCase()}`,
    clock: { now: () => Date.now() + skew },
    listingProcessingMs: LISTING_PROCESSING_MS,
    publicUrl: ORIGIN,
    notificationRetry: { attempts: 3, baseDelayMs: 20 },
    ...(plans ? { usagePlans: plans } : {}),
  });
  /** Every request truestock sends, checked against Amazon's official models; a check fails at close if one was not valid. */
  const invalid: string[] = [];
  const viaEmulator = validatingFetch(inProcessFetch(amazon.handler, { origin: ORIGIN }), invalid);
  let otherAppThrottled = 0;

  const skuOf = (e: External) => e.seller_sku!;
  return {
    fetch: viaEmulator,
    settings: (code) => ({
      seller_id: amazon.sellerId,
      client_id: amazon.clientId,
      client_secret: amazon.clientSecret,
      refresh_token: amazon.refreshToken,
      endpoint: ORIGIN,
      lwa_url: `${ORIGIN}/auth/o2/token`,
      notification_secret: RELAY_SECRET,
      locations: { [MARKETPLACE]: code },
      // Submissions are looked at often: the emulator applies patches within a second.
      submission_poll_seconds: 0.25,
      ...(plans ? { rate_limits: plans } : {}),
    }),
    addItem(sku, level) {
      amazon.addListing({ sku, quantity: level });
      return { seller_sku: sku, marketplace_id: MARKETPLACE };
    },
    unknownListing: () => ({ seller_sku: `UNKNOWN-${randomUUID().slice(0, 8)}`, marketplace_id: MARKETPLACE }),
    shown(e) {
      try {
        return amazon.quantity(skuOf(e));
      } catch {
        return null;
      }
    },
    subscribe: (url) => amazon.configureNotifications(url, RELAY_SECRET),
    flushWebhooks: () => amazon.flushNotifications(),
    placeOrder: (lines) => amazon.placeOrder({ lines, status: 'UNSHIPPED' }).orderId,
    cancelOrder: (id) => void amazon.cancelOrder(id),
    refundWithRestock() {
      throw new Error('Amazon models no merchant-fulfilled returns API (channels.md §2): no refund with restock to emulate');
    },
    handEdit: (e, level) => void amazon.setQuantity(skuOf(e), level),
    outage: (on) => amazon.goDown(on ? OUTAGE_ON_SECONDS : 0.001, '503'),
    faults: (f) => void amazon.setNotificationFaults({
      ...(f.drop !== undefined ? { drop: f.drop ? 1 : 0 } : {}),
      ...(f.duplicate !== undefined ? { duplicate: f.duplicate ? 1 : 0 } : {}),
      ...(f.reorder !== undefined ? { reorder: f.reorder ? 1 : 0 } : {}),
    }),
    forge(genuine) {
      const text = genuine.body.toString('utf8');
      const changed = text.replace(/"Quantity":(\d+)/, (_, q: string) => `"Quantity":${Number(q) + 5}`);
      const tampered = Buffer.from(changed === text ? `${text} ` : changed);
      const sign = (body: Buffer, secret: string) => createHmac('sha256', secret).update(body).digest('base64');
      return [
        { body: tampered, headers: genuine.headers },
        { body: genuine.body, headers: { ...genuine.headers, 'x-truestock-relay-signature': sign(genuine.body, 'not-the-secret') } },
      ];
    },
    revokeCredentials(revoked) {
      // The merchant revoked the app: the refresh token is refused and live access tokens die.
      amazon.revokeRefreshToken(revoked);
      if (revoked) amazon.expireTokens();
    },
    async spendBudget() {
      // Another application of the same seller spends the patch budget.
      amazon.drainBucket('patchListingsItem');
      otherAppThrottled = 0;
    },
    counters: () => {
      const c = amazon.counters();
      return { throttled: c.throttled - otherAppThrottled, calls: c.requests };
    },
    settleSubmissions(fate) {
      const failing = amazon.listingsState().map((l) => String(l.sku)).filter((sku) => fate({ seller_sku: sku, marketplace_id: MARKETPLACE }) === 'rejected');
      for (const sku of failing) amazon.failSku(sku, { code: 'EMULATED_REFUSAL', message: `the conformance kit refused ${sku}` });
      skew += SETTLE_SKEW_MS;
      amazon.listingsState(); // Amazon catches up on everything due
      for (const sku of failing) amazon.failSku(sku, null);
    },
    async close() {
      await amazon.close();
      if (invalid.length > 0) throw new Error(`requests Amazon's models refuse:\n${[...new Set(invalid)].join('\n')}`);
    },
  };
}

describeChannel('amazon', startAmazonAdapter, {
  refundWithRestock: 'Amazon’s models have no merchant-fulfilled returns API (channels.md §2): a refund cannot restock through the channel',
});
