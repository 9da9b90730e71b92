// The Amazon connector against the Amazon emulator (emulators/amazon) on a fake clock, through
// the kit's in-process fetch, every request checked against Amazon's official models and every
// feed file against the feed schema: a large batch as a JSON_LISTINGS_FEED whose failed messages
// refuse only their listings, and a run across several hours whose access tokens expire on the
// way without a push failing.

import { afterEach, describe, expect, it } from 'vitest';
import { type AmazonEmulator, startAmazonEmulator } from '../../../emulators/amazon/index.ts';
import { inProcessFetch, ManualKitScheduler } from '../../../emulators/kit/index.ts';
import type { Connector, ItemOutcome, PushItem } from '../../sync/connector.ts';
import { amazon as amazonKind } from './kind.ts';
import { validatingFetch } from './sp-api.fixture.ts';

const ORIGIN = 'http://sellingpartnerapi-na.emulated';
const MARKET = 'ATVPDKIKX0DER';
const START = Date.parse('2026-12-05T09:00:00Z');

let emu: AmazonEmulator | null = null;
let invalid: string[] = [];

afterEach(async () => {
  await emu?.close();
  emu = null;
  expect(invalid, 'every request matches Amazon’s models').toEqual([]);
});

async function world(extra: Record<string, unknown> = {}) {
  const scheduler = new ManualKitScheduler(START);
  emu = await startAmazonEmulator({ scheduler, publicUrl: ORIGIN, listingProcessingMs: 60_000, feedQueueMs: 60_000, feedProcessingMs: 120_000 });
  invalid = [];
  const fetch = validatingFetch(inProcessFetch(emu.handler, { origin: ORIGIN }), invalid);
  const clock = { now: () => scheduler.clock.now() };
  const settings = { seller_id: emu.sellerId, client_id: emu.clientId, client_secret: emu.clientSecret, refresh_token: emu.refreshToken, endpoint: ORIGIN, lwa_url: `${ORIGIN}/auth/o2/token`, ...extra };
  const c = amazonKind.connect!(settings, { clock, fetch });
  if ('code' in c) throw new Error(c.detail);
  return { emu, scheduler, c: c as Connector };
}

const item = (sku: string, quantity: number, version = 1): PushItem => ({ listingId: `lst_${sku}`, version, external: { seller_sku: sku, marketplace_id: MARKET }, quantity, expected: null });
const submissionOf = (o: ItemOutcome) => (o.status === 'submitted' ? o.submissionId : `(${o.status})`);

describe('the Amazon connector against the emulator', () => {
  it('the request check is real: a request off the model is reported', async () => {
    const seen: string[] = [];
    const f = validatingFetch(async () => new Response('{}'), seen);
    await f(`${ORIGIN}/listings/2021-08-01/items/S/A?marketplaceIds=${MARKET}&includedData=everything`, { headers: { 'x-amz-access-token': 't' } });
    await f(`${ORIGIN}/listings/2021-08-01/items/S/A`, { method: 'PATCH', body: JSON.stringify({ patches: [] }) });
    expect(seen.join('\n')).toMatch(/includedData/);
    expect(seen.join('\n')).toMatch(/productType/);
    expect(seen.join('\n')).toMatch(/no x-amz-access-token/);
  });

  it('a large batch goes as one JSON_LISTINGS_FEED; messages that fail refuse their listings, the others are acknowledged from the processing report', async () => {
    const { emu, scheduler, c } = await world({ feed_min_items: 10, product_type: 'PRODUCT' });
    const skus = Array.from({ length: 12 }, (_, k) => `SKU-${String(k).padStart(2, '0')}`);
    for (const sku of skus) emu.addListing({ sku, quantity: 0 });
    emu.failSku('SKU-03', { code: '90244', message: 'quantity refused' });
    emu.failSku('SKU-10', { code: '90244', message: 'quantity refused' });
    const items = skus.map((s, k) => item(s, k + 1));
    const res = await c.push(items);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const ids = new Set(res.outcomes.map(submissionOf));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(id).toMatch(/^feed:/);
    expect(emu.counters().patchesAccepted).toBe(0);

    expect(await c.checkSubmission!(id!, items)).toMatchObject({ ok: true, state: 'processing' });
    // Amazon processes the feed; numbers do not count before the report says so.
    await scheduler.advance(200_000);
    const done = await c.checkSubmission!(id!, [...items].reverse());
    expect(done.ok && done.state).toBe('done');
    if (!done.ok || done.state !== 'done') return;
    const bySku = Object.fromEntries([...items].reverse().map((i, k) => [i.external.seller_sku, done.outcomes[k]!.status]));
    expect(bySku).toEqual({ ...Object.fromEntries(skus.map((s) => [s, 'acknowledged'])), 'SKU-03': 'rejected', 'SKU-10': 'rejected' });
    expect(emu.quantity('SKU-11')).toBe(12);
    expect(emu.quantity('SKU-03')).toBe(0);
  });

  it('patches are acknowledged once Amazon applies them, and access tokens that expire over hours never fail a push', async () => {
    const { emu, scheduler, c } = await world();
    emu.addListing({ sku: 'A', quantity: 0, productType: 'LUGGAGE' });
    for (let hour = 0; hour < 5 * 4; hour++) {
      const version = hour + 1;
      const pushed = await c.push([item('A', version, version)]);
      expect(pushed.ok && pushed.outcomes[0]!.status, `push ${version}`).toBe('submitted');
      const id = submissionOf((pushed as { outcomes: ItemOutcome[] }).outcomes[0]!);
      expect(await c.checkSubmission!(id, [item('A', version, version)])).toMatchObject({ ok: true, state: 'processing' });
      await scheduler.advance(15 * 60_000);
      expect(await c.checkSubmission!(id, [item('A', version, version)])).toMatchObject({ ok: true, state: 'done', outcomes: [{ status: 'acknowledged' }] });
    }
    // Five hours: a token an hour, each fetched before the old one ran out — no call refused.
    expect(emu.counters().unauthorized).toBe(0);
    expect(emu.counters().tokensIssued).toBe(6);
    expect(emu.quantity('A')).toBe(20);
  });
});
