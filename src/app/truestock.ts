// The composition root: open the store, bring the schema up to date, and wire the ledger, the
// key ring and the hold sweeper. The HTTP server and the CLI both start from here. Time, timers
// and randomness come in here too (`clock`, `scheduler`, `seed`): the system ones by default, a
// ManualScheduler and a seed to replay a whole run (docs/kernel.md).

import { resolve } from 'node:path';
import { migrate } from '../store/migrations.ts';
import { PostgresStore } from '../store/postgres-store.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { KeyRing } from './access.ts';
import { type Clock, systemClock } from './clock.ts';
import { HoldSweeper } from './hold-sweeper.ts';
import { BackorderAllocator } from './backorders.ts';
import { useIdRandom } from './ids.ts';
import { type Random, randomString, seededRandom, systemRandom } from './random.ts';
import { type Scheduler, SystemScheduler } from './scheduler.ts';
import { RetentionPruner } from './retention-pruner.ts';
import { Ledger, type LedgerOptions } from './ledger.ts';
import { AuditLog } from './dashboard.ts';
import { type ChannelGauges, Metrics } from './metrics.ts';
import { queueStats, syncedChannels } from '../store/sync-repo.ts';
import { onStockChanged } from './availability.ts';
import { RuleScheduler } from './rule-scheduler.ts';
import { connectorFor, PUSHED_KINDS } from '../channels/connectors.ts';
import { channelContext, mappingOf } from '../channels/context.ts';
import { kindOf, READ_BACK_KINDS } from '../channels/registry.ts';
import type { BreakerOptions } from '../sync/breaker.ts';
import { type DispatchEvents, Dispatcher, type DispatchLog } from '../sync/dispatcher.ts';
import { Reconciler } from '../sync/reconciler.ts';
import { resealChannelSettings } from '../store/channel-repo.ts';
import { resealAlertSecrets } from '../store/alert-repo.ts';
import { useSecretBox } from '../store/secret-box.ts';
import { FailureLimiter } from './failure-limit.ts';
import { loadSecretKeys, secretBoxOf, type SecretKeyConfig } from './secret-key.ts';
import { AlertDelivery, type AlertDeliveryOptions } from '../sync/alert-delivery.ts';

export interface TruestockConfig extends SecretKeyConfig {
  /** PostgreSQL when set; otherwise SQLite at `sqlitePath`. */
  databaseUrl?: string;
  sqlitePath?: string;
  poolMax?: number;
  /** What time it is; by default the scheduler's clock, else the system clock. */
  clock?: Clock;
  /** Every timer (sweeper, pruner, rules, audit flush, polls, the dispatcher's waits); by default the system's timers on `clock`. */
  scheduler?: Scheduler;
  /** Draw ids, the sync worker's name and retry jitter from a PRNG with this seed, so a run can be replayed. */
  seed?: number;
  /** Or from this source (a seed wins when both are given). Secrets (keys, tokens) never use it. */
  random?: Random;
  ledger?: LedgerOptions;
  sweepInterval_ms?: number;
  /** How long an idempotency key is remembered. */
  idempotencyRetention_ms?: number;
  /** How long a listing event (a channel's hand edit seen) is kept. */
  listingEventRetention_ms?: number;
  /** Options of the channel sync dispatcher (tests make it fast and quiet). */
  /** The alert delivery worker (tests: a fetch, a mailer, SMTP settings). */
  alerts?: Omit<AlertDeliveryOptions, 'scheduler' | 'random'>;
  sync?: { workerId?: string; leaseMs?: number; idleMs?: number; log?: DispatchLog; fetch?: typeof fetch; events?: DispatchEvents; breaker?: Partial<BreakerOptions>; staleGraceMs?: number };
}

