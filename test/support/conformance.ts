// The conformance kit (docs/channels.md "The conformance kit"): one suite every pair of a channel
// kind's connector and its emulator runs, on SQLite and on PostgreSQL. It drives the real
// product — a listening server whose one webhook route receives the emulator's signed
// deliveries, the real dispatcher pushing through the kind's connector, the real poll scheduler —
// and checks what the kind's declared capabilities promise. A check that cannot apply to a kind
// is skipped under a name that says why, never silently.
//
//   describeChannel('shopify', startShopifyAdapter);   // test/conformance/shopify.test.ts

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createChannel } from '../../src/app/channels.ts';
import { createListing } from '../../src/app/listings.ts';
import { Truestock } from '../../src/app/truestock.ts';
import type { Capabilities } from '../../src/channels/kind.ts';
import { pollChannel, PollScheduler } from '../../src/channels/poll-scheduler.ts';
import { kindOf } from '../../src/channels/registry.ts';
import { startServer } from '../../src/http/server.ts';
import { channelById } from '../../src/store/channel-event-repo.ts';
import { channelSyncOf, writeChannelSync } from '../../src/store/sync-repo.ts';
import type { Connector, PushItem } from '../../src/sync/connector.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './truestock.ts';
import { type CapturedDelivery, WebhookTap } from './webhook-tap.ts';

/** A listing's identifiers on the channel (what `listings.external` holds). */
export type External = Record<string, string>;

export interface EmulatorOptions {
  /** The channel's rate budget: how many tokens it holds and restores per second (the emulator's default when absent). */
  budget?: { size: number; perSecond: number };
}

/** What a submission the channel is processing becomes when the test settles it. */
export type SubmissionFate = 'applied' | 'rejected';

/**
 * One emulated channel as the kit drives it: a small adapter over a kind's emulator. Everything
 * happens the way it would on the real channel (a customer orders, a merchant edits a level, the
 * API goes down); the kit only ever sees truestock's side through truestock.
 */
export interface EmulatedChannel {
  /** The settings to create the channel with; the channel's one location maps to truestock's `location` code. */
  settings(location: string): Record<string, unknown>;
  /** The fetch truestock's connector and poller use to reach the emulator (default: the global fetch). */
  readonly fetch?: typeof fetch;
  /** A new item the channel sells, showing `level`; returns the listing's identifiers for it. */
  addItem(sku: string, level: number): External;
  /** Identifiers of a listing the channel does not know: it will reject pushes to it. */
  unknownListing(): External;
  /** What the channel shows for a listing now (null: nothing). */
  shown(external: External): number | null;
  /** Webhooks of the channel go to this address (the kit's tap in front of truestock's route). */
  subscribe(url: string): void;
  /** Resolves when every delivery the channel has queued was attempted. */
  flushWebhooks(): Promise<void>;
  /** A customer orders (by SKU); returns the channel's order id. */
  placeOrder(lines: { sku: string; quantity: number }[]): string;
  cancelOrder(orderId: string): void;
  /** The order is fulfilled on the channel (if the channel needs that first), then refunded with the units restocked. */
  refundWithRestock(orderId: string, lines: { sku: string; quantity: number }[]): void;
  /** A merchant sets the level by hand in the channel's admin. */
  handEdit(external: External, level: number): void;
  /** The channel's API is down (503 or reset) until switched off. */
  outage(on: boolean): void;
  /** Webhook fault switches: drop every delivery, send each twice, swap neighbours. */
  faults(f: { drop?: boolean; duplicate?: boolean; reorder?: boolean }): void;
  /** Ways to forge a captured genuine delivery: bytes and headers whose proof does not hold. */
  forge(genuine: CapturedDelivery): CapturedDelivery[];
  /** The channel refuses truestock's credentials (as after the merchant revoked the app). */
  revokeCredentials(revoked: boolean): void;
  /** Another client of the same account spends the whole rate budget (optional). */
  spendBudget?(): Promise<void>;
  /** Throttled answers the emulator gave (rate-limit violations) and API calls it answered. */
  counters(): { throttled: number; calls: number };
  /** Async kinds: settle every submission still processing, each listing by `fate`. */
  settleSubmissions?(fate: (external: External) => SubmissionFate): void;
  close(): Promise<void>;
}

