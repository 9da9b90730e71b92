// `npm run bench`: the reservation benchmarks of the ledger issue on SQLite and PostgreSQL,
// each with group commit and without, plus the naive check-then-reserve peer, in one run; then
// the CSV item import (1M rows; bench/csv-import.ts) and channel availability (1M listings;
// bench/availability.ts) on both stores, and the Shopify sync burst (bench/shopify-sync.ts). Prints the machine, a table, and ratios; `--quick` runs
// smaller workloads; `--only ledger|csv|availability|sync|channels|routing|items` runs one section (channels: the
// three-channel burst with Amazon, bench/channels-sync.ts; routing: in-process order routing,
// bench/routing.ts, which also runs alone without the PostgreSQL server; items: the Items list at
// 100k items, bench/items-list.ts); `--json FILE` also
// writes the raw figures.
//
// PostgreSQL is a real server started here (durable settings: fsync and synchronous_commit on),
// SQLite a WAL file with synchronous=NORMAL, both on this machine's disk.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../test/support/pg-server.ts';
import { httpScenario } from './http.ts';
import { availabilityBench, type AvailabilityBenchResult, printAvailability } from './availability.ts';
import { engineBench } from './availability-engine.ts';
import { CSV_ROWS_DEFAULT, type CsvImportFigures, csvImportScenario, showCsvImport } from './csv-import.ts';
import { type ChannelsBenchResult, channelsBench, channelsFailures, printChannels } from './channels-sync.ts';
import { checkThenReserveScenario, ledgerScenario, type Scenario } from './reservations.ts';
import { printRouting, ROUTING_ORDERS_DEFAULT, routingBench, type RoutingBenchResult } from './routing.ts';
import { ITEMS_LIST_ITEMS_DEFAULT, type ItemsListBenchResult, itemsListBench, printItemsList } from './items-list.ts';
import { sqliteFloor } from './sqlite-floor.ts';
import { printSync, syncBench, type SyncBenchResult } from './shopify-sync.ts';
import { fmt } from './workload.ts';

const quick = process.argv.includes('--quick');
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const scale = quick ? 0.2 : 1;
const N = (n: number) => Math.max(100, Math.round(n * scale));

const tmp = mkdtempSync(join(os.tmpdir(), 'truestock-bench-'));
let dbCount = 0;
const sqlite = () => ({ sqlitePath: join(tmp, `bench-${++dbCount}.db`) });

console.log(`truestock reservation benchmark — ${new Date().toISOString()}`);
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, ${os.type()} ${os.release()}, node ${process.version}`);
const server = await startEmbeddedPostgres({ durable: true });
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
const postgres = async () => {
  const name = `bench_${process.pid}_${++dbCount}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  return { databaseUrl: u.toString() };
};

const results: Scenario[] = [];
const show = (s: Scenario) => {
  results.push(s);
  const refused = Object.entries(s.refused).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || '—';
  console.log(
    `${s.name.padEnd(22)} ${s.store.padEnd(10)} ${s.mode.padEnd(32)} ${fmt(s.per_second).padStart(8)}/s  p50 ${fmt(s.p50_ms, 2).padStart(7)} ms  p99 ${fmt(s.p99_ms, 2).padStart(7)} ms  ok ${fmt(s.ok)} of ${fmt(s.attempts)} (refused: ${refused})  oversold ${s.oversold_units}${s.verified ? '' : '  NOT VERIFIED'}`,
  );
};

