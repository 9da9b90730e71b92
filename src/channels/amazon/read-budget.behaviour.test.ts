// Amazon's budgets under load, on SQLite and PostgreSQL, against the Amazon emulator (in-process
// fetch) on a network that holds some calls up on the way: Amazon counts a call when it arrives,
// so a burst held up lands next to the next one sent on time. Patches, submission checks and the
// reconciler's read-backs (both searchListingsItems, one budget) run together for a while;
// Amazon must never answer 429.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmazonEmulator, startAmazonEmulator } from '../../../emulators/amazon/index.ts';
import { inProcessFetch } from '../../../emulators/kit/index.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../../test/support/truestock.ts';
import { createChannel } from '../../app/channels.ts';
import { createListing } from '../../app/listings.ts';
import { Truestock } from '../../app/truestock.ts';
import { RECONCILE_SECONDS_MIN } from '../../sync/reconciler.ts';

const ORIGIN = 'http://sellingpartnerapi-na.emulated';
const MARKET = 'ATVPDKIKX0DER';
const SKUS = Array.from({ length: 200 }, (_, k) => `R${String(k).padStart(3, '0')}`);
/** How long some calls are held up before they reach Amazon (past the connector's 400 ms arrival slack). */
const HELD_UP_MS = 500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The first of every other burst of three calls of an operation is held up on the way: that burst
 * reaches Amazon late, right before the next one, sent on time (a busy event loop does the same).
 */
function unevenNetwork(inner: typeof fetch): typeof fetch {
  const seen = { patch: 0, search: 0 };
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = init?.method ?? 'GET';
    const op = method === 'PATCH' ? 'patch' : method === 'GET' && /\/listings\/2021-08-01\/items\/[^/]+\?/.test(url) ? 'search' : null;
    if (op && seen[op]++ % 6 === 0) await sleep(HELD_UP_MS);
    return inner(input, init);
  };
}

describe.each(STORE_KINDS)('Amazon read-backs and submission checks within the read budget on %s', (store) => {
  let db: TestDatabase;
  let ts: Truestock;
  let amazon: AmazonEmulator;

  beforeAll(async () => {
    amazon = await startAmazonEmulator({ publicUrl: ORIGIN, listingProcessingMs: 300, feedQueueMs: 200, feedProcessingMs: 500 });
    db = await createDatabase(store);
    ts = await Truestock.open({ ...db.config, sync: { idleMs: 20, fetch: unevenNetwork(inProcessFetch(amazon.handler, { origin: ORIGIN })) } });
  });
  afterAll(async () => {
    await ts?.reconciler.stop();
    await ts?.sync.stop();
    await ts?.close();
    await db?.drop();
    await amazon?.close();
  });

  it('patches, submission checks and read-backs together draw no 429, though some calls arrive late', async () => {
    for (const sku of SKUS) amazon.addListing({ sku, quantity: 0 });
    const f = await Fixture.create(ts, { skus: SKUS, locations: [['W1', 'warehouse']] });
    await ts.store.transaction(async (d) => {
      const now = ts.clock.now();
      const settings = {
        seller_id: amazon.sellerId, client_id: amazon.clientId, client_secret: amazon.clientSecret, refresh_token: amazon.refreshToken,
        endpoint: ORIGIN, lwa_url: `${ORIGIN}/auth/o2/token`, product_type: 'PRODUCT', submission_poll_seconds: 1,
        reconcile_seconds: RECONCILE_SECONDS_MIN, feed_min_items: 100,
      };
      const c = await createChannel(d, f.workspaceId, { kind: 'amazon', name: 'amazon-reads', settings }, now);
      if ('code' in c) throw new Error(c.detail);
      const id = (c.body.channel as { id: string }).id;
      for (const sku of SKUS) {
        const l = await createListing(d, f.workspaceId, { channel: id, sku, external: { seller_sku: sku, marketplace_id: MARKET } }, now);
        if ('code' in l) throw new Error(l.detail);
      }
    });
    ts.sync.start();
    // The first numbers go as one feed; the changes after it by patches.
    // Stock keeps changing while the reconciler reads everything back, round after round.
    let reads = 0;
    for (let round = 0; round < 44; round++) {
      if (round % 4 === 0) for (const sku of SKUS.filter((_, k) => k % 10 === (round / 4) % 10)) await f.ok({ type: 'receive', sku, location: 'W1', quantity: 1 });
      for (const r of await ts.reconciler.tick()) reads += r.read;
      await sleep(250);
    }
    // Once the changes stop, the reconciler gets its turn at least (reads yield to the pushes' checks).
    for (let k = 0; k < 40 && reads === 0; k++) {
      for (const r of await ts.reconciler.tick()) reads += r.read;
      await sleep(250);
    }
    const ops = amazon.counters().operations;
    expect(reads, 'the reconciler read listings back').toBeGreaterThan(0);
    expect(ops.patchListingsItem!.calls).toBeGreaterThan(20);
    expect(ops.searchListingsItems!.calls).toBeGreaterThan(10);
    expect(amazon.counters().throttled).toBe(0);
  }, 60_000);
});
