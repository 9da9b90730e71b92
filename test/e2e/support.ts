// Browser tests of the dashboard: a real truestock server on a SQLite file on a free port, the
// dashboard built from web/ with Vite, and Debian's Chromium driven by playwright-core.
// Without /usr/bin/chromium the tests skip (with a plain message) instead of failing.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ensureDefaultWorkspace } from '../../src/app/access.ts';
import { Truestock, type TruestockConfig } from '../../src/app/truestock.ts';
import { startServer } from '../../src/http/server.ts';
import { insertLagSample } from '../../src/store/sync-repo.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) console.warn('e2e: skipped, no /usr/bin/chromium');

/** How long a step may wait for the page (the dashboard polls every 3 s; one poll plus slack). */
export const STEP_TIMEOUT_MS = 8_000;

const WEB = fileURLToPath(new URL('../../web', import.meta.url));
const DIST = join(WEB, 'dist');
/** Other test files build at the same time: one builds, the others wait for it. */
const BUILD_LOCK = join(tmpdir(), 'truestock-e2e-web-build.lock');
const BUILD_LOCK_STALE_MS = 120_000;

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

function distIsFresh(): boolean {
  const index = join(DIST, 'index.html');
  if (!existsSync(index)) return false;
  const sources = Math.max(newestMtime(join(WEB, 'src')), newestMtime(join(WEB, 'index.html')), newestMtime(join(WEB, 'vite.config.ts')));
  return statSync(index).mtimeMs >= sources;
}

/** Build web/dist unless it is newer than every source file. */
export async function ensureDashboardBuilt(): Promise<void> {
  const deadline = Date.now() + BUILD_LOCK_STALE_MS;
  for (;;) {
    if (distIsFresh()) return;
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      if (existsSync(BUILD_LOCK) && Date.now() - statSync(BUILD_LOCK).mtimeMs > BUILD_LOCK_STALE_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('e2e: timed out waiting for another process to build web/dist');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (distIsFresh()) return;
    const { build } = await import('vite');
    await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'silent' });
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

export type Json = Record<string, any>;

/** A running truestock with its default workspace's admin key, and API helpers for seeding. */
export class E2eServer {
  private constructor(
    readonly ts: Truestock,
    readonly url: string,
    readonly workspaceId: string,
    readonly adminKey: string,
    private readonly closeServer: () => Promise<void>,
    private readonly dir: string,
  ) {}

  /** A server on a fresh SQLite file; `config` adds options (the sync's, for a test that runs it). */
  static async start(config: Omit<TruestockConfig, 'sqlitePath'> = {}): Promise<E2eServer> {
    const dir = mkdtempSync(join(tmpdir(), 'truestock-e2e-'));
    const ts = await Truestock.open({ ...config, sqlitePath: join(dir, 'e2e.db') });
    const made = await ensureDefaultWorkspace(ts.store, ts.clock);
    if (!made) throw new Error('e2e: expected an empty database');
    const server = await startServer({ truestock: ts, host: '127.0.0.1', port: 0, logger: false });
    return new E2eServer(ts, server.url, made.workspace.id, made.adminKey, server.close, dir);
  }

  async stop(): Promise<void> {
    await this.closeServer();
    await this.ts.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A request with the admin key (or none), JSON in and out. */
  async call(method: string, path: string, body?: unknown, key: string | null = this.adminKey): Promise<{ status: number; body: Json; headers: Headers }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(method !== 'GET' ? { 'idempotency-key': randomUUID() } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: Json = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { text };
    }
    return { status: res.status, body: json, headers: res.headers };
  }

  /** A request that must succeed (2xx): its body. */
  async ok(method: string, path: string, body?: unknown): Promise<Json> {
    const r = await this.call(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Two locations, two items with stock, a channel listing one of them. */
  async seedBasics(): Promise<void> {
    await this.ok('POST', '/v1/locations', { code: 'WH1', name: 'Main warehouse', kind: 'warehouse' });
    await this.ok('POST', '/v1/locations', { code: 'ST1', name: 'City store', kind: 'store' });
    await this.ok('POST', '/v1/items', { sku: 'TEE-BLK-M', name: 'Tee, black, M' });
    await this.ok('POST', '/v1/items', { sku: 'MUG-1', name: 'Mug' });
    await this.ok('POST', '/v1/stock/receive', { sku: 'TEE-BLK-M', location: 'WH1', quantity: 40, reference: 'PO-SEED' });
    await this.ok('POST', '/v1/stock/receive', { sku: 'MUG-1', location: 'WH1', quantity: 3 });
    await this.ok('POST', '/v1/channels', { kind: 'custom', name: 'web' });
    await this.ok('POST', '/v1/listings', { channel: 'web', sku: 'TEE-BLK-M', external: { external_id: 'tee-m' } });
  }

  /** Lag samples for a channel over the last minutes, as the dispatcher writes every 30 s. */
  async lagSamples(channel: string, count: number): Promise<void> {
    const id: string = (await this.ok('GET', `/v1/channels/${encodeURIComponent(channel)}/sync`)).channel_id;
    const now = this.ts.clock.now();
    await this.ts.store.transaction(async (db) => {
      for (let i = count; i > 0; i--) await insertLagSample(db, id, now - i * 30_000, 200 + 40 * i, 900 + 100 * i, 12);
    });
  }

  /** Whether this server serves the built dashboard at `/` (it must have been built before the server started). */
  async servesDashboard(): Promise<boolean> {
    const res = await fetch(`${this.url}/`);
    return res.ok && (res.headers.get('content-type') ?? '').includes('text/html') && (await res.text()).includes('id="root"');
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'] });
}

export async function newPage(browser: Browser, server: E2eServer, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, baseURL: server.url });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  return { context, page };
}

/** Sign in through the sign-in screen with an API key. */
export async function signInWithKey(page: Page, key: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByLabel('API key', { exact: true }).press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * Run a browser step; on failure, add what the page showed — its URL, its text and a screenshot
 * at /tmp/e2e-<name>.png — to the error.
 */
export async function seen<T>(page: Page, name: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    const shot = `/tmp/e2e-${name.replace(/[^\w-]+/g, '-')}.png`;
    let text = '';
    try {
      await page.screenshot({ path: shot, fullPage: true });
      text = (await page.evaluate(() => document.body.innerText)).slice(0, 3_000);
    } catch {
      text = '(the page could not be read)';
    }
    const e = err instanceof Error ? err : new Error(String(err));
    e.message = `${e.message}\n--- page ${page.url()} (screenshot ${shot}) ---\n${text}\n---`;
    throw e;
  }
}

/** Wait until `check` returns a truthy value (polling), or fail with the last value seen. */
export async function until<T>(what: string, check: () => Promise<T>, timeoutMs = STEP_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * Every route pattern of a workspace's dashboard, read from its route table, so a new screen must be
 * visited by the tests that walk them all. The server administrator's screens (`serverAdmin: true`)
 * are not a workspace's: test/e2e/workspaces.test.ts covers them.
 */
export function workspaceRoutePatterns(): string[] {
  const source = readFileSync(new URL('../../web/src/routes.ts', import.meta.url), 'utf8');
  return [...source.matchAll(/\{ path: '([^']+)'[^\n]*/g)].filter((m) => !m[0].includes('serverAdmin: true')).map((m) => m[1]!);
}
