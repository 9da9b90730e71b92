// The Walmart connector, poll and webhook reading against the Walmart emulator (emulators/walmart)
// on a fake clock, through the kit's in-process fetch, every request checked against Walmart's
// official models and the WM_* headers: tokens that expire over hours never fail a push, a feed
// with per-item errors fails exactly those items, the hourly feed window never earns a refusal,
// polled orders are acknowledged once recorded, and the emulator's signed deliveries (legacy
// PO_CREATED and ORDER_UPDATES) verify and read as the poll reads the same order.

import { afterEach, describe, expect, it } from 'vitest';
import { inProcessFetch, ManualKitScheduler } from '../../../emulators/kit/index.ts';
import { startWalmartEmulator, type WalmartEmulator } from '../../../emulators/walmart/index.ts';
import type { ChannelEvent } from '../../domain/channel-event.ts';
import type { Connector, ItemOutcome, PushItem } from '../../sync/connector.ts';
import type { PollPage } from '../kind.ts';
import { WALMART_FEEDS_PER_HOUR } from './feeds.ts';
import { walmart as walmartKind } from './kind.ts';
import { validatingFetch } from './walmart.fixture.ts';

const ORIGIN = 'http://marketplace.walmartapis.emulated';
const START = Date.parse('2026-12-05T09:00:00Z');
const NODE = '10000000001';
const HOOK_SECRET = 'hook-secret';

let emu: WalmartEmulator | null = null;
let invalid: string[] = [];

afterEach(async () => {
  await emu?.close();
  emu = null;
  expect(invalid, 'every request matches Walmart’s models').toEqual([]);
});

async function world(extra: Record<string, unknown> = {}, options: Parameters<typeof startWalmartEmulator>[0] = {}) {
  const scheduler = new ManualKitScheduler(START);
  const delivered: { headers: Record<string, string>; body: string }[] = [];
  emu = await startWalmartEmulator({
    scheduler, shipNodes: [NODE], feedReceivedMs: 60_000, feedProcessingMs: 600_000,
    notificationRetry: { attempts: 1, baseDelayMs: 10 },
    notificationFetch: async (_url, init) => {
      delivered.push({ headers: Object.fromEntries(new Headers(init?.headers).entries()), body: String(init?.body) });
      return new Response('{}');
    },
    ...options,
  });
  invalid = [];
  const fetch = validatingFetch(inProcessFetch(emu.handler, { origin: ORIGIN }), invalid);
  const clock = { now: () => scheduler.clock.now() };
  const settings = { client_id: emu.clientId, client_secret: emu.clientSecret, endpoint: ORIGIN, ship_node: NODE, locations: { [NODE]: 'W1' }, notification_secret: HOOK_SECRET, ...extra };
  const c = walmartKind.connect!(settings, { clock, fetch });
  if ('code' in c) throw new Error(c.detail);
  let cursor: string | null = null;
  async function poll(): Promise<ChannelEvent[]> {
    const events: ChannelEvent[] = [];
    const pages: PollPage[] = [];
    for await (const p of walmartKind.inbound!.poll!.pages({ clock, fetch, settings, cursor, since: START - 60_000, spend: async () => true, observe: () => {} })) {
      pages.push(p);
      if (!p.ok) throw new Error(p.message);
      cursor = p.cursor;
      events.push(...p.events);
    }
    return events;
  }
  return { emu, scheduler, c: c as Connector, settings, fetch, poll, delivered };
}

let versions = 0;
const item = (sku: string, quantity: number): PushItem => ({ listingId: `lst_${sku}`, version: ++versions, external: { sku }, quantity, expected: null });
const submissionOf = (o: ItemOutcome) => (o.status === 'submitted' ? o.submissionId : `(${o.status})`);

