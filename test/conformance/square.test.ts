// The conformance kit for Square (the store's POS): the kind's connector against the Square
// emulator (emulators/square), on SQLite and PostgreSQL, reached through the emulator kit's
// in-process fetch, every inventory request truestock sends checked against Square's official
// model. Square applies counts at once (no submissions); sales, returns and counts arrive as
// signed webhooks, an order event names the order only (truestock reads the order from the
// emulator through the same fetch), and a SearchOrders poll catches what a dropped event missed.
//
// Square signs the notification URL it was given. The kit's tap gets its address only once the
// channel exists, so the adapter puts a small forwarder of its own in front: its address is the
// channel's `notification_url` from the start, and it hands each delivery on, unchanged, to
// wherever the kit subscribed.
//
// Unsupported, with the reason: cancelling an order (a POS sale is final at the till; a return,
// checked under refunds, undoes it).

import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inProcessFetch } from '../../emulators/kit/index.ts';
import { unitsOf } from '../../emulators/square/decimal.ts';
import { createSquareEmulator, type SquareEmulator } from '../../emulators/square/index.ts';
import { validatingFetch } from '../../src/channels/square/square.fixture.ts';
import { describeChannel, type EmulatedChannel, type EmulatorOptions, type External } from '../support/conformance.ts';

const ORIGIN = 'http://connect.squareup.emulated';
const LOC = 'LSTORE000001';
const KEY = 'conformance-signature-key';
const OUTAGE_ON_SECONDS = 3_600;

/** A forwarder at a fixed address: what Square is told to notify, passing each delivery on to `target`. */
async function forwarder(): Promise<{ url: string; target: string | null; close(): Promise<void> }> {
  const state = { url: '', target: null as string | null, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!state.target) return void res.writeHead(503).end();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
      fetch(state.target, { method: 'POST', headers, body: Buffer.concat(chunks) }).then(
        async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()),
        (err: unknown) => res.writeHead(502).end(String(err)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/square-notifications`;
  state.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return state;
}

async function startSquareAdapter(options: EmulatorOptions): Promise<EmulatedChannel> {
  const square: SquareEmulator = createSquareEmulator({
    merchantId: `MLCONF${randomUUID().slice(0, 8).toUpperCase()}`,
    // A 503 while truestock is busy is retried within a second, not Square's minute.
    webhookRetry: { baseDelayMs: 20, windowMs: 1_000 },
    ...(options.budget ? { rateLimit: { burst: options.budget.size, ratePerSecond: options.budget.perSecond } } : {}),
  });
  const front = await forwarder();
  const token = square.accessToken;
  /** Every request truestock sends, checked against Square's official model; a check fails at close if one was not valid. */
  const invalid: string[] = [];
  const viaEmulator = validatingFetch(inProcessFetch(square.handler, { origin: ORIGIN }), invalid);
  const objects = new Map<string, string>();
  const objectOf = (sku: string) => objects.get(sku) ?? (() => { throw new Error(`no catalog object for ${sku}`); })();
  let otherAppThrottled = 0;
  const throttled = () => square.counters().throttled;

  return {
    fetch: viaEmulator,
    settings: (code) => ({
      access_token: token,
      endpoint: ORIGIN,
      square_version: '2026-05-20',
      signature_key: KEY,
      notification_url: front.url,
      merchant_id: square.merchantId,
      locations: { [LOC]: code },
      ...(options.budget ? { bucket_size: options.budget.size, refill_per_second: options.budget.perSecond } : {}),
    }),
    addItem(sku, level) {
      const id = `OBJ${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
      square.addCatalogObject({ id, name: sku, sku });
      objects.set(sku, id);
      square.handCount({ catalogObjectId: id, locationId: LOC, quantity: unitsOf(level) });
      return { catalog_object_id: id };
    },
    unknownListing: () => ({ catalog_object_id: `OBJUNKNOWN${randomUUID().slice(0, 8).toUpperCase()}` }),
    shown(e: External) {
      try {
        return Number(square.quantity(e.catalog_object_id!, LOC));
      } catch {
        return null;
      }
    },
    subscribe(url) {
      front.target = url;
      square.subscribe({ notificationUrl: front.url, signatureKey: KEY });
    },
    flushWebhooks: () => square.flushWebhooks(),
    placeOrder: (lines) => String(square.posSale({ locationId: LOC, lines: lines.map((l) => ({ catalogObjectId: objectOf(l.sku), quantity: unitsOf(l.quantity) })) }).id),
    cancelOrder() {
      throw new Error('a POS sale cannot be cancelled: a return undoes it');
    },
    refundWithRestock: (orderId, lines) => void square.posReturn({ orderId, lines: lines.map((l) => ({ catalogObjectId: objectOf(l.sku), quantity: unitsOf(l.quantity) })), restock: true }),
    handEdit: (e, level) => void square.handCount({ catalogObjectId: e.catalog_object_id!, locationId: LOC, quantity: unitsOf(level) }),
    outage: (on) => square.goDown(on ? OUTAGE_ON_SECONDS : 0.001, '503'),
    faults: (f) => void square.setWebhookFaults({
      ...(f.drop !== undefined ? { drop: f.drop ? 1 : 0 } : {}),
      ...(f.duplicate !== undefined ? { duplicate: f.duplicate ? 1 : 0 } : {}),
      ...(f.reorder !== undefined ? { reorder: f.reorder ? 1 : 0 } : {}),
    }),
    forge(genuine) {
      const text = genuine.body.toString('utf8');
      const sign = (body: Buffer, url: string, key: string) => createHmac('sha256', key).update(Buffer.concat([Buffer.from(url), body])).digest('base64');
      const header = 'x-square-hmacsha256-signature';
      const changed = text.replace(/"quantity":"(\d+)/, (_, q: string) => `"quantity":"${Number(q) + 5}`);
      const tampered = Buffer.from(changed === text ? `${text} ` : changed);
      const foreign = Buffer.from(text.replace(square.merchantId, 'MLANOTHERMERCHANT'));
      return [
        { body: tampered, headers: genuine.headers },
        { body: genuine.body, headers: { ...genuine.headers, [header]: sign(genuine.body, front.url, 'not-the-key') } },
        { body: genuine.body, headers: { ...genuine.headers, [header]: sign(genuine.body, 'https://elsewhere.example/hook', KEY) } },
        // Another merchant's event, correctly signed with this subscription's key.
        { body: foreign, headers: { ...genuine.headers, [header]: sign(foreign, front.url, KEY) } },
      ];
    },
    revokeCredentials: (revoked) => square.setAccessToken(revoked ? `revoked-${randomUUID()}` : token),
    async spendBudget() {
      // Another application of the same seller spends the bucket.
      square.drainBucket();
      otherAppThrottled = throttled();
    },
    counters: () => ({ throttled: throttled() - otherAppThrottled, calls: square.counters().requests }),
    async close() {
      await square.close();
      await front.close();
      if (invalid.length > 0) throw new Error(`requests Square's model refuses:\n${[...new Set(invalid)].join('\n')}`);
    },
  };
}

describeChannel('square', startSquareAdapter, {
  cancelOrders: 'a POS sale is final at the till: Square has no cancellation of a completed order, a return undoes it (the refund-with-restock check)',
});
