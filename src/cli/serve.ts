// `truestock serve`: the HTTP API, the hold sweeper, the rule scheduler and the sync dispatcher,
// until SIGINT or SIGTERM; `truestock worker`: the dispatcher (with the order poller and the
// reconciler beside it) alone.

import { ensureDefaultWorkspace } from '../app/access.ts';
import { ensureServerAdminKey } from '../app/server-admin.ts';
import { configFromEnv, jsonLog, Truestock } from '../app/truestock.ts';
import { PollScheduler } from '../channels/poll-scheduler.ts';
import { CliError, out } from './output.ts';

export interface ServeOptions {
  host: string;
  port: string;
  log: boolean;
  sync: boolean;
}

/**
 * What `truestock start` adds around `serve` (the demo). `beforeStart` runs once the store is
 * open and migrated, before the default workspace is made and before the sweeper, the dispatcher
 * and the server start; `afterStart` once the server listens, and what it returns is stopped
 * first on shutdown.
 */
export interface ServeHooks {
  beforeStart?(truestock: Truestock): Promise<void>;
  afterStart?(truestock: Truestock, server: { url: string }): Promise<{ stop(): Promise<void> } | void>;
}

/** The shortest `TRUESTOCK_METRICS_TOKEN` taken: a guessable token would make /metrics public again. */
export const METRICS_TOKEN_CHARS_MIN = 16;

/** `TRUESTOCK_METRICS_TOKEN`, checked; undefined (metrics closed) when unset or empty. */
export function metricsTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env.TRUESTOCK_METRICS_TOKEN?.trim();
  if (!token) return undefined;
  if (token.length < METRICS_TOKEN_CHARS_MIN || /\s/.test(token)) throw new CliError(`TRUESTOCK_METRICS_TOKEN must be at least ${METRICS_TOKEN_CHARS_MIN} characters without spaces (e.g. openssl rand -hex 32)`);
  return token;
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new CliError(`--port must be a number from 0 to 65535, got ${JSON.stringify(text)}`);
  return port;
}

/** Resolves with the first of the signals that ask a server to stop. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      // A second signal while closing means "now": leave without waiting.
      const force = () => process.exit(1);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function serve(opts: ServeOptions, hooks: ServeHooks = {}): Promise<void> {
  const port = parsePort(opts.port);
  const metricsToken = metricsTokenFromEnv();
  const stopping = stopSignal();
  const truestock = await Truestock.open(configFromEnv());
  let server: { url: string; close(): Promise<void> };
  const poller = new PollScheduler(truestock, { log: jsonLog });
  try {
    await hooks.beforeStart?.(truestock);
    const made = await ensureDefaultWorkspace(truestock.store, truestock.clock);
    if (made) {
      out(`Created workspace ${made.workspace.id} (${made.workspace.name}).`);
      out(`Admin API key: ${made.adminKey}`);
      out('This key will not be shown again: store it somewhere safe now.');
      // A new server also gets its server admin key (docs/workspaces.md): workspaces for other brands are made with it.
      const serverKey = await ensureServerAdminKey(truestock.store, truestock.clock);
      if (serverKey) out(`Server admin key (manages workspaces, reads none of their data): ${serverKey}`);
    }
    truestock.sweeper.start();
    truestock.rules.start();
    truestock.backorders.start();
    truestock.pruner.start();
    if (opts.sync) (truestock.sync.start(), poller.start(), truestock.reconciler.start(), truestock.alerts.start());
    // Loaded here, not at the top: the other commands should not pay for Fastify.
    const { serverOptionsFromEnv, startServer } = await import('../http/server.ts');
    server = await startServer({ truestock, host: opts.host, port, logger: opts.log, metricsToken, ...serverOptionsFromEnv() });
  } catch (err) {
    await truestock.close();
    throw err;
  }
  out(`truestock listening on ${server.url}`);
  out(`API docs:  ${server.url}/docs`);
  out(`database:  ${truestock.store.description}`);
  out(metricsToken ? 'metrics:   GET /metrics with Authorization: Bearer $TRUESTOCK_METRICS_TOKEN' : 'metrics:   closed (set TRUESTOCK_METRICS_TOKEN to scrape /metrics)');
  let extra: { stop(): Promise<void> } | void = undefined;
  try {
    extra = await hooks.afterStart?.(truestock, server);
  } catch (err) {
    await server.close().catch(() => undefined);
    await poller.stop();
    await truestock.close();
    throw err;
  }
  const signal = await stopping;
  out(`${signal}: shutting down`);
  try {
    await extra?.stop();
  } finally {
    try {
      await server.close();
      await poller.stop();
    } finally {
      await truestock.close();
    }
  }
}

/** `truestock worker`: only the channel sync dispatcher, until SIGINT or SIGTERM. */
export async function worker(): Promise<void> {
  const stopping = stopSignal();
  const truestock = await Truestock.open(configFromEnv());
  truestock.sync.start();
  truestock.alerts.start();
  const poller = new PollScheduler(truestock, { log: jsonLog });
  truestock.reconciler.start();
  poller.start();
  out(`truestock worker ${truestock.sync.workerId} pushing from ${truestock.store.description}`);
  const signal = await stopping;
  out(`${signal}: finishing the batch in flight`);
  await poller.stop();
  await truestock.close();
}
