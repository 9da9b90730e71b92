// Alerts out, end to end on SQLite and PostgreSQL: events written with their facts, fanned out,
// delivered to a real local receiver that checks every Standard Webhooks signature with the
// package's own verifier, retried with backoff on the manual clock and scheduler, coalesced,
// rolled back with the command that would have raised them, redelivered with the same
// webhook-id, and e-mailed to an smtp-server sink (one at a time and as a digest).

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { changeSubscription, createSubscription, redeliver, removeSubscription, rotateSecret, SECRET_ROTATION_GRACE_MS, setSmtp, setThreshold, type SubscriptionBody } from '../app/alerts.ts';
import { moveException } from '../app/exceptions.ts';
import { ManualClock } from '../app/clock.ts';
import { ManualScheduler } from '../app/scheduler.ts';
import { Truestock } from '../app/truestock.ts';
import { ALERT_RETENTION_MS, DELIVERY_ATTEMPTS_MAX, DELIVERY_BACKOFF_BASE_MS, STOCK_CHANGED_COALESCE_MS } from '../domain/alert-rules.ts';
import type { StockCommand } from '../domain/commands.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { ALERT_TICK_MS } from './alert-delivery.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  verified: unknown;
  status: number;
}

/** A webhook receiver: verifies each delivery, answers 500 to the first `failFirst` ones. */
class Receiver {
  server!: Server;
  base = '';
  /** Each test has its own path: deliveries left over from an earlier test's workspace are not counted. */
  run = 0;
  get url(): string {
    return `${this.base}/hooks/${this.run}`;
  }
  /** Secrets of the subscriptions pointing here: a delivery must verify with one of them. */
  secrets: string[] = [];
  failFirst = 0;
  /** Run while a request is being answered (the delivery is claimed and in flight). */
  whileAnswering: (() => Promise<void>) | null = null;
  readonly got: Received[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', async () => {
        if (this.whileAnswering) await this.whileAnswering();
        if (req.url !== `/hooks/${this.run}`) {
          res.statusCode = 410;
          res.end();
          return;
        }
        let verified: unknown = new Error('no secret verifies it');
        for (const secret of this.secrets) {
          try {
            verified = new Webhook(secret).verify(body, req.headers as Record<string, string>);
            break;
          } catch (err) {
            verified = err;
          }
        }
        const status = this.got.length < this.failFirst ? 500 : 204;
        this.got.push({ headers: req.headers, body, verified, status });
        res.statusCode = status;
        res.end(status === 500 ? 'try later' : undefined);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  ok(): Received[] {
    return this.got.filter((g) => g.status < 300);
  }
}

/** The Subject header of a raw message, unfolded and decoded (RFC 2047 Q-encoding). */
function subjectOf(raw: string): string {
  const header = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1] ?? '';
  return header.replace(/\r?\n[ \t]/g, ' ').replace(/=\?UTF-8\?Q\?(.*?)\?=\s*/gi, (_, q: string) =>
    Buffer.from(q.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
}

/** An SMTP sink: every message received, raw. */
class SmtpSink {
  server!: SMTPServer;
  port = 0;
  readonly mails: { to: string[]; raw: string }[] = [];

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, cb) => {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
        stream.on('end', () => {
          this.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          cb();
        });
      },
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe.each(STORE_KINDS)('alert delivery on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let fx: Fixture;
  let scheduler: ManualScheduler;
  const receiver = new Receiver();
  const sink = new SmtpSink();
  /** Set to make the ledger's transaction fail after its writes (an outbox atomicity check). */
  let boom = false;

  beforeAll(async () => {
    db = await createDatabase(kind);
    await receiver.start();
    await sink.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await sink.stop();
    await db.drop();
  });

  beforeEach(async () => {
    // Real wall time: receivers check that a signature's timestamp is within 5 minutes of theirs.
    scheduler = new ManualScheduler(new ManualClock(Date.now()));
    ts = await Truestock.open({
      ...db.config, scheduler, seed: 7,
      alerts: { smtp: null },
      ledger: { afterWrite: async () => { if (boom) throw new Error('boom: after the writes'); } },
    });
    fx = await Fixture.create(ts, { skus: ['A', 'B'], locations: [['W1', 'warehouse']] });
    receiver.got.length = 0;
    receiver.run++;
    receiver.secrets = [];
    receiver.failFirst = 0;
    receiver.whileAnswering = null;
    sink.mails.length = 0;
    boom = false;
    ts.alerts.start();
  });
  afterEach(() => ts.close());

  const now = () => ts.clock.now();
  const tx = <T>(fn: Parameters<Truestock['store']['transaction']>[0]) => ts.store.transaction(fn) as Promise<T>;
  async function subscribe(body: SubscriptionBody): Promise<{ id: string; secret?: string }> {
    const r = await tx<{ status: number; body: Record<string, any> }>((d) => createSubscription(d, fx.workspaceId, { url: receiver.url, ...body }, now()));
    expect(r.status).toBe(201);
    if (r.body.secret) receiver.secrets.push(r.body.secret);
    return { id: r.body.subscription.id, secret: r.body.secret };
  }
  const receive = (sku: string, quantity: number) => fx.ok({ type: 'receive', sku, location: 'W1', quantity } as StockCommand);
  const adjust = (sku: string, delta: number) => fx.ok({ type: 'adjust', sku, location: 'W1', delta, reason: 'correction' } as StockCommand);
  const events = (type?: string) => ts.store.read((d) => d.all<{ id: string; type: string; payload: string }>(
    `SELECT id, type, payload FROM alert_events WHERE workspace_id = ?${type ? ' AND type = ?' : ''} ORDER BY id`, type ? [fx.workspaceId, type] : [fx.workspaceId]));
  const bodies = (r: Received[]) => r.map((g) => JSON.parse(g.body) as { type: string; timestamp: string; data: Record<string, any> });
  const log = (subId: string) => ts.store.read((d) => d.all<{ id: string; state: string; attempts: number; event_id: string }>('SELECT id, state, attempts, event_id FROM alert_deliveries WHERE subscription_id = ? ORDER BY id', [subId]));
  const attempts = (deliveryId: string) => ts.store.read((d) => d.all<{ attempt_no: number; at: number; ok: boolean | number; status_code: number | null; error: string | null }>('SELECT * FROM alert_attempts WHERE delivery_id = ? ORDER BY attempt_no', [deliveryId]));

  it('100 movements of one level within the window are ONE stock.changed, signed, with the latest numbers', async () => {
    await subscribe({ events: ['stock.changed'] });
    await receive('A', 500);
    await Promise.all(Array.from({ length: 99 }, () => adjust('A', -1)));
    await scheduler.advance(STOCK_CHANGED_COALESCE_MS - ALERT_TICK_MS);
    expect(receiver.got).toHaveLength(0); // the window is still open
    await scheduler.advance(2 * ALERT_TICK_MS);
    expect(await events('stock.changed')).toHaveLength(1);
    expect(receiver.got).toHaveLength(1);
    const [got] = receiver.got;
    expect(got!.verified).toMatchObject({ type: 'stock.changed' }); // the package's own verify passed (it returns the parsed body)
    expect(got!.headers['webhook-id']).toMatch(/^evt_/);
    expect(bodies(receiver.got)[0]!.data).toMatchObject({ sku: 'A', location: 'W1', available: 401, on_hand: 401 });

    // The next movement opens a new window: one more event, not a re-send of the first.
    await adjust('A', -1);
    await scheduler.advance(STOCK_CHANGED_COALESCE_MS + ALERT_TICK_MS);
    expect(bodies(receiver.ok()).map((b) => b.data.available)).toEqual([401, 400]);
  });

  it('retries a failing receiver with growing, jittered waits and the same webhook-id, then logs every attempt', async () => {
    const { id } = await subscribe({ events: ['stock.changed'] });
    receiver.failFirst = 3;
    await receive('B', 5);
    await scheduler.advance(STOCK_CHANGED_COALESCE_MS + ALERT_TICK_MS);
    expect(receiver.got).toHaveLength(1);
    await scheduler.advance(10 * DELIVERY_BACKOFF_BASE_MS);
    expect(receiver.got.map((g) => g.status)).toEqual([500, 500, 500, 204]);
    for (const g of receiver.got) expect(g.verified).toMatchObject({ type: 'stock.changed' });
    expect(new Set(receiver.got.map((g) => g.headers['webhook-id'])).size).toBe(1);
    const [delivery] = await log(id);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 4 });
    const tries = await attempts(delivery!.id);
    expect(tries.map((t) => [Boolean(t.ok), t.status_code])).toEqual([[false, 500], [false, 500], [false, 500], [true, 204]]);
    // Waits: at least half of base × 2^(n−1) (equal jitter), and each ceiling doubles.
    const waits = tries.slice(1).map((t, i) => Number(t.at) - Number(tries[i]!.at));
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual((DELIVERY_BACKOFF_BASE_MS * 2 ** i) / 2);
      expect(w).toBeLessThanOrEqual(DELIVERY_BACKOFF_BASE_MS * 2 ** i + ALERT_TICK_MS);
    });
  });

  it('gives up after the last attempt: the delivery is failed, and redeliver sends it again with the same webhook-id', async () => {
    const { id } = await subscribe({ events: ['stock.changed'] });
    receiver.failFirst = 1_000;
    await receive('A', 3);
    await scheduler.advance(STOCK_CHANGED_COALESCE_MS + ALERT_TICK_MS);
    const [first] = await log(id);
    // Skip the long waits: this delivery has used all but its last attempt.
    await tx((d) => d.run('UPDATE alert_deliveries SET attempts = ?, next_at = ? WHERE id = ?', [DELIVERY_ATTEMPTS_MAX - 1, now(), first!.id]));
    await scheduler.advance(ALERT_TICK_MS);
    expect((await log(id))[0]).toMatchObject({ state: 'failed', attempts: DELIVERY_ATTEMPTS_MAX });
    await scheduler.advance(DELIVERY_BACKOFF_BASE_MS * 4);
    const tried = receiver.got.length;
    expect(tried).toBe(2); // nothing more after failed

    receiver.failFirst = 0;
    receiver.got.length = 0;
    const again = await tx<{ status: number; body: Record<string, any> }>((d) => redeliver(d, fx.workspaceId, first!.id, now()));
    expect(again.status).toBe(202);
    await scheduler.advance(ALERT_TICK_MS);
    expect(receiver.got).toHaveLength(1);
    expect(receiver.got[0]!.verified).toMatchObject({ type: 'stock.changed' });
    expect(receiver.got[0]!.headers['webhook-id']).toBe(first!.event_id);
    expect((await log(id)).map((d) => d.state)).toEqual(['failed', 'delivered']);
  });

  it('after a rotation both the old and the new secret verify a delivery until the grace ends, then only the new one', async () => {
    const { id, secret: old } = await subscribe({ events: ['stock.changed'] });
    const rotated = await tx<{ status: number; body: Record<string, any> }>((d) => rotateSecret(d, fx.workspaceId, id, now()));
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).not.toBe(old);
    const verifies = (secret: string, g: Received) => {
      try {
        return new Webhook(secret).verify(g.body, g.headers as Record<string, string>) !== undefined;
      } catch {
        return false;
      }
    };
    await receive('A', 1);
    await scheduler.advance(STOCK_CHANGED_COALESCE_MS + ALERT_TICK_MS);
    expect(receiver.ok()).toHaveLength(1);
    const during = receiver.got[0]!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect([verifies(fresh, during), verifies(old!, during)]).toEqual([true, true]);
    // A receiver holding neither does not verify it: the signatures are real.
    expect(verifies(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, during)).toBe(false);

    // Past the grace only the new secret signs. The clock jumps a day (and the worker's tick is
    // run by hand: the scheduler would replay a day of one-second ticks). The webhook timestamp is
    // the signing time, and receivers refuse one more than 5 minutes from their own clock: the
    // check is made as of the delivery's own timestamp.
    scheduler.clock.advance(SECRET_ROTATION_GRACE_MS);
    await receive('A', 1);
    scheduler.clock.advance(STOCK_CHANGED_COALESCE_MS + ALERT_TICK_MS);
    await ts.alerts.tick();
    expect(receiver.got).toHaveLength(2);
    const after = receiver.got[1]!;
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    const asOfDelivery = (secret: string) => {
      const at = vi.spyOn(Date, 'now').mockReturnValue(Number(after.headers['webhook-timestamp']) * 1000);
      try {
        return verifies(secret, after);
      } finally {
        at.mockRestore();
      }
    };
    expect([asOfDelivery(fresh), asOfDelivery(old!)]).toEqual([true, false]);
  });

  it('rotating twice within the grace keeps only the secret just replaced', async () => {
    const { id, secret: first } = await subscribe({ events: ['stock.changed'] });
    const second = (await tx<{ body: Record<string, any> }>((d) => rotateSecret(d, fx.workspaceId, id, now()))).body.secret as string;
    scheduler.clock.advance(60_000);
    const third = (await tx<{ body: Record<string, any> }>((d) => rotateSecret(d, fx.workspaceId, id, now()))).body.secret as string;
    await receive('A', 1);
    await scheduler.advance(STOCK_CHANGED_COALESCE_MS + ALERT_TICK_MS);
    const g = receiver.got[0]!;
    const verifies = (secret: string) => {
      try {
        return new Webhook(secret).verify(g.body, g.headers as Record<string, string>) !== undefined;
      } catch {
        return false;
      }
    };
    expect([verifies(third), verifies(second), verifies(first!)]).toEqual([true, true, false]);
  });

  it('a subscription deleted while its delivery is in flight: the worker records nothing and goes on', async () => {
    const { id } = await subscribe({ events: ['stock.changed'] });
    const stays = await subscribe({ name: 'stays', events: ['stock.changed'] });
    let deleted: { status: number; body: Record<string, any> } | null = null;
    receiver.whileAnswering = async () => {
      receiver.whileAnswering = null;
      deleted = await tx((d) => removeSubscription(d, fx.workspaceId, id));
    };
    await receive('A', 1);
    await scheduler.advance(STOCK_CHANGED_COALESCE_MS + ALERT_TICK_MS);
    expect(deleted).toEqual({ status: 200, body: { deleted: { id, deliveries: 1 } } });
    expect(receiver.got).toHaveLength(2);
    expect(await log(id)).toEqual([]);
    expect(await ts.store.read((d) => d.all('SELECT * FROM alert_attempts WHERE delivery_id NOT IN (SELECT id FROM alert_deliveries)'))).toEqual([]);
    // The other subscription's delivery, sent in the same tick, is recorded; later work goes on.
    expect((await log(stays.id)).map((d) => d.state)).toEqual(['delivered']);
    await receive('B', 1);
    await scheduler.advance(STOCK_CHANGED_COALESCE_MS + ALERT_TICK_MS);
    expect((await log(stays.id)).map((d) => d.state)).toEqual(['delivered', 'delivered']);
  });

  it('prunes finished deliveries, their attempts and unreferenced events after the retention window, never pending ones', async () => {
    const { id } = await subscribe({ events: ['stock.changed'] });
    await receive('A', 1);
    await scheduler.advance(STOCK_CHANGED_COALESCE_MS + ALERT_TICK_MS);
    const [done] = await log(id);
    expect(done!.state).toBe('delivered');
    receiver.failFirst = 1_000;
    await receive('B', 1);
    await scheduler.advance(STOCK_CHANGED_COALESCE_MS + ALERT_TICK_MS);
    expect((await log(id)).map((d) => d.state)).toEqual(['delivered', 'pending']);
    scheduler.clock.advance(ALERT_RETENTION_MS - 60_000);
    // (Other tests' rows share this database: only this workspace's are looked at.)
    await ts.alerts.prune();
    expect((await log(id)).map((d) => d.state)).toEqual(['delivered', 'pending']); // not old enough yet
    scheduler.clock.advance(120_000);
    expect(await ts.alerts.prune()).toBeGreaterThanOrEqual(2); // at least the delivered one and its event
    expect((await log(id)).map((d) => d.state)).toEqual(['pending']);
    expect(await attempts(done!.id)).toEqual([]);
    expect((await events('stock.changed')).map((e) => JSON.parse(e.payload).data.sku)).toEqual(['B']);
  });

  it('a command that rolls back writes no alert: no coalescing row, no stock.low, no exception.opened', async () => {
    await subscribe({});
    await receive('A', 10);
    await tx((d) => setThreshold(d, fx.workspaceId, { sku: 'A', location: 'W1', low_stock: 5 }, now()));
    await scheduler.advance(STOCK_CHANGED_COALESCE_MS + ALERT_TICK_MS);
    const before = await events();
    const rows = () => ts.store.read((d) => d.all('SELECT * FROM alert_stock_changes WHERE workspace_id = ? AND pending = TRUE', [fx.workspaceId]));
    expect(await rows()).toHaveLength(0);
    boom = true;
    await expect(adjust('A', -8)).rejects.toThrow(/boom/);
    await expect(fx.ok({ type: 'allocate_order', order_reference: 'SO-1', lines: [{ sku: 'B', quantity: 2, location: 'W1' }] } as StockCommand)).rejects.toThrow(/boom/);
    boom = false;
    expect(await rows()).toHaveLength(0);
    expect(await events()).toEqual(before);
    // The same movement committed does raise them.
    await adjust('A', -8);
    const lows = await events('stock.low');
    expect(lows).toHaveLength(1);
    expect(JSON.parse(lows[0]!.payload).data).toMatchObject({ sku: 'A', location: 'W1', threshold: 'low_stock', threshold_units: 5, available: 2 });
  });

  it('stock.low fires once per crossing, for the low-stock and the reorder threshold, and re-arms above', async () => {
    await subscribe({ events: ['stock.low'] });
    await receive('A', 20);
    await tx((d) => setThreshold(d, fx.workspaceId, { sku: 'A', location: 'W1', low_stock: 5, reorder_point: 10 }, now()));
    await adjust('A', -10); // 10: reorder point reached
    await adjust('A', -1); // 9: still below, nothing new
    await adjust('A', -5); // 4: low
    await adjust('A', -1); // 3
    await adjust('A', 10); // 13: both re-armed
    await adjust('A', -9); // 4: both again
    const fired = (await events('stock.low')).map((e) => JSON.parse(e.payload).data as Record<string, unknown>);
    expect(fired).toHaveLength(4);
    expect(fired.filter((f) => f.threshold === 'reorder_point').map((f) => f.available)).toEqual([10, 4]);
    expect(fired.filter((f) => f.threshold === 'low_stock').map((f) => f.available)).toEqual([4, 4]);
    await scheduler.advance(ALERT_TICK_MS);
    expect(receiver.ok()).toHaveLength(4);
    for (const g of receiver.got) expect(g.verified).toMatchObject({ type: 'stock.low' });
  });

  it('exception.opened and exception.resolved reach a filtered subscription; a disabled one gets nothing', async () => {
    await subscribe({ events: ['exception.opened', 'exception.resolved'] });
    const off = await subscribe({ name: 'off', events: [] });
    await tx((d) => changeSubscription(d, fx.workspaceId, off.id, { enabled: false }, now()));

    await fx.ok({ type: 'allocate_order', order_reference: 'SO-9', lines: [{ sku: 'B', quantity: 2, location: 'W1' }] } as StockCommand);
    await scheduler.advance(ALERT_TICK_MS);
    const opened = bodies(receiver.ok());
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ type: 'exception.opened', data: { exception: { kind: 'oversold', severity: 'critical', sku: 'B', location: 'W1', state: 'open' } } });
    const excId = opened[0]!.data.exception.id as string;
    const resolved = await tx<{ status: number }>((d) => moveException(d, fx.workspaceId, excId, 'resolve', { resolution: 'received the missing units' }, { id: 'key_test', name: 'test' }, now()));
    expect(resolved.status).toBe(200);
    await scheduler.advance(ALERT_TICK_MS);
    const all = bodies(receiver.ok());
    expect(all.map((b) => b.type)).toEqual(['exception.opened', 'exception.resolved']);
    expect(all[1]!.data.exception).toMatchObject({ id: excId, state: 'resolved', resolution: 'received the missing units' });
    for (const g of receiver.got) expect(g.verified).toMatchObject({ data: { exception: { id: excId } } });
    expect(await log(off.id)).toHaveLength(0);
  });

  it('e-mails exceptions by severity at once, and as one digest per interval', async () => {
    await tx((d) => setSmtp(d, fx.workspaceId, { host: '127.0.0.1', port: sink.port, secure: false, from: 'truestock <alerts@example.com>' }, null, now()));
    await subscribe({ kind: 'email', url: undefined, email: 'ops@example.com', events: ['exception.opened'], min_severity: 'critical' } as SubscriptionBody & { url?: undefined });
    const digest = await subscribe({ kind: 'email', url: undefined, email: 'lead@example.com', events: ['exception.opened'], digest_minutes: 5 } as SubscriptionBody & { url?: undefined });
    await fx.ok({ type: 'allocate_order', order_reference: 'SO-1', lines: [{ sku: 'B', quantity: 1, location: 'W1' }] } as StockCommand);
    await fx.ok({ type: 'allocate_order', order_reference: 'SO-2', lines: [{ sku: 'B', quantity: 1, location: 'W1' }] } as StockCommand);
    await scheduler.advance(ALERT_TICK_MS);
    const ops = sink.mails.filter((m) => m.to.includes('ops@example.com'));
    expect(ops).toHaveLength(2);
    // Both happened in the same millisecond: they may arrive in either order.
    expect(ops.map((m) => subjectOf(m.raw)).sort()).toEqual(['SO-1', 'SO-2'].map((o) => `[truestock] critical: oversold exception opened for B at W1: order ${o} took 1 × B at W1 with 0 available: 1 oversold`));
    expect(sink.mails.filter((m) => m.to.includes('lead@example.com'))).toHaveLength(0);
    await scheduler.advance(5 * 60_000);
    const lead = sink.mails.filter((m) => m.to.includes('lead@example.com'));
    expect(lead).toHaveLength(1);
    expect(subjectOf(lead[0]!.raw)).toBe('[truestock] 2 alerts in the last 5 min');
    expect(lead[0]!.raw).toContain('SO-1');
    expect(lead[0]!.raw).toContain('SO-2');
    expect((await log(digest.id)).map((d) => d.state)).toEqual(['delivered', 'delivered']);
  });

  it('a pause and a resume are channel.status_changed events', async () => {
    await subscribe({ events: ['channel.status_changed'] });
    const { createChannel } = await import('../app/channels.ts');
    const made = await tx<any>((d) => createChannel(d, fx.workspaceId, { kind: 'custom', name: 'outlet', settings: {} } as never, now()));
    expect(made.status, JSON.stringify(made)).toBe(201);
    const channelId = made.body.channel.id as string;
    const { setPaused } = await import('../app/channel-sync.ts');
    await tx((d) => setPaused(d, fx.workspaceId, channelId, true, now()));
    await tx((d) => setPaused(d, fx.workspaceId, channelId, true, now())); // already paused: no event
    await tx((d) => setPaused(d, fx.workspaceId, channelId, false, now()));
    await scheduler.advance(ALERT_TICK_MS);
    expect(bodies(receiver.ok()).map((b) => [b.data.channel.name, b.data.status])).toEqual([['outlet', 'paused'], ['outlet', 'resumed']]);

    // Order polls failing 3 times in a row: stale once (not on the 4th), fresh on the first that works.
    const { recordPoll } = await import('../store/poll-health-repo.ts');
    // (A millisecond apart: events of one millisecond have no order among them.)
    const poll = async (outcome: { ok: true } | { ok: false; message: string }) => (scheduler.clock.advance(1), tx((d) => recordPoll(d, fx.workspaceId, channelId, outcome, now())));
    for (let i = 0; i < 4; i++) await poll({ ok: false, message: `timeout ${i}` });
    await poll({ ok: true });
    await poll({ ok: true });
    scheduler.clock.advance(1);
    // Credentials refused: paused for auth (critical), with its exception.
    const { pauseForAuth } = await import('../store/sync-repo.ts');
    await tx((d) => pauseForAuth(d, fx.workspaceId, channelId, '401 invalid token', `exc_auth${now()}`, now()));
    await scheduler.advance(ALERT_TICK_MS);
    // In the order they happened (deliveries fanned out in one tick share a millisecond).
    const statuses = bodies(receiver.ok()).slice(2).sort((a, b) => a.timestamp.localeCompare(b.timestamp)).map((b) => b.data.status);
    expect(statuses).toEqual(['stale', 'fresh', 'auth_failed']);
    const opened = (await events('exception.opened')).map((e) => JSON.parse(e.payload).data.exception);
    // The stale channel had its exception too (resolved as recovered when polls worked again).
    expect(opened).toHaveLength(2);
    expect(opened).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'channel_auth_failed', severity: 'critical', reference: channelId }), expect.objectContaining({ kind: 'channel_stale', severity: 'critical', reference: channelId })]));

    // Resumed once its credentials are fixed: the auth exception closes with the pause, as recovered.
    await tx((d) => setPaused(d, fx.workspaceId, channelId, false, now()));
    const auth = await tx<any>((d) => d.get("SELECT state, resolution_kind FROM exceptions WHERE workspace_id = ? AND kind = 'channel_auth_failed' AND reference = ?", [fx.workspaceId, channelId]));
    expect(auth).toEqual({ state: 'resolved', resolution_kind: 'recovered' });
  });
});