export type StartEmulator = (options: EmulatorOptions) => Promise<EmulatedChannel>;

/**
 * What a kind's channel cannot do although its capabilities would let a check apply, each with
 * the reason (the check is skipped under it, never silently): Amazon has no merchant-fulfilled
 * returns API to refund with restock.
 */
export interface Unsupported {
  /** The channel cannot refund an order with its units restocked (the refund step of the order lifecycle). */
  refundWithRestock?: string;
  /** The channel's events in do not report a level a merchant set by hand (the two hand-edit checks). */
  handEdits?: string;
  /**
   * The channel sends no webhook when an order is cancelled (eBay's ORDER_CONFIRMATION is its only
   * order topic): the order lifecycle check polls for the cancellation instead (needs `polling`).
   */
  cancellationWebhooks?: string;
  /** The channel's orders cannot be cancelled (a POS sale is final; a return undoes it): the cancellation steps. */
  cancelOrders?: string;
}

/** How long a check waits for truestock to converge before it fails. */
const CONVERGE_MS = 15_000;
/** The dispatcher's grace before it pushes over an unexplained decrease; short, so checks do not wait 5 s. */
const STALE_GRACE_MS = 300;
/** The outage the breaker check survives. */
const OUTAGE_MS = 30_000;
const LOCATION = 'W1';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until `ok` holds or `ms` pass; the caller asserts afterwards, so a timeout fails with the real values. */
async function until(ok: () => boolean | Promise<boolean>, ms = CONVERGE_MS): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end && !(await ok()); ) await sleep(50);
}

/** The reason a check does not apply to a kind, or null when it does. */
type Applies = (caps: Capabilities) => string | null;
const needs = (cap: keyof Capabilities): Applies => (caps) => (caps[cap] ? null : `the kind declares no ${cap}`);
const always: Applies = () => null;

/**
 * The conformance suite for `kind`: every check an `it`, on SQLite and PostgreSQL. Checks that
 * do not apply to the kind's declared capabilities are `it.skip`ped with the reason in their name.
 */