describe('the Walmart connector against the emulator', () => {
  it('the request check is real: a request off the model or without the headers is reported', async () => {
    const seen: string[] = [];
    const f = validatingFetch(async () => new Response('{}'), seen);
    await f(`${ORIGIN}/v3/inventory?sku=A&color=red`, { method: 'GET', headers: { accept: 'application/json' } });
    const text = seen.join('\n');
    expect(text).toMatch(/color/);
    expect(text).toMatch(/WM_SVC\.NAME/);
    expect(text).toMatch(/CORRELATION_ID/);
    expect(text).toMatch(/WM_SEC\.ACCESS_TOKEN/);
  });

  it('single updates over five hours: tokens expire on the way (15 minutes each) and no call is ever refused', async () => {
    const { emu, scheduler, c } = await world();
    emu.addSku({ sku: 'A', quantity: 0 });
    for (let k = 1; k <= 5 * 12; k++) {
      const r = await c.push([item('A', k)]);
      expect(r.ok && r.outcomes[0]!.status, `push ${k}`).toBe('acknowledged');
      await scheduler.advance(5 * 60_000);
    }
    expect(emu.quantity('A')).toBe(60);
    expect(emu.counters().unauthorized).toBe(0);
    expect(emu.counters().tokensIssued).toBeGreaterThanOrEqual(20);
  });

  it('a feed with per-item errors: DATA_ERROR refused, SYSTEM_ERROR pushed again, the rest acknowledged once PROCESSED', async () => {
    const { emu, scheduler, c } = await world({ feed_min_items: 3 });
    const skus = ['F1', 'F2', 'F3', 'F4'];
    for (const s of skus) emu.addSku({ sku: s, quantity: 0 });
    emu.failSku('F2', { type: 'DATA_ERROR', code: 'ERR_BAD', description: 'bad quantity' });
    emu.failSku('F3', { type: 'SYSTEM_ERROR' });
    const items = skus.map((s, k) => item(s, k + 5));
    const r = await c.push(items);
    if (!r.ok) throw new Error(r.message);
    const ids = new Set(r.outcomes.map(submissionOf));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(await c.checkSubmission!(id!, items)).toMatchObject({ ok: true, state: 'processing' });
    await scheduler.advance(120_000);
    expect(await c.checkSubmission!(id!, items)).toMatchObject({ ok: true, state: 'processing' });
    expect(emu.quantity('F1')).toBe(0);
    await scheduler.advance(600_000);
    const done = await c.checkSubmission!(id!, items);
    if (!done.ok || done.state !== 'done') throw new Error(JSON.stringify(done));
    expect(done.outcomes.map((o) => o.status)).toEqual(['acknowledged', 'rejected', 'not_applied', 'acknowledged']);
    expect(done.outcomes[1]).toMatchObject({ reason: expect.stringContaining('ERR_BAD') });
    expect(emu.quantity('F1')).toBe(5);
    expect(emu.quantity('F4')).toBe(8);
  });

  it('bursts beyond the hourly feed limit never earn a refusal: they go by single updates until the window rolls', async () => {
    const { emu, scheduler, c } = await world({ feed_min_items: 2 });
    for (const s of ['A', 'B']) emu.addSku({ sku: s, quantity: 0 });
    const kinds: string[] = [];
    for (let k = 0; k < WALMART_FEEDS_PER_HOUR + 5; k++) {
      const r = await c.push([item('A', k), item('B', k)]);
      if (!r.ok) throw new Error(r.message);
      kinds.push(r.outcomes[0]!.status);
      await scheduler.advance(60_000);
    }
    expect(kinds.filter((s) => s === 'submitted')).toHaveLength(WALMART_FEEDS_PER_HOUR);
    expect(kinds.slice(WALMART_FEEDS_PER_HOUR)).toEqual(Array(5).fill('acknowledged'));
    expect(emu.counters().feedsRefusedHourly).toBe(0);
    expect(emu.counters().throttled).toBe(0);
  });

  it('reads back what Walmart shows, null for a SKU it does not know', async () => {
    const { emu, c } = await world();
    emu.addSku({ sku: 'A', quantity: 7 });
    expect(await c.readBack([item('A', 0), item('NOPE', 0)])).toEqual({ ok: true, shown: [7, null] });
  });
});

