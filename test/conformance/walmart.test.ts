// The conformance kit for Walmart: the kind's connector against the Walmart emulator
// (emulators/walmart), on SQLite and PostgreSQL, reached through the emulator kit's in-process
// fetch, every request truestock sends checked against Walmart's official models and for the
// WM_* headers (walmart.fixture.ts `validatingFetch`).
//
// Pushes go as inventory feeds here (`feed_min_items: 1`), so the kit's asynchronous-submission
// checks run on Walmart's real path for bursts; the emulator processes a feed in a few seconds,
// and `settleSubmissions` moves its clock (a skew over real time) past every feed delay, with the
// emulator's per-SKU failure switch for items the kit wants refused. A skewed clock also ages
// the access token, which the client replaces on Walmart's 401 as it would in production.
//
// Webhooks: an ORDER_UPDATES subscription authenticated by HMAC (the emulator's default base64
// spelling). A customer's cancellation sends no webhook on Walmart (only auto-cancellation does),
// so the adapter cancels as Walmart's auto-cancel, which does. Two checks are unsupported, with
// their reasons below.

import { createHmac, randomUUID } from 'node:crypto';
import { inProcessFetch } from '../../emulators/kit/index.ts';
import { startWalmartEmulator, type WalmartEmulator } from '../../emulators/walmart/index.ts';
import { WALMART_BUDGET_PLANS } from '../../src/channels/walmart/client.ts';
import { validatingFetch } from '../../src/channels/walmart/walmart.fixture.ts';
import { describeChannel, type EmulatedChannel, type EmulatorOptions, type External } from '../support/conformance.ts';

const ORIGIN = 'http://marketplace.walmartapis.emulated';
const SHIP_NODE = '10000000001';
/** A feed is RECEIVED this long, then INPROGRESS this long: the kit sees it processing, then applied within its waits. */
const FEED_RECEIVED_MS = 1_000;
const FEED_PROCESSING_MS = 2_000;
/** Far past every feed delay: all is processed. */
const SETTLE_SKEW_MS = 60_000;
const OUTAGE_ON_SECONDS = 3_600;
const HOOK_SECRET = 'walmart-hook-secret';
/** Operations another app of the seller would spend (single updates and feeds). */
const PUSH_OPERATIONS = ['updateInventoryForAnItem', 'updateBulkInventory'];

async function startWalmartAdapter(options: EmulatorOptions): Promise<EmulatedChannel> {
  let skew = 0;
  const budget = options.budget;
  const emu: WalmartEmulator = await startWalmartEmulator({
    clientId: `conf-${randomUUID()}`,
    clientSecret: `secret-${randomUUID()}`,
    shipNodes: [SHIP_NODE],
    clock: { now: () => Date.now() + skew },
    feedReceivedMs: FEED_RECEIVED_MS,
    feedProcessingMs: FEED_PROCESSING_MS,
    notificationRetry: { attempts: 3, baseDelayMs: 20 },
    ...(budget ? { rateLimits: Object.fromEntries(['tokenAPI', 'getInventory', 'updateInventoryForAnItem', 'updateBulkInventory', 'getFeedItemStatus', 'getAllOrders', 'acknowledgeOrders'].map((op) => [op, { size: budget.size, perMinute: budget.perSecond * 60 }])) } : {}),
  });
  const invalid: string[] = [];
  const viaEmulator = validatingFetch(inProcessFetch(emu.handler, { origin: ORIGIN }), invalid);
  let otherAppThrottled = 0;
  const sku = (e: External) => e.sku!;

  return {
    fetch: viaEmulator,
    settings: (code) => ({
      client_id: emu.clientId,
      client_secret: emu.clientSecret,
      endpoint: ORIGIN,
      ship_node: SHIP_NODE,
      locations: { [SHIP_NODE]: code },
      notification_auth: 'HMAC',
      notification_secret: HOOK_SECRET,
      feed_min_items: 1,
      submission_poll_seconds: 0.25,
      poll_seconds: 1,
      ...(budget ? { rate_limits: Object.fromEntries(Object.keys(WALMART_BUDGET_PLANS).map((b) => [b, { rate: budget.perSecond, burst: budget.size }])) } : {}),
    }),
    addItem(s, level) {
      emu.addSku({ sku: s, quantity: level });
      return { sku: s };
    },
    unknownListing: () => ({ sku: `UNKNOWN-${randomUUID().slice(0, 8)}` }),
    shown(e) {
      try {
        return emu.quantity(sku(e));
      } catch {
        return null;
      }
    },
    subscribe: (url) => void emu.subscribe({ eventUrl: url, eventType: 'ORDER_UPDATES', authDetails: { authMethod: 'HMAC', clientSecret: HOOK_SECRET, authHeaderName: 'Authorization' } }),
    flushWebhooks: () => emu.flushNotifications(),
    placeOrder: (lines) => emu.placeOrder({ lines }).purchaseOrderId,
    cancelOrder: (id) => void emu.autoCancel(id, undefined, true),
    refundWithRestock() {
      throw new Error('the Walmart kind does not read returns (GET /v3/returns)');
    },
    handEdit: (e, level) => void emu.setQuantity(sku(e), level),
    outage: (on) => emu.goDown(on ? OUTAGE_ON_SECONDS : 0.001, '503'),
    faults: (f) => void emu.setNotificationFaults({
      ...(f.drop !== undefined ? { drop: f.drop ? 1 : 0 } : {}),
      ...(f.duplicate !== undefined ? { duplicate: f.duplicate ? 1 : 0 } : {}),
      ...(f.reorder !== undefined ? { reorder: f.reorder ? 1 : 0 } : {}),
    }),
    forge(genuine) {
      const text = genuine.body.toString('utf8');
      const changed = text.replace(/"amount":"(\d+)"/, (_, q: string) => `"amount":"${Number(q) + 5}"`);
      const tampered = Buffer.from(changed === text ? `${text} ` : changed);
      const sign = (body: Buffer, secret: string) => createHmac('sha256', secret).update(body).digest('base64');
      const { authorization: _drop, ...rest } = genuine.headers;
      return [
        { body: tampered, headers: genuine.headers },
        { body: genuine.body, headers: { ...rest, authorization: sign(genuine.body, 'not-the-secret') } },
      ];
    },
    revokeCredentials: (on) => emu.revokeCredentials(on),
    async spendBudget() {
      for (const op of PUSH_OPERATIONS) emu.drainBucket(op);
      otherAppThrottled = 0;
    },
    counters: () => {
      const c = emu.counters();
      return { throttled: c.throttled - otherAppThrottled, calls: c.requests };
    },
    settleSubmissions(fate) {
      const failing = emu.skus().map((s) => s.sku).filter((s) => fate({ sku: s }) === 'rejected');
      for (const s of failing) emu.failSku(s, { type: 'DATA_ERROR', code: 'EMULATED_REFUSAL', description: `the conformance kit refused ${s}` });
      skew += SETTLE_SKEW_MS;
      emu.skus(); // Walmart catches up on every feed due
      for (const s of failing) emu.failSku(s, null);
    },
    async close() {
      await emu.close();
      if (invalid.length > 0) throw new Error(`requests Walmart's models refuse:\n${[...new Set(invalid)].join('\n')}`);
    },
  };
}

describeChannel('walmart', startWalmartAdapter, {
  refundWithRestock: 'the Walmart kind does not read returns (GET /v3/returns, returns.json) yet: a refund with restock cannot reach truestock through it',
  handEdits: 'Walmart sends no webhook when a seller sets a quantity in Seller Center (no inventory event in notifications.json); the reconciler’s read-back sees it',
});