export function describeChannel(kind: string, startEmulator: StartEmulator, unsupported: Unsupported = {}): void {
  const spec = kindOf(kind);
  const caps = spec.capabilities;
  /** Applies when `applies` does and the kind's channel supports `what`. */
  const unless = (what: keyof Unsupported, applies: Applies): Applies => (c) => applies(c) ?? unsupported[what] ?? null;

  describe.each(STORE_KINDS)(`${spec.label} conformance on %s`, (store) => {
    let db: TestDatabase;
    let ts: Truestock;
    let server: { url: string; close(): Promise<void> };
    /** The emulator of the running check: the one truestock's fetch goes to. */
    let current: EmulatedChannel | null = null;
    const viaEmulator: typeof fetch = (input, init) => (current?.fetch ?? fetch)(input, init);
    const opened: { close(): Promise<void> }[] = [];
    const channels: { ws: string; id: string }[] = [];

    beforeAll(async () => {
      db = await createDatabase(store);
      ts = await Truestock.open({
        ...db.config,
        // A short open period so the outage check does not wait out the production 30 s–5 min.
        sync: { idleMs: 20, fetch: viaEmulator, staleGraceMs: STALE_GRACE_MS, breaker: { openMs: 2_000, openMaxMs: 4_000 } },
      });
      server = await startServer({ truestock: ts, host: '127.0.0.1', port: 0, logger: false });
      ts.sync.start();
    });
    afterEach(async () => {
      // The check's channel stops here, so the dispatcher leaves its closed emulator alone.
      await ts.store.transaction(async (d) => { for (const c of channels.splice(0)) await writeChannelSync(d, c.ws, c.id, { paused: true, hidden_skus: [] }, ts.clock.now()); });
      await ts.sync.refresh(true);
      for (const o of opened.splice(0)) await o.close();
      current = null;
    });
    afterAll(async () => {
      await ts?.sync.stop();
      await server?.close();
      await ts?.close();
      await db?.drop();
    });

    /** A check, or a skip that says why it does not apply. */
    function check(name: string, applies: Applies, fn: () => Promise<void>, timeoutMs = 60_000): void {
      const why = applies(caps);
      if (why === null) it(name, fn, timeoutMs);
      else it.skip(`${name} — not applicable: ${why}`, () => {});
    }

    /**
     * A fresh emulated channel and a workspace: SKUs listed on it, truestock holding `stock` of
     * each at W1 (pushed before the check starts), webhooks going through the tap to the route.
     */
    async function world(opts: { skus?: string[]; stock?: number; settings?: Record<string, unknown>; budget?: EmulatorOptions['budget'] } = {}) {
      const skus = opts.skus ?? ['A', 'B'];
      const stock = opts.stock ?? 10;
      const emu = await startEmulator({ ...(opts.budget ? { budget: opts.budget } : {}) });
      opened.push(emu);
      current = emu;
      const f = await Fixture.create(ts, { skus, locations: [[LOCATION, 'warehouse']] });
      const ws = f.workspaceId;
      const external = new Map(skus.map((sku) => [sku, emu.addItem(sku, 0)]));
      const { channel, listings } = await ts.store.transaction(async (d) => {
        const now = ts.clock.now();
        const c = await createChannel(d, ws, { kind, name: `conformance-${Math.random().toString(36).slice(2, 8)}`, settings: { ...emu.settings(LOCATION), ...opts.settings } }, now);
        if ('code' in c) throw new Error(c.detail);
        const id = (c.body.channel as { id: string }).id;
        const ls = new Map<string, string>();
        for (const sku of skus) {
          const l = await createListing(d, ws, { channel: id, sku, external: external.get(sku)! }, now);
          if ('code' in l) throw new Error(l.detail);
          ls.set(sku, (l.body.listing as { id: string }).id);
        }
        return { channel: id, listings: ls };
      });
      channels.push({ ws, id: channel });
      const tap = await WebhookTap.start(`${server.url}/v1/channels/${channel}/webhooks`);
      opened.push(tap);
      if (caps.webhooks) emu.subscribe(tap.url);
      for (const sku of skus) if (stock > 0) await f.ok({ type: 'receive', sku, location: LOCATION, quantity: stock });
      await ts.sync.refresh(true);
      if (caps.asyncSubmissions && emu.settleSubmissions && stock > 0) {
        // The channel applies the starting numbers in its own time (seconds on the emulators, so
        // every check of an asynchronous kind would first wait that out). Every check starts from
        // them applied, so once they are submitted the kit moves the channel's clock past its
        // processing, as the asynchronous check does; the checks' own pushes still take the
        // channel's time.
        const submitted = async () => Number((await ts.store.read((d) => d.get<{ n: number }>(
          'SELECT COUNT(DISTINCT listing_id) AS n FROM channel_submissions WHERE channel_id = ? AND quantity = ?', [channel, stock])))?.n ?? 0);
        await until(async () => (await submitted()) >= skus.length);
        emu.settleSubmissions(() => 'applied');
      }
      const shown = (sku: string) => emu.shown(external.get(sku)!);
      await until(() => skus.every((s) => shown(s) === stock));
      expect(skus.map(shown), 'the starting numbers were pushed').toEqual(skus.map(() => stock));
      await emu.flushWebhooks();
      return { emu, f, ws, channel, listings, external, tap, shown, skus };
    }
    type World = Awaited<ReturnType<typeof world>>;

    // ---- what truestock holds, read from its store -----------------------------------------------

    const level = async (w: World, sku: string) => {
      const r = await ts.store.read((d) => d.get<Record<string, number>>(
        'SELECT sl.available, sl.committed, sl.quality_control FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE i.workspace_id = ? AND i.sku = ?', [w.ws, sku]));
      return { available: Number(r?.available ?? 0), committed: Number(r?.committed ?? 0), quality_control: Number(r?.quality_control ?? 0) };
    };
    const holds = (w: World) => ts.store.read((d) => d.all<{ id: string; state: string }>('SELECT id, state FROM holds WHERE workspace_id = ? AND channel_id = ? ORDER BY created_at', [w.ws, w.channel]));
    const allocated = async (w: World) => (await holds(w)).filter((h) => h.state === 'allocated');
    const exceptionsOf = (w: World, kind: string) => ts.store.read((d) => d.all<{ message: string }>('SELECT message FROM exceptions WHERE workspace_id = ? AND kind = ?', [w.ws, kind]));
    const outboxDepth = async (w: World) => Number((await ts.store.read((d) => d.get<{ n: number }>('SELECT COUNT(*) AS n FROM channel_outbox WHERE channel_id = ?', [w.channel])))!.n);
    const deadLetters = async (w: World) => ts.store.read((d) => d.all<{ listing_id: string; dead_reason: string }>('SELECT listing_id, dead_reason FROM listing_sync WHERE channel_id = ? AND dead_at IS NOT NULL', [w.channel]));
    const pushedOf = async (listingId: string) => {
      const r = await ts.store.read((d) => d.get<{ q: number | null }>('SELECT pushed_quantity AS q FROM listing_sync WHERE listing_id = ?', [listingId]));
      return r?.q === null || r?.q === undefined ? null : Number(r.q);
    };
    const converged = async (w: World) => {
      for (const sku of w.skus) if (w.shown(sku) !== (await level(w, sku)).available) return false;
      return (await outboxDepth(w)) === 0;
    };
    const connector = (w: World): Connector => {
      const made = spec.connect?.(w.emu.settings(LOCATION), { clock: ts.clock, fetch: viaEmulator });
      if (!made || 'code' in made) throw new Error(`${kind} did not connect: ${made ? made.detail : 'no connect()'}`);
      return made;
    };
    const item = (listingId: string, external: External, quantity: number, expected: number | null, version = 1): PushItem => ({ listingId, version, external, quantity, expected });

    // ---- pushing ----------------------------------------------------------------------------------

    check('a push is acknowledged: the channel shows the number and truestock records it as pushed', always, async () => {
      const w = await world();
      await w.f.ok({ type: 'receive', sku: 'A', location: LOCATION, quantity: 5 });
      await until(async () => w.shown('A') === 15 && (await pushedOf(w.listings.get('A')!)) === 15);
      expect(w.shown('A')).toBe(15);
      expect(await pushedOf(w.listings.get('A')!)).toBe(15);
      expect(await outboxDepth(w)).toBe(0);
      expect(ts.sync.status(w.channel)!.calls.ok).toBeGreaterThan(0);
    });

    check('a stale compare is detected: a number that moved on the channel is read back, not overwritten blindly', needs('compareAndSet'), async () => {
      const w = await world();
      // A change truestock has not heard of: its webhook is lost.
      w.emu.faults({ drop: true });
      w.emu.handEdit(w.external.get('A')!, 4);
      await w.f.ok({ type: 'receive', sku: 'A', location: LOCATION, quantity: 1 }); // ours: 11, expected 10
      const seen = async () => Number((await ts.store.read((d) => d.get<{ shown: number | null }>('SELECT shown_quantity AS shown FROM listing_sync WHERE listing_id = ?', [w.listings.get('A')!])))?.shown ?? NaN);
      await until(async () => ts.sync.status(w.channel)!.stale > 0 && [4, 11].includes(await seen()));
      expect(ts.sync.status(w.channel)!.stale).toBeGreaterThan(0);
      // What it showed was read back; after the grace truestock's number goes over the unexplained decrease.
      expect([4, 11]).toContain(await seen());
      await until(() => converged(w));
      expect(w.shown('A')).toBe(11);
      w.emu.faults({ drop: false });
    });

    check('one rejected item does not fail the rest: it is dead-lettered, the others go', always, async () => {
      const w = await world({ skus: ['A', 'B', 'C'] });
      const c = w.listings.get('C')!;
      await ts.store.transaction((d) => d.run('UPDATE listings SET external = ? WHERE id = ?', [JSON.stringify(w.emu.unknownListing()), c]));
      for (const sku of ['A', 'B', 'C']) await w.f.ok({ type: 'receive', sku, location: LOCATION, quantity: 2 });
      await until(async () => w.shown('A') === 12 && w.shown('B') === 12 && (await deadLetters(w)).length === 1);
      expect([w.shown('A'), w.shown('B')]).toEqual([12, 12]);
      const dead = await deadLetters(w);
      expect(dead.map((r) => r.listing_id)).toEqual([c]);
      expect(await exceptionsOf(w, 'sync_dead_letter')).toHaveLength(1);
    });

    check('under a small budget the emulator counts no throttled answer; after another client spends it, the wait it asks for is honoured', always, async () => {
      const w = await world({ budget: { size: 40, perSecond: 10 }, skus: ['A', 'B'] });
      for (let i = 0; i < 8; i++) await w.f.ok({ type: 'receive', sku: i % 2 ? 'A' : 'B', location: LOCATION, quantity: 1 });
      await until(() => converged(w), 20_000);
      expect([w.shown('A'), w.shown('B')]).toEqual([14, 14]);
      expect(w.emu.counters().throttled).toBe(0);
      if (!w.emu.spendBudget) return;
      // Another app empties the budget: at most the first push is throttled, and truestock then
      // waits as told (Retry-After / the channel's bucket) instead of asking again at once.
      await w.emu.spendBudget();
      await w.f.ok({ type: 'receive', sku: 'A', location: LOCATION, quantity: 1 });
      await until(() => converged(w), 20_000);
      expect(w.shown('A')).toBe(15);
      expect(ts.sync.status(w.channel)!.calls.throttled).toBeLessThanOrEqual(1);
      expect(w.emu.counters().throttled).toBeLessThanOrEqual(1);
    });

    check('an auth failure pauses the channel with one exception (channel_auth_failed) and dead-letters nothing', always, async () => {
      const w = await world();
      w.emu.revokeCredentials(true);
      await w.f.ok({ type: 'receive', sku: 'A', location: LOCATION, quantity: 1 });
      await w.f.ok({ type: 'receive', sku: 'B', location: LOCATION, quantity: 1 });
      const paused = async () => (await ts.store.read((d) => channelSyncOf(d, w.channel))).paused;
      await until(paused);
      expect(await ts.store.read((d) => channelSyncOf(d, w.channel))).toMatchObject({ paused: true, paused_reason: 'auth' });
      if (caps.polling) {
        // The poll is refused too: still one exception.
        const ch = (await ts.store.read((d) => channelById(d, w.channel)))!;
        expect((await pollChannel(ts, ch, { fetch: viaEmulator })).status).toBe('auth');
      }
      await sleep(300);
      expect(await exceptionsOf(w, 'channel_auth_failed')).toHaveLength(1);
      expect(await deadLetters(w)).toEqual([]);
      expect(await exceptionsOf(w, 'sync_dead_letter')).toEqual([]);
      // Nothing was lost: the numbers wait in the queue for the channel to be resumed.
      expect(await outboxDepth(w)).toBe(2);
      expect([w.shown('A'), w.shown('B')]).toEqual([10, 10]);
    });

    check('one push intent applies once: the same call again does not apply a second time', always, async () => {
      const w = await world();
      // An item truestock does not list, so the dispatcher leaves it alone.
      const ext = w.emu.addItem('INTENT', 10);
      const c = connector(w);
      const intent = item('lst_conformance_intent', ext, 8, 10, 7);
      const first = await c.push([intent]);
      expect(first.ok && first.outcomes[0]!.status).toMatch(/^(acknowledged|submitted)$/);
      if (caps.asyncSubmissions) w.emu.settleSubmissions?.(() => 'applied');
      expect(w.emu.shown(ext)).toBe(8);
      w.emu.handEdit(ext, 5); // the channel moves on (an order)
      const again = await c.push([intent]); // a retry of the same intent (its answer was lost)
      if (caps.asyncSubmissions) w.emu.settleSubmissions?.(() => 'applied');
      expect(again.ok, JSON.stringify(again)).toBe(true);
      expect(w.emu.shown(ext)).toBe(5);
      // A new intent (a new version) is a new call.
      const next = await c.push([{ ...intent, version: 8, expected: 5 }]);
      if (caps.asyncSubmissions) w.emu.settleSubmissions?.(() => 'applied');
      expect(next.ok && next.outcomes[0]!.status).toMatch(/^(acknowledged|submitted)$/);
      expect(w.emu.shown(ext)).toBe(8);
    });

    check('read-back says what the channel shows, and null for a listing it does not know', needs('readBack'), async () => {
      const w = await world();
      w.emu.faults({ drop: true });
      w.emu.handEdit(w.external.get('B')!, 3);
      const c = connector(w);
      const read = await c.readBack([item(w.listings.get('A')!, w.external.get('A')!, 10, 10), item(w.listings.get('B')!, w.external.get('B')!, 10, 10), item('lst_unknown', w.emu.unknownListing(), 1, null)]);
      expect(read).toMatchObject({ ok: true, shown: [10, 3, null] });
      w.emu.faults({ drop: false });
    });

    check('an asynchronous submission completes, or reports its items’ errors', needs('asyncSubmissions'), async () => {
      const w = await world({ skus: ['A', 'B'] });
      await w.f.ok({ type: 'receive', sku: 'A', location: LOCATION, quantity: 1 });
      await w.f.ok({ type: 'receive', sku: 'B', location: LOCATION, quantity: 1 });
      // The new numbers' submissions (those of the starting numbers may still be followed).
      const submitted = () => ts.store.read((d) => d.all<{ listing_id: string }>('SELECT listing_id FROM channel_submissions WHERE channel_id = ? AND quantity = 11', [w.channel]).catch(() => []));
      await until(async () => (await submitted()).length >= 2);
      const bExternal = JSON.stringify(w.external.get('B'));
      w.emu.settleSubmissions!((ext) => (JSON.stringify(ext) === bExternal ? 'rejected' : 'applied'));
      await until(async () => (await pushedOf(w.listings.get('A')!)) === 11 && (await deadLetters(w)).length === 1);
      expect(await pushedOf(w.listings.get('A')!)).toBe(11);
      expect((await deadLetters(w)).map((r) => r.listing_id)).toEqual([w.listings.get('B')!]);
    });

    // ---- events in ----------------------------------------------------------------------------------

    check('forged deliveries are refused with 401; a redelivery answers duplicate and applies nothing', needs('webhooks'), async () => {
      const w = await world();
      w.tap.mode = 'hold';
      w.emu.placeOrder([{ sku: 'A', quantity: 2 }]);
      await w.emu.flushWebhooks();
      expect(w.tap.held.length).toBeGreaterThan(0);
      for (const genuine of w.tap.held) {
        for (const forged of w.emu.forge(genuine)) expect((await w.tap.send(forged)).status).toBe(401);
      }
      expect(await holds(w)).toEqual([]);
      expect(await level(w, 'A')).toMatchObject({ available: 10, committed: 0 });
      for (const genuine of w.tap.held) expect((await w.tap.send(genuine)).status).toBe(200);
      expect(await allocated(w)).toHaveLength(1);
      for (const genuine of w.tap.held) expect(await w.tap.send(genuine)).toMatchObject({ status: 200, body: { status: 'duplicate' } });
      expect(await allocated(w)).toHaveLength(1);
      expect(await level(w, 'A')).toMatchObject({ available: 8, committed: 2 });
    });

    check('a dropped webhook is caught by the poll', (c) => (c.polling && c.webhooks ? null : `the kind declares ${c.polling ? 'no webhooks to drop' : 'no polling'}`), async () => {
      const w = await world();
      w.emu.faults({ drop: true });
      w.emu.placeOrder([{ sku: 'B', quantity: 4 }]);
      await w.emu.flushWebhooks();
      expect(await holds(w)).toEqual([]);
      await new PollScheduler(ts, { fetch: viaEmulator }).tick();
      await until(async () => (await allocated(w)).length === 1);
      expect(await allocated(w)).toHaveLength(1);
      expect(await level(w, 'B')).toMatchObject({ available: 6, committed: 4 });
      w.emu.faults({ drop: false });
    });

    check('out-of-order events end right: a cancellation before its order stays cancelled', unless('cancelOrders', needs('webhooks')), async () => {
      const w = await world();
      w.tap.mode = 'hold';
      const order = w.emu.placeOrder([{ sku: 'A', quantity: 3 }]);
      w.emu.cancelOrder(order);
      await w.emu.flushWebhooks();
      // Every delivery in reverse: the cancellation arrives first, the order after it.
      for (const d of [...w.tap.held].reverse()) expect((await w.tap.send(d)).status).toBe(200);
      expect(await allocated(w)).toEqual([]);
      expect(await level(w, 'A')).toMatchObject({ available: 10, committed: 0 });
      // The emulator's own reorder switch: each delivery swapped with the next.
      w.tap.mode = 'forward';
      w.emu.faults({ reorder: true });
      const other = w.emu.placeOrder([{ sku: 'B', quantity: 2 }]);
      w.emu.cancelOrder(other);
      await w.emu.flushWebhooks();
      w.emu.faults({ reorder: false });
      expect(await allocated(w)).toEqual([]);
      expect(await level(w, 'B')).toMatchObject({ available: 10, committed: 0 });
    });

    const reportsOrders: Applies = (c) => (c.webhooks || c.polling ? null : 'the kind reports no orders');
    check('an order placed is allocated once, cancelled is released', reportsOrders, async () => {
      const w = await world();
      const poller = new PollScheduler(ts, { fetch: viaEmulator });
      const arrive = async () => {
        await w.emu.flushWebhooks();
        if (!caps.webhooks) await poller.tick();
      };
      if (caps.webhooks) w.emu.faults({ duplicate: true });
      const first = w.emu.placeOrder([{ sku: 'A', quantity: 3 }]);
      await arrive();
      await until(async () => (await allocated(w)).length === 1);
      expect(await allocated(w)).toHaveLength(1);
      expect(await level(w, 'A')).toMatchObject({ available: 7, committed: 3 });
      if (caps.webhooks) expect(w.tap.duplicates().length).toBeGreaterThan(0);
      if (unsupported.cancelOrders) {
        // Placed and allocated once is all a channel whose orders cannot be cancelled can show.
        w.emu.faults({ duplicate: false });
        return;
      }
      w.emu.cancelOrder(first);
      await arrive();
      if (caps.webhooks && caps.polling && unsupported.cancellationWebhooks) await poller.tick();
      await until(async () => (await level(w, 'A')).committed === 0);
      expect(await allocated(w)).toEqual([]);
      expect(await level(w, 'A')).toMatchObject({ available: 10, committed: 0 });
      w.emu.faults({ duplicate: false });
    });

    check('an order shipped, then refunded with restock, is a return in quality_control', unless('refundWithRestock', reportsOrders), async () => {
      const w = await world();
      const poller = new PollScheduler(ts, { fetch: viaEmulator });
      const arrive = async () => {
        await w.emu.flushWebhooks();
        if (!caps.webhooks) await poller.tick();
      };
      const second = w.emu.placeOrder([{ sku: 'B', quantity: 2 }]);
      await arrive();
      await until(async () => (await allocated(w)).length === 1);
      const [hold] = await allocated(w);
      await w.f.ok({ type: 'ship', hold_id: hold!.id });
      w.emu.refundWithRestock(second, [{ sku: 'B', quantity: 2 }]);
      await arrive();
      await until(async () => (await level(w, 'B')).quality_control === 2);
      expect(await level(w, 'B')).toMatchObject({ available: 8, committed: 0, quality_control: 2 });
      const returns = await ts.store.read((d) => d.all<{ state: string }>('SELECT state FROM returns WHERE workspace_id = ? AND channel_id = ?', [w.ws, w.channel]));
      expect(returns).toEqual([{ state: 'open' }]);
    });

    check('a hand edit under master_wins is pushed back to truestock’s number', unless('handEdits', needs('webhooks')), async () => {
      const w = await world({ settings: { edit_policy: 'master_wins', edit_grace_seconds: 0 } });
      w.emu.handEdit(w.external.get('A')!, 7);
      await w.emu.flushWebhooks();
      await until(() => w.shown('A') === 10 && ts.sync.status(w.channel)!.calls.ok > 1);
      expect(w.shown('A')).toBe(10);
      expect(await level(w, 'A')).toMatchObject({ available: 10 });
      await w.emu.flushWebhooks(); // our own push's echo changes nothing
      expect(await level(w, 'A')).toMatchObject({ available: 10 });
    });

    check('a hand edit under adopt is booked as a channel_edit adjustment', unless('handEdits', needs('webhooks')), async () => {
      const w = await world({ settings: { edit_policy: 'adopt' } });
      // An asynchronous kind acknowledges the starting number a moment after the channel shows it,
      // and adopt books an edit against the number acknowledged (without one it puts ours back).
      await until(async () => (await pushedOf(w.listings.get('A')!)) === 10);
      w.emu.handEdit(w.external.get('A')!, 7);
      await w.emu.flushWebhooks();
      await until(async () => (await level(w, 'A')).available === 7);
      expect(await level(w, 'A')).toMatchObject({ available: 7 });
      const moves = await ts.store.read((d) => d.all<{ quantity: number; to_account: string }>("SELECT quantity, to_account FROM movements WHERE workspace_id = ? AND reason = 'channel_edit'", [w.ws]));
      expect(moves.map((m) => [Number(m.quantity), m.to_account])).toEqual([[3, 'adjustment']]);
      await sleep(STALE_GRACE_MS * 2);
      expect(w.shown('A')).toBe(7);
    });

    // ---- an outage ----------------------------------------------------------------------------------

    check('a 30 s outage opens the breaker, and every number converges after it', always, async () => {
      const w = await world({ skus: ['A', 'B', 'C', 'D'], stock: 50 });
      w.emu.outage(true);
      const end = Date.now() + OUTAGE_MS;
      let n = 0;
      // Orders keep coming in from elsewhere while the channel is down.
      while (Date.now() < end - 1_000) {
        await w.f.ok({ type: 'allocate_order', lines: [{ sku: w.skus[n % w.skus.length]!, quantity: 1, location: LOCATION }], order_reference: `ELSEWHERE-${n++}` });
        await sleep(250);
      }
      expect(w.skus.map(w.shown)).toEqual([50, 50, 50, 50]);
      const during = ts.sync.status(w.channel)!;
      expect(during.calls.transient).toBeGreaterThan(0);
      expect(['open', 'half_open']).toContain(during.breaker.state);
      await sleep(Math.max(0, end - Date.now()));
      w.emu.outage(false);
      await until(() => converged(w), 15_000);
      expect(w.skus.map(w.shown)).toEqual(await Promise.all(w.skus.map(async (s) => (await level(w, s)).available)));
      expect(w.skus.map(w.shown).reduce((a, b) => a! + b!, 0)).toBe(200 - n);
      expect(await outboxDepth(w)).toBe(0);
      expect(ts.sync.status(w.channel)!.breaker.state).toBe('closed');
      expect(w.emu.counters().throttled).toBe(0);
    }, 70_000);
  });
}
