import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualKitScheduler, settle } from './clock.ts';
import { inProcessFetch, type NodeHandler } from './in-process-fetch.ts';
import { WebhookSender, type WebhookSenderOptions } from './webhook-delivery.ts';

interface Received {
  topic: string;
  id: string;
  event: string;
  signature: string;
  body: string;
}

/** A receiver (in-process) that records deliveries and fails the first `failures` POSTs. */
function receiver(failures = 0) {
  const got: Received[] = [];
  let left = failures;
  const handler: NodeHandler = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (left > 0) return void (left--, res.writeHead(500).end());
      const h = req.headers as Record<string, string>;
      got.push({ topic: h['x-topic']!, id: h['x-delivery-id']!, event: h['x-event-id']!, signature: h['x-signature']!, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('{}');
    });
  };
  return { got, fetch: inProcessFetch(handler, { origin: 'http://truestock.test' }) };
}

const sign: WebhookSenderOptions['sign'] = (body, d) => ({
  'X-Topic': d.topic,
  'X-Delivery-Id': d.deliveryId,
  'X-Event-Id': d.eventId,
  'X-Signature': createHmac('sha256', 'secret').update(body).digest('base64'),
});

describe('WebhookSender', () => {
  const senders: WebhookSender[] = [];
  afterEach(() => senders.splice(0).forEach((s) => s.close()));
  let n = 0;
  const make = (fetchImpl: typeof fetch, extra: Partial<WebhookSenderOptions> = {}) => {
    const s = new WebhookSender({ sign, retry: { attempts: 3, baseDelayMs: 1_000 }, timeoutMs: 5_000, fetch: fetchImpl, newId: () => `id-${++n}`, ...extra });
    senders.push(s);
    s.subscribe('http://truestock.test/hook');
    return s;
  };

  it('delivers each event signed by the emulator’s function, to subscriptions of its topic', async () => {
    const r = receiver();
    const s = make(r.fetch);
    s.subscribe('http://truestock.test/only-refunds', ['refunds/create']);
    s.send('orders/create', '{"id":1}');
    s.send('refunds/create', '{"id":2}');
    await s.flush();
    expect(r.got.map((g) => g.topic)).toEqual(['orders/create', 'refunds/create', 'refunds/create']);
    expect(r.got[0]!.signature).toBe(createHmac('sha256', 'secret').update('{"id":1}').digest('base64'));
    // Two subscriptions of one event: two delivery ids, one event id.
    const refunds = r.got.filter((g) => g.topic === 'refunds/create');
    expect(new Set(refunds.map((g) => g.id)).size).toBe(2);
    expect(new Set(refunds.map((g) => g.event)).size).toBe(1);
    expect(s.counters).toMatchObject({ sent: 3, attempts: 3, failed: 0 });
  });

  it('retries with doubling backoff on the injected scheduler, keeping the delivery id', async () => {
    const clock = new ManualKitScheduler();
    const r = receiver(2);
    const s = make(r.fetch, { scheduler: clock });
    s.send('orders/create', '{}');
    await settle();
    await settle();
    expect(s.counters.attempts).toBe(1);
    await clock.advance(999);
    expect(s.counters.attempts).toBe(1);
    await clock.advance(1); // 1 s after the first failure
    expect(s.counters.attempts).toBe(2);
    await clock.advance(1_999);
    expect(s.counters.attempts).toBe(2);
    await clock.advance(1); // 2 s after the second
    await s.flush();
    expect(s.counters).toMatchObject({ attempts: 3, sent: 1, failed: 0 });
    expect(r.got).toHaveLength(1);
  });

  it('refuses an address that is not an http(s) URL, naming it', () => {
    const s = make(receiver().fetch);
    expect(() => s.subscribe('not a url')).toThrow(new RangeError('address "not a url" is not a URL'));
    expect(() => s.subscribe('ftp://truestock.test/hook')).toThrow(new RangeError('address must be an http(s) URL'));
  });

  it('gives up after the last attempt and counts it failed', async () => {
    const r = receiver(10);
    const s = make(r.fetch, { retry: { attempts: 2, baseDelayMs: 1 } });
    s.send('orders/create', '{}');
    await s.flush();
    expect(s.counters).toMatchObject({ attempts: 2, sent: 0, failed: 1 });
  });

  it('drops, duplicates (same delivery id) and swaps deliveries as the fault switches say', async () => {
    const r = receiver();
    const s = make(r.fetch);
    s.faults.set({ drop: 1 });
    s.send('a', '{}');
    s.faults.set({ drop: 0, duplicate: 1 });
    s.send('b', '{}');
    await s.flush();
    expect(r.got.map((g) => g.topic)).toEqual(['b', 'b']);
    expect(r.got[0]!.id).toBe(r.got[1]!.id);
    expect(s.counters).toMatchObject({ dropped: 1, duplicated: 1, sent: 2 });

    r.got.length = 0;
    s.faults.set({ duplicate: 0, reorder: 1 });
    s.send('first', '{}'); // held
    s.faults.set({ reorder: 0 });
    s.send('second', '{}'); // goes, then the held one
    await s.flush();
    expect(r.got.map((g) => g.topic)).toEqual(['second', 'first']);
  });

  it('delays deliveries within the fault range, and holds them while the emulator is down', async () => {
    const clock = new ManualKitScheduler();
    const r = receiver();
    let downFor = 5_000;
    const s = make(r.fetch, { scheduler: clock, downForMs: () => downFor });
    s.send('held', '{}');
    await clock.advance(4_000);
    expect(r.got).toEqual([]);
    downFor = 0;
    await clock.advance(1_000);
    await s.flush();
    expect(r.got.map((g) => g.topic)).toEqual(['held']);

    s.faults.set({ delayMs: [300, 300] });
    s.send('late', '{}');
    await clock.advance(299);
    expect(r.got).toHaveLength(1);
    await clock.advance(1);
    await s.flush();
    expect(r.got.map((g) => g.topic)).toEqual(['held', 'late']);
  });

  it('stops every waiting delivery on close', async () => {
    const clock = new ManualKitScheduler();
    const r = receiver(5);
    const s = make(r.fetch, { scheduler: clock });
    s.send('x', '{}');
    await settle();
    await settle();
    expect(clock.waiting).toBe(1);
    s.close();
    await s.flush();
    expect(s.counters).toMatchObject({ sent: 0, failed: 0 });
  });
});
