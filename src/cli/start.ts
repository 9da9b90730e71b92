// `truestock start` (what `npm start` runs): `serve`, plus — unless --no-demo — the demo: a sample
// catalog in a workspace named `demo`, its shops emulated in-process (each kind's demo storefront)
// and wired to their channels, and order traffic; then the URL and how to sign in. Only commander is loaded at the
// top: `serve` and the demo are imported when the command runs.

import { type Command, Option } from 'commander';
import type { Truestock } from '../app/truestock.ts';
import { CliError, out } from './output.ts';

export interface StartOptions {
  host: string;
  port: string;
  log?: boolean;
  sync: boolean;
  demo: boolean;
  seed: string;
}

/** The demo user, made once when the dashboard's user accounts exist. */
export const DEMO_USER = { email: 'demo@truestock.local', password: 'truestock-demo', name: 'Demo user' };
/** Each start makes a fresh admin key with this name, so a later start can still show one. */
export const DEMO_KEY_NAME = 'demo';

export function registerStartCommand(cli: Command): void {
  cli
    .command('start')
    .description('run the API with the demo: a sample catalog, its emulated storefronts (two shops and a marketplace seller) and order traffic (what `npm start` runs)')
    .addOption(new Option('--host <host>', 'interface to listen on').env('HOST').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').env('PORT').default('8080'))
    .option('--no-demo', 'no sample data, no shops, no traffic: `truestock serve` with the sign-in hints')
    .option('--seed <n>', 'seed of the demo stock and traffic', '1')
    .option('--log', 'log every request (off by default: the demo makes many)')
    .option('--no-sync', 'do not push to channels from this process')
    .action(async (opts: StartOptions) => start(opts));
}

function parseSeed(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new CliError(`--seed must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

export async function start(opts: StartOptions): Promise<void> {
  const seed = parseSeed(opts.seed);
  const { serve } = await import('./serve.ts');
  const { seedCatalog } = await import('../demo/catalog.ts');
  const { startShops } = await import('../demo/shops.ts');
  const { Traffic } = await import('../demo/traffic.ts');
  let demo: { catalog: Awaited<ReturnType<typeof seedCatalog>>; shops: Awaited<ReturnType<typeof startShops>> } | undefined;
  let shopsOpen = false;
  const closeShops = async () => {
    if (!shopsOpen || !demo) return;
    shopsOpen = false;
    await demo.shops.close();
  };
  try {
    await serve({ host: opts.host, port: opts.port, log: opts.log === true, sync: opts.sync }, {
      // Before the dispatcher starts, so that it pushes to this run's emulators from its first round.
      beforeStart: opts.demo
        ? async (ts) => {
          out('demo: preparing the sample business…');
          const catalog = await seedCatalog(ts, { seed, log: out });
          const shops = await startShops(ts, catalog, { seed, log: out });
          demo = { catalog, shops };
          shopsOpen = true;
        }
        : undefined,
      afterStart: async (ts, server) => {
        out(`dashboard: ${server.url}/`);
        if (!demo) {
          out('sign in:   with an API key of your workspace (printed once when it was made; `truestock init --name NAME` makes another workspace and key)');
          return;
        }
        const { catalog, shops } = demo;
        shops.subscribe(server.url);
        // One line per kind: `demo: Shopify emulators: webstore at http://…, outlet at http://…`.
        for (const label of new Set(shops.shops.map((s) => s.kindLabel))) {
          out(`demo: ${label} emulators: ${shops.shops.filter((s) => s.kindLabel === label).map((s) => `${s.name} at ${s.storefront.url}`).join(', ')}`);
        }
        await printSignIn(ts, catalog.workspaceId, catalog.adminKey);
        // Each event with its time (the injected clock's, in UTC), so a reader can line it up with the dashboard.
        const traffic = new Traffic(ts, catalog, shops, { seed, log: (line) => out(`${new Date(ts.clock.now()).toISOString().slice(11, 19)} UTC ${line}`) });
        await traffic.start();
        out('demo: traffic running: shop and marketplace orders (polled ones arrive minutes late), POS sales, cancellations, refunds, a burst every ~2 min, a 60 s outage of one storefront every ~10 min (the first after ~2 min). Ctrl-C stops.');
        return {
          stop: async () => {
            await traffic.stop();
            await closeShops();
          },
        };
      },
    });
  } finally {
    await closeShops();
  }
}

/** The admin key to paste into the dashboard (a new one on every start after the first), and the demo user if accounts exist. */
async function printSignIn(ts: Truestock, workspaceId: string, firstKey: string | null): Promise<void> {
  let key = firstKey;
  if (key === null) {
    const { createApiKey } = await import('../app/access.ts');
    const made = await ts.store.transaction((db) => createApiKey(db, workspaceId, 'admin', DEMO_KEY_NAME, ts.clock.now()));
    if ('code' in made) throw new CliError(`could not make a demo API key: ${made.detail}`);
    key = made.plain;
  }
  out(`sign in:   paste the admin API key ${key} (workspace "demo"${firstKey === null ? `; a new key named "${DEMO_KEY_NAME}" is made at every start` : ''})`);
  const user = await demoUser(ts, workspaceId);
  if (user) out(`           or email ${user.email}, password ${user.password}`);
}

/**
 * The demo user, when this build has user accounts (`src/app/sessions.ts`); loaded by URL so the
 * demo does not depend on them. Null when there are none, or the email belongs to someone else.
 */
async function demoUser(ts: Truestock, workspaceId: string): Promise<{ email: string; password: string } | null> {
  type CreateUser = (store: unknown, clock: unknown, ws: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;
  try {
    const sessions = (await import(new URL('../app/sessions.ts', import.meta.url).href)) as { createUser?: CreateUser };
    if (typeof sessions.createUser !== 'function') return null;
    const made = await sessions.createUser(ts.store, ts.clock, workspaceId, { email: DEMO_USER.email, name: DEMO_USER.name, role: 'admin', password: DEMO_USER.password });
    if (!('code' in made)) return DEMO_USER;
    // Made on an earlier start: the same user, if it is this workspace's.
    const repo = (await import(new URL('../store/session-repo.ts', import.meta.url).href)) as { userByEmail?: (db: unknown, email: string) => Promise<{ workspace_id?: string } | undefined> };
    const existing = repo.userByEmail ? await ts.store.read((db) => repo.userByEmail!(db, DEMO_USER.email)) : undefined;
    return existing?.workspace_id === workspaceId ? DEMO_USER : null;
  } catch {
    return null;
  }
}