function hours(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of hours, got ${JSON.stringify(value)}`);
  return n * 3_600_000;
}

/** Configuration from the environment: DATABASE_URL, TRUESTOCK_DB, TRUESTOCK_SECRET_KEY(_OLD, _FILE). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): TruestockConfig {
  return {
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    sqlitePath: resolve(env.TRUESTOCK_DB ?? 'truestock.db'),
    ...(env.TRUESTOCK_SECRET_KEY ? { secretKey: env.TRUESTOCK_SECRET_KEY } : {}),
    ...(env.TRUESTOCK_SECRET_KEY_OLD ? { secretKeysOld: env.TRUESTOCK_SECRET_KEY_OLD.split(',').map((k) => k.trim()).filter(Boolean) } : {}),
    ...(env.TRUESTOCK_SECRET_KEY_FILE ? { secretKeyFile: resolve(env.TRUESTOCK_SECRET_KEY_FILE) } : {}),
    ...(env.TRUESTOCK_GROUP_COMMIT === '0' ? { ledger: { groupCommit: false } } : {}),
    ...(env.TRUESTOCK_IDEMPOTENCY_RETENTION_HOURS ? { idempotencyRetention_ms: hours('TRUESTOCK_IDEMPOTENCY_RETENTION_HOURS', env.TRUESTOCK_IDEMPOTENCY_RETENTION_HOURS) } : {}),
    ...(env.TRUESTOCK_LISTING_EVENT_RETENTION_HOURS ? { listingEventRetention_ms: hours('TRUESTOCK_LISTING_EVENT_RETENTION_HOURS', env.TRUESTOCK_LISTING_EVENT_RETENTION_HOURS) } : {}),
    sync: { log: jsonLog, ...(env.TRUESTOCK_SYNC_LEASE_MS ? { leaseMs: Number(env.TRUESTOCK_SYNC_LEASE_MS) } : {}) },
  };
}

/** Per-channel sync gauges at scrape time: the queue from the store, the breaker from this process. */
async function syncGauges(store: Store, clock: Clock, sync: Dispatcher): Promise<ChannelGauges[]> {
  const now = clock.now();
  return store.read(async (db) => {
    const out: ChannelGauges[] = [];
    for (const ch of await syncedChannels(db, PUSHED_KINDS)) {
      const q = await queueStats(db, ch.id);
      const breaker = sync.status(ch.id)?.breaker.state;
      out.push({
        channel: ch.id, queue_depth: q.depth, oldest_pending_age_seconds: q.oldest_enqueued_at === null ? 0 : Math.max(0, (now - q.oldest_enqueued_at) / 1000),
        dead_letters: q.dead_letters, breaker: breaker === 'open' ? 2 : breaker === 'half_open' ? 1 : 0, paused: ch.paused ? 1 : 0,
      });
    }
    return out;
  });
}

/** The sync engine's log: one JSON line per event on stderr, with the channel and listing ids. */
export const jsonLog: DispatchLog = {
  info: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg, ...obj })}\n`),
  warn: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 'warn', time: new Date().toISOString(), msg, ...obj })}\n`),
};

export function openStore(config: TruestockConfig): Store {
  return config.databaseUrl
    ? new PostgresStore(config.databaseUrl, { poolMax: config.poolMax ?? 10 })
    : new SqliteStore(config.sqlitePath ?? 'truestock.db');
}

export class Truestock {
  /** Reads channels back and handles drift (`reconciler.start()` beside the dispatcher; tests call `tick()`). */
  readonly reconciler: Reconciler;
  /** Delivers alerts (webhooks, e-mail) from the alert outbox (`alerts.start()` beside the dispatcher; tests call `tick()`). */
  alerts!: AlertDelivery;
  /** Failed sign-ins and key checks per source and account (docs/security.md). */
  readonly failures = new FailureLimiter();
  /** Allocates backordered order lines as their fences fill, oldest first (`backorders.start()` beside the rules; tests call `tick()`). */
  backorders!: BackorderAllocator;

  private constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly ledger: Ledger,
    readonly keys: KeyRing,
    readonly sweeper: HoldSweeper,
    readonly metrics: Metrics,
    readonly pruner: RetentionPruner,
    /** Starts and ends channel rules on time (`rules.start()` beside the sweeper; tests call `tick()`). */
    readonly rules: RuleScheduler,
    /** Pushes channel numbers out (`sync.start()` in `serve` and `worker`; tests call `drainOnce`). */
    readonly sync: Dispatcher,
    /** Who did what over HTTP, written in small batches. */
    readonly audit: AuditLog,
    /** Where every timer is set (a ManualScheduler in a replayed run). */
    readonly scheduler: Scheduler,
    /** Where ids and jitter draw from. */
    readonly random: Random,
    /** Whether `random` is a seeded source (a replayed run), not the system's. */
    readonly seeded: boolean,
    /** How channels are reached (tests: an emulator's fetch); absent: the global fetch. */
    readonly fetchImpl?: typeof fetch,
    log?: DispatchLog,
  ) {
    this.reconciler = new Reconciler(this, { connect: (ch) => connectorFor(ch, { clock: this.clock, ...(fetchImpl ? { fetch: fetchImpl } : {}) }), mapping: mappingOf, context: (ch) => channelContext(ch), lags: (k) => kindOf(k).lags }, READ_BACK_KINDS, log ? { log } : {});
  }

  static async open(config: TruestockConfig): Promise<Truestock> {
    const store = openStore(config);
    try {
      await migrate(store);
      // Channel credentials are sealed at rest (docs/security.md); rows in clear from before, or
      // sealed with an older key during a rotation, are sealed with the current key now.
      const { keys, file } = loadSecretKeys(config);
      const box = secretBoxOf(keys, file ?? 'TRUESTOCK_SECRET_KEY');
      useSecretBox(box);
      await store.transaction(async (db) => {
        await resealChannelSettings(db, box);
        await resealAlertSecrets(db, box);
      });
    } catch (err) {
      await store.close();
      throw err;
    }
    const clock = config.clock ?? config.scheduler?.clock ?? systemClock;
    const scheduler = config.scheduler ?? new SystemScheduler(clock);
    if (scheduler.clock !== clock) throw new Error('the scheduler must run on the clock Truestock is given');
    const random = config.seed !== undefined ? seededRandom(config.seed) : config.random ?? systemRandom;
    const seeded = random !== systemRandom;
    // Ids are made all over the code, so their source is set for the process (see ids.ts).
    if (seeded) useIdRandom(random);
    const metrics = new Metrics();
    // Channel availability changes in the same transaction as the stock it comes from.
    const extra = config.ledger?.afterWrite;
    const afterWrite: LedgerOptions['afterWrite'] = extra
      ? async (db, changed, now) => (await onStockChanged(db, changed, now), await extra(db, changed, now))
      : onStockChanged;
    const { fetch: fetchImpl, events, ...syncOpts } = config.sync ?? {};
    const sync = new Dispatcher(store, clock, (ch) => connectorFor(ch, { clock, ...(fetchImpl ? { fetch: fetchImpl } : {}) }), PUSHED_KINDS, {
      // A replayed run names its worker from the seed, not the process id.
      ...(seeded ? { workerId: `worker-${randomString(random, 6)}` } : {}),
      random, scheduler,
      ...syncOpts,
      events: {
        onCall: (c, r) => (metrics.syncEvents.onCall(c, r), events?.onCall?.(c, r)),
        onPushed: (c, lag, push) => (metrics.syncEvents.onPushed(c, lag), events?.onPushed?.(c, lag, push)),
      },
    });
    metrics.watchSync(() => syncGauges(store, clock, sync));
    // A committed batch may have queued new numbers: the dispatcher looks at once.
    const onBatch = (size: number, ms: number) => (metrics.onBatch(size, ms), sync.poke());
    const ledger = new Ledger(store, clock, { onBatch, onOutcome: metrics.onOutcome, ...config.ledger, afterWrite });
    const truestock = new Truestock(
      store, clock, ledger, new KeyRing(store, clock), new HoldSweeper(ledger, config.sweepInterval_ms, scheduler), metrics,
      new RetentionPruner(store, clock, {
        ...(config.idempotencyRetention_ms !== undefined ? { idempotency_ms: config.idempotencyRetention_ms } : {}),
        ...(config.listingEventRetention_ms !== undefined ? { listingEvents_ms: config.listingEventRetention_ms } : {}),
      }, scheduler), new RuleScheduler(ledger, undefined, scheduler), sync,
      new AuditLog(store, undefined, scheduler), scheduler, random, seeded, fetchImpl, syncOpts.log,
    );
    truestock.alerts = new AlertDelivery(store, clock, { ...config.alerts, scheduler, random });
    truestock.backorders = new BackorderAllocator(ledger, undefined, scheduler);
    return truestock;
  }

  async close(): Promise<void> {
    await this.reconciler.stop();
    await this.sync.stop();
    await this.alerts.stop();
    await this.audit.flush();
    await this.sweeper.stop();
    await this.pruner.stop();
    await this.rules.stop();
    await this.backorders.stop();
    await this.ledger.drain();
    await this.store.close();
    if (this.seeded) useIdRandom(null);
  }
}