const csvResults: CsvImportFigures[] = [];
const availabilityResults: AvailabilityBenchResult[] = [];
const syncResults: SyncBenchResult[] = [];
const channelsResults: ChannelsBenchResult[] = [];
const routingResults: RoutingBenchResult[] = [];
const itemsListResults: ItemsListBenchResult[] = [];
const runs = (section: string) => only === undefined || only === section;
try {
  for (const [store, config] of runs('ledger') ? ([['sqlite', sqlite], ['postgres', postgres]] as const) : []) {
    for (const groupCommit of [true, false]) {
      show(await ledgerScenario({ name: '(a) 10k SKUs uniform', store, config: await config(), groupCommit, items: 10_000, stockEach: 1_000_000, attempts: N(60_000), concurrency: 256 }));
      const hot = { name: '(b) hot SKU', store, groupCommit, items: 1, stockEach: 100, attempts: 2_000, concurrency: 50 };
      await ledgerScenario({ ...hot, config: await config() }); // warm-up: 2,000 attempts are over in a blink, JIT included
      show(await ledgerScenario({ ...hot, config: await config() }));
    }
    show(await checkThenReserveScenario({ store, config: await config(), attempts: 2_000, concurrency: 50, stock: 100 }));
    for (const groupCommit of [true, false]) {
      const cfg = await config();
      const env: Record<string, string> = 'databaseUrl' in cfg ? { DATABASE_URL: cfg.databaseUrl } : { TRUESTOCK_DB: cfg.sqlitePath };
      show(await httpScenario({ env, store, groupCommit, attempts: N(40_000), clients: 64, stock: N(20_000) }));
    }
  }

  if (runs('ledger')) await reservationSummary();

  if (runs('csv')) {
    console.log('\nCSV item import (file on disk → committed), ratio against one INSERT per row in autocommit:');
    for (const [store, config] of [['sqlite', sqlite], ['postgres', postgres]] as const) {
      const figures = await csvImportScenario({ store, config: async () => config(), rows: Math.round(CSV_ROWS_DEFAULT * scale), dir: tmp });
      csvResults.push(figures);
      showCsvImport(figures);
    }
  }

  if (runs('availability')) {
    const engine = engineBench();
    console.log(`\nChannel availability: engine ${fmt(engine.standard_us, 2)} µs per standard item, ${fmt(engine.bundle_us, 2)} µs per 20-component bundle at 10 locations (explained: ${fmt(engine.standard_explained_us, 2)} / ${fmt(engine.bundle_explained_us, 2)} µs)`);
    for (const [store, config] of [['sqlite', sqlite], ['postgres', postgres]] as const) {
      const r = await availabilityBench({ store, config: await config(), listings: N(1_000_000), movements: 2_000, naiveListings: 20_000 });
      availabilityResults.push(r);
      printAvailability(r);
    }
  }
  if (runs('sync')) {
    console.log('\nShopify sync into the emulator at standard-plan limits (1,000-point bucket, 100 points/s), against a naive one-call-per-change peer:');
    for (const [store, config] of [['sqlite', sqlite], ['postgres', postgres]] as const) {
      // The naive peer takes minutes by design (one call per change); it runs once, on SQLite.
      const r = await syncBench({ store, config: await config(), orders: N(2_000), seconds: 10, skus: 500, naive: store === 'sqlite' }, await config());
      syncResults.push(r);
      printSync(r);
    }
  }
  if (runs('channels')) {
    console.log('\nSix channels (two Shopify shops, Amazon, Walmart, eBay, a Square store) on one catalog, each within its documented limits or its kind\'s budgets; Amazon orders by the searchOrders poll, then by relayed notifications:');
    for (const [store, config] of [['sqlite', sqlite], ['postgres', postgres]] as const) {
      for (const variant of ['poll', 'relay'] as const) {
        const r = await channelsBench({ store, config: await config(), variant, orders: N(2_000), seconds: 10, skus: quick ? 50 : 500 });
        channelsResults.push(r);
        printChannels(r);
        for (const f of channelsFailures(r)) (console.error(`channels ${store} ${variant}: ${f}`), (process.exitCode = 1));
      }
    }
  }
  if (runs('routing')) {
    console.log('');
    const r = routingBench({ orders: N(ROUTING_ORDERS_DEFAULT) });
    routingResults.push(r);
    printRouting(r);
  }
  for (const [store, config] of runs('items') ? ([['sqlite', sqlite], ['postgres', postgres]] as const) : []) {
    console.log('');
    const r = await itemsListBench({ store, config: await config(), items: N(ITEMS_LIST_ITEMS_DEFAULT) });
    itemsListResults.push(r);
    printItemsList(r);
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, results, csv: csvResults, availability: availabilityResults, sync: syncResults, channels: channelsResults, routing: routingResults, items_list: itemsListResults }, null, 2));
  const failed = results.filter((r) => !r.mode.startsWith('check-then-reserve') && (r.oversold_units > 0 || !r.verified));
  if (failed.length) {
    console.error(`\n${failed.length} scenario(s) oversold or failed verification`);
    process.exitCode = 1;
  }
} finally {
  await admin.end();
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}

async function reservationSummary(): Promise<void> {
  const floor = await sqliteFloor(sqlite().sqlitePath, { items: 10_000, attempts: N(60_000), batch: 256 });
  const a = results.find((r) => r.name.startsWith('(a)') && r.store === 'sqlite' && r.mode === 'group commit')!;
  console.log(
    `\n(a) floor on SQLite: the same rows written with prepared statements and nothing else, batches of 256: ${fmt(floor.per_second)}/s ` +
      `(COMMIT ${fmt(floor.commit_share * 100)} % of the time); the ledger reaches ${fmt((a.per_second / floor.per_second) * 100)} % of it`,
  );

  console.log('\nRatios (group commit ÷ one transaction per command, attempts/s):');
  for (const name of new Set(results.map((r) => r.name))) {
    for (const store of ['sqlite', 'postgres']) {
      const on = results.find((r) => r.name === name && r.store === store && r.mode === 'group commit');
      const off = results.find((r) => r.name === name && r.store === store && r.mode === 'one transaction per command');
      const naive = results.find((r) => r.name === name && r.store === store && r.mode.startsWith('check-then-reserve'));
      if (on && off) console.log(`  ${name.padEnd(22)} ${store.padEnd(10)} ×${fmt(on.per_second / off.per_second, 1)}  (p99 ${fmt(off.p99_ms, 1)} → ${fmt(on.p99_ms, 1)} ms)`);
      if (on && naive) console.log(`  ${name.padEnd(22)} ${store.padEnd(10)} vs check-then-reserve: ×${fmt(on.per_second / naive.per_second, 1)} attempts/s, oversold ${naive.oversold_units} → ${on.oversold_units}`);
    }
  }
}
