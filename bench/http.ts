// Benchmark (c): reservations over HTTP from 64 concurrent clients on one hot SKU. The server
// runs in a child process; this process is the load generator (undici, keep-alive).

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { drive } from './workload.ts';
import type { Scenario } from './reservations.ts';

export async function httpScenario(opts: { env: Record<string, string>; store: string; groupCommit: boolean; attempts: number; clients: number; stock: number }): Promise<Scenario> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/http-server.ts'], {
    env: { ...process.env, ...opts.env, TRUESTOCK_GROUP_COMMIT: opts.groupCommit ? '1' : '0', BENCH_STOCK: String(opts.stock) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    const { url, key, sku } = JSON.parse(first) as { url: string; key: string; sku: string };
    const pool = new Pool(url, { connections: opts.clients, pipelining: 1 });
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const body = JSON.stringify({ lines: [{ sku, location: 'WH', quantity: 1 }] });
    // Warm up connections and the JIT.
    await drive(500, opts.clients, async () => {
      const r = await pool.request({ method: 'GET', path: `/v1/stock/${sku}`, headers });
      await r.body.dump();
      return 'ok';
    });
    const stats = await drive(opts.attempts, opts.clients, async () => {
      const r = await pool.request({ method: 'POST', path: '/v1/holds', headers: { ...headers, 'idempotency-key': randomUUID() }, body });
      const json = (await r.body.json()) as { code?: string };
      return r.statusCode === 201 ? 'ok' : (json.code ?? String(r.statusCode));
    });
    const stock = await pool.request({ method: 'GET', path: `/v1/stock/${sku}`, headers });
    const total = ((await stock.body.json()) as { total: { reserved: number } }).total;
    await pool.close();
    return {
      name: '(c) HTTP, hot SKU',
      store: opts.store,
      mode: opts.groupCommit ? 'group commit' : 'one transaction per command',
      stock: opts.stock,
      ...stats,
      oversold_units: Math.max(0, stats.ok - opts.stock) + Math.max(0, stats.ok - total.reserved),
      verified: total.reserved === stats.ok,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
