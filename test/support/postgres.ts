/**
 * Per-test-file databases on the server started by test/global-setup.ts.
 *
 *   const db = await createTestDatabase();   // { url, drop }
 *   afterAll(() => db.drop());
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export function adminUrl(): string {
  let url: string | undefined;
  try {
    url = inject('pgAdminUrl');
  } catch {
    // not inside a vitest worker (e.g. a child process spawned by a test)
  }
  url ||= process.env.TRUESTOCK_TEST_PG_ADMIN_URL;
  if (!url) throw new Error('No test PostgreSQL server: run through vitest (test/global-setup.ts) or set TRUESTOCK_TEST_PG_ADMIN_URL');
  return url;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `truestock_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      // WITH (FORCE) terminates remaining connections (PostgreSQL 13+).
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
    },
  };
}
