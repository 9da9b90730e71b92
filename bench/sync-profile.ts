// Profiling harness for the Shopify sync burst (not part of `npm run bench`): runs syncBench on
// one store with the pg client's statements timed and counted, wait events sampled from
// pg_stat_activity, the event loop's utilization per second, and the dispatcher's lag samples
// per second of the burst (raise, confirm or lower). `npx tsx bench/sync-profile.ts [--store
// postgres|sqlite] [--fast] [--cpu]`: `--fast` a PostgreSQL without fsync (CPU and locks apart
// from the disk), `--cpu` a CPU profile of the burst in $TMPDIR/sync-burst.cpuprofile.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startEmbeddedPostgres } from '../test/support/pg-server.ts';
import { printSync, syncBench } from './shopify-sync.ts';

const store = process.argv.includes('--store') && process.argv[process.argv.indexOf('--store') + 1] === 'sqlite' ? 'sqlite' : 'postgres';
const stats = new Map<string, { n: number; ms: number }>();
let recording = false;
const norm = (sql: string) => sql.replace(/\$\d+(, \$\d+)*/g, '$n').replace(/\(\$n\)(, \(\$n\))+/g, '($n)…').replace(/\s+/g, ' ').slice(0, 140);
const orig = pg.Client.prototype.query as (...a: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
  const sql = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text ?? '?';
  const t = performance.now();
  const r = orig.apply(this, args);
  if (recording && r && typeof (r as Promise<unknown>).then === 'function') {
    const k = norm(sql);
    void (r as Promise<unknown>).then(() => {
      const s = stats.get(k) ?? { n: 0, ms: 0 };
      s.n++;
      s.ms += performance.now() - t;
      stats.set(k, s);
    }, () => undefined);
  }
  return r;
};

const tmp = mkdtempSync(join(os.tmpdir(), 'truestock-sync-prof-'));
const server = store === 'postgres' ? await startEmbeddedPostgres({ durable: !process.argv.includes('--fast') }) : null;
const waits = new Map<string, number>();
let sampler: NodeJS.Timeout | null = null;
const elu: string[] = [];
let last = performance.eventLoopUtilization();
const ticker = setInterval(() => {
  const now = performance.eventLoopUtilization();
  const d = performance.eventLoopUtilization(now, last);
  last = now;
  if (recording) elu.push(d.utilization.toFixed(2));
}, 1000);
try {
  let config;
  if (server) {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE prof');
    const u = new URL(server.url);
    u.pathname = '/prof';
    config = { databaseUrl: u.toString() };
    const mon = new pg.Client({ connectionString: u.toString() });
    await mon.connect();
    let sampling = false;
    sampler = setInterval(() => {
      if (!recording || sampling) return;
      sampling = true;
      void mon.query("SELECT state, wait_event_type, wait_event, left(query, 70) AS q FROM pg_stat_activity WHERE datname = 'prof' AND pid <> pg_backend_pid() AND state <> 'idle'").then((r) => {
        for (const row of r.rows as { state: string; wait_event_type: string | null; wait_event: string | null; q: string }[]) {
          const k = `${row.state} | ${row.wait_event_type ?? '-'}:${row.wait_event ?? '-'} | ${row.q.replace(/\s+/g, ' ')}`;
          waits.set(k, (waits.get(k) ?? 0) + 1);
        }
      }, () => undefined).finally(() => (sampling = false));
    }, 50);
    await admin.end();
  } else config = { sqlitePath: join(tmp, 'p.db') };
  const session = new inspector.Session();
  session.connect();
  const post = (m: string, p?: object) => new Promise<unknown>((res, rej) => session.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))));
  const cpu = process.argv.includes('--cpu');
  const onPhase = (phase: 'burst' | 'converged') => {
    recording = phase === 'burst';
    if (cpu && phase === 'burst') void post('Profiler.enable').then(() => post('Profiler.start'));
  };
  let t0 = 0;
  const pushes: { at: number; lag: number; quantity: number; shown: number | null }[] = [];
  const onPushed = (lag: number, push: { quantity: number; shown: number | null } | undefined) => {
    if (recording) pushes.push({ at: performance.now() - t0, lag, quantity: push?.quantity ?? -1, shown: push?.shown ?? null });
  };
  const r = await syncBench({ store, config, orders: 2_000, seconds: 10, skus: 500, naive: false, onPhase: (p) => ((t0 = p === 'burst' ? performance.now() : t0), onPhase(p)), onPushed });
  // Acknowledged listings per second of the run, with their lag and whether they raised or confirmed the shop's number.
  const bySecond = new Map<number, { n: number; lagSum: number; lagMax: number; raise: number; same: number; lower: number }>();
  for (const p of pushes) {
    const k = Math.floor(p.at / 1000);
    const b = bySecond.get(k) ?? { n: 0, lagSum: 0, lagMax: 0, raise: 0, same: 0, lower: 0 };
    b.n++;
    b.lagSum += p.lag;
    b.lagMax = Math.max(b.lagMax, p.lag);
    if (p.shown === null || p.quantity > p.shown) b.raise++;
    else if (p.quantity === p.shown) b.same++;
    else b.lower++;
    bySecond.set(k, b);
  }
  console.log('\nacknowledged per second of the burst: second n mean-lag max-lag raise same lower');
  for (const [k, b] of [...bySecond].sort((a, b) => a[0] - b[0])) console.log(`${k} ${b.n} ${Math.round(b.lagSum / b.n)} ${b.lagMax} ${b.raise} ${b.same} ${b.lower}`);
  recording = false;
  if (cpu) {
    const { profile } = (await post('Profiler.stop')) as { profile: object };
    writeFileSync(join(os.tmpdir(), 'sync-burst.cpuprofile'), JSON.stringify(profile));
  }
  printSync(r);
  console.log('\nevent loop utilization per second:', elu.join(' '));
  console.log('\nstatements (count, total ms, mean ms):');
  for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 45)) console.log(`${String(s.n).padStart(7)} ${s.ms.toFixed(0).padStart(8)} ${(s.ms / s.n).toFixed(2).padStart(7)}  ${k}`);
  console.log('\npg_stat_activity samples (every 50 ms):');
  for (const [k, n] of [...waits].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${String(n).padStart(6)}  ${k}`);
} finally {
  clearInterval(ticker);
  if (sampler) clearInterval(sampler);
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
}
