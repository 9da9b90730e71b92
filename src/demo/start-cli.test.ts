// `truestock start` as a user runs it (`npm start`): in an empty directory it seeds the demo,
// prints the URL, the dashboard and an API key that works, runs until SIGTERM and then stops
// cleanly; a second start finds the demo in place and prints a fresh key; `--no-demo` serves
// without the demo.

import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, type Run, start } from '../../test/support/cli.ts';

/**
 * The README's curl tour, run as written against a server at `url` (for `localhost:8080`) with
 * `KEY` set: every call must answer 2xx. Returns what the last command printed.
 */
function readmeTour(url: string, key: string): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /```sh\n(KEY=tsk_[\s\S]*?)```/.exec(readme)?.[1];
  expect(block, 'the README has a curl tour starting with KEY=tsk_').toBeDefined();
  const script = block!.replace(/^KEY=.*$/m, '').replaceAll('localhost:8080', url);
  // --fail-with-body turns an HTTP error into a failed command, so `set -e` stops on it.
  const prelude = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; echo; }\n';
  return execFileSync('bash', ['-c', prelude + script], { env: { ...process.env, KEY: key }, encoding: 'utf8' });
}

/** Starts `truestock start --port 0 …`, waits for the line that says it is ready, checks the API, then SIGTERM. */
async function startOnce(dir: string, path: string, extra: string[], ready: RegExp, whileUp?: (url: string, key: string) => void): Promise<Run & { url: string; key: string | null }> {
  const child = start(['start', '--port', '0', ...extra], { TRUESTOCK_DB: path }, dir);
  const done = collect(child);
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      seen += d;
      if (ready.test(seen)) resolve();
    });
    child.on('close', () => reject(new Error(`start exited early:\n${seen}`)));
  });
  const url = /listening on (\S+)/.exec(seen)![1]!;
  const key = /admin API key (tsk_\S+)/.exec(seen)?.[1] ?? null;
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  if (key) {
    const items = await fetch(`${url}/v1/items?limit=1`, { headers: { authorization: `Bearer ${key}` } });
    expect(items.status).toBe(200);
    whileUp?.(url, key);
  }
  child.kill('SIGTERM');
  return { ...(await done), url, key };
}

describe('truestock start', () => {
  it('runs the demo, prints where and how to sign in, and stops cleanly on SIGTERM', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'truestock-start-'));
    const path = join(dir, 'truestock.db');
    try {
      let tour = '';
      const first = await startOnce(dir, path, [], /demo: traffic running/, (url, key) => {
        tour = readmeTour(url, key);
        // Run twice: the idempotency keys answer the first run again and change nothing.
        expect(readmeTour(url, key)).toBe(tour);
      });
      const stock = JSON.parse(tour.trim().split('\n').at(-1)!) as { locations?: { location: string; available: number; reserved: number }[] };
      expect(stock.locations?.find((l) => l.location === 'TOUR')).toMatchObject({ available: 38, reserved: 2 });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/demo: seeded workspace "demo": 227 SKUs/);
      expect(first.stdout).toMatch(/truestock listening on http:\/\/127\.0\.0\.1:\d+\n/);
      expect(first.stdout).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\/\n/);
      expect(first.stdout).toMatch(/sign in: +paste the admin API key tsk_\S+ \(workspace "demo"\)/);
      expect(first.stdout).toMatch(/demo: Shopify emulators: webstore at http:\/\/127\.0\.0\.1:\d+, outlet at http:\/\/127\.0\.0\.1:\d+/);
      expect(first.stdout).toMatch(/demo: Amazon emulators: amazon-us at http:\/\/127\.0\.0\.1:\d+/);
      expect(first.stdout).toMatch(/demo: Walmart emulators: walmart-us at http:\/\/127\.0\.0\.1:\d+/);
      expect(first.stdout).toMatch(/demo: eBay emulators: ebay at http:\/\/127\.0\.0\.1:\d+/);
      expect(first.stdout).toMatch(/demo: Square emulators: pos-nyc at http:\/\/127\.0\.0\.1:\d+, pos-sf at http:\/\/127\.0\.0\.1:\d+/);
      expect(first.stdout).toMatch(/SIGTERM: shutting down\n$/);
      // Only the demo workspace: no empty `default` beside it.
      expect(first.stdout).not.toMatch(/Created workspace/);

      const second = await startOnce(dir, path, [], /demo: traffic running/);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/demo: workspace "demo" is already seeded/);
      expect(second.stdout).toMatch(/a new key named "demo" is made at every start/);
      expect(second.key).not.toBe(first.key);

      const plain = await startOnce(dir, path, ['--no-demo'], /sign in: /);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\/\n/);
      expect(plain.stdout).toMatch(/sign in: +with an API key of your workspace/);
      expect(plain.stdout).not.toMatch(/^demo:/m);

      // Closed properly: another writer gets the database at once.
      const sqlite = new Database(path, { timeout: 0 });
      sqlite.exec('BEGIN IMMEDIATE; COMMIT');
      sqlite.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad seed in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'truestock-start-'));
    try {
      const r = await collect(start(['start', '--seed', 'x'], { TRUESTOCK_DB: join(dir, 't.db') }, dir));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^truestock: --seed must be a whole number, got "x"\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