describe('Walmart orders in, against the emulator', () => {
  it('polled orders are allocated as placed and acknowledged after the page was applied', async () => {
    const { emu, scheduler, poll } = await world();
    emu.addSku({ sku: 'A', quantity: 10 });
    const po = emu.placeOrder({ lines: [{ sku: 'A', quantity: 2 }] }).purchaseOrderId;
    await scheduler.advance(1_000);
    const events = await poll();
    expect(events).toEqual([expect.objectContaining({ kind: 'order_created', order: expect.objectContaining({ orderId: po, locationId: NODE, lines: [expect.objectContaining({ sku: 'A', quantity: 2 })] }) })]);
    expect(emu.counters().linesAcknowledged).toBe(1);
    // Auto-cancelled later: the next poll releases it.
    await scheduler.advance(60_000);
    emu.autoCancel(po, undefined, true);
    await scheduler.advance(1_000);
    const later = await poll();
    expect(later.at(-1)).toMatchObject({ kind: 'order_cancelled', order: { orderId: po } });
  });

  it('the emulator’s HMAC-signed deliveries verify (base64 or hex), and read as the poll reads the same order', async () => {
    for (const encoding of ['base64', 'hex'] as const) {
      const { emu: e, scheduler, fetch, poll, settings, delivered } = await world({}, { hmacEncoding: encoding });
      const seller = walmartKind.connect!(settings, { clock: { now: () => scheduler.clock.now() }, fetch });
      expect('push' in seller).toBe(true);
      // Subscribe both the legacy PO_CREATED and ORDER_UPDATES, as the seller would.
      const token = await (await fetch(`${ORIGIN}/v3/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${e.clientId}:${e.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'WM_SVC.NAME': 'Walmart Marketplace', 'WM_QOS.CORRELATION_ID': crypto.randomUUID() }, body: 'grant_type=client_credentials' })).json() as { access_token: string };
      const sub = await fetch(`${ORIGIN}/v3/webhooks/subscriptions`, {
        method: 'POST',
        headers: { 'WM_SEC.ACCESS_TOKEN': token.access_token, 'content-type': 'application/json', accept: 'application/json', 'WM_SVC.NAME': 'Walmart Marketplace', 'WM_QOS.CORRELATION_ID': crypto.randomUUID() },
        body: JSON.stringify({ events: ['PO_CREATED', 'ORDER_UPDATES'].map((eventType) => ({ eventType, eventVersion: 'V1', resourceName: 'ORDER', eventUrl: 'https://truestock.example/hooks', status: 'ACTIVE', authDetails: { authMethod: 'HMAC', clientSecret: HOOK_SECRET, authHeaderName: 'Authorization' } })) }),
      });
      expect(sub.status).toBe(200);
      e.addSku({ sku: 'A', quantity: 10 });
      e.placeOrder({ lines: [{ sku: 'A', quantity: 3 }] });
      await scheduler.advance(1_000);
      await e.flushNotifications();
      expect(delivered).toHaveLength(2);
      const polled = (await poll()).filter((e) => e.kind === 'order_created');
      for (const d of delivered) {
        const raw = Buffer.from(d.body);
        const v = walmartKind.inbound!.webhook!.verify({ raw, headers: d.headers, url: 'https://truestock.example/hooks' }, settings);
        if (!v.ok) throw new Error(`${encoding}: ${v.detail}`);
        const parsed = walmartKind.inbound!.webhook!.parse(v, JSON.parse(d.body));
        if (!parsed.ok) throw new Error(parsed.ignored);
        // The same order, lines and time; the legacy payload names no ship node (the poll does).
        // Nor, so, does a line name the SKU's listing at that node: only the SKU's own key is compared.
        const strip = (e: ChannelEvent) => (e.kind === 'order_created' ? { ...e, order: { ...e.order, locationId: null, lines: e.order.lines.map((l) => ({ ...l, keys: l.keys.filter((k) => !k.includes('@ship_node:')) })) } } : e);
        expect(parsed.events.map(strip), `${v.topic} (${encoding})`).toEqual(polled.map(strip));
        // Forged: the body changed under its signature.
        const forged = walmartKind.inbound!.webhook!.verify({ raw: Buffer.from(d.body.replace('"A"', '"B"')), headers: d.headers, url: '' }, settings);
        expect(forged).toMatchObject({ ok: false, problem: 'forged' });
      }
      await e.close();
      emu = null;
      expect(invalid).toEqual([]);
    }
  });
});
