import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { adminUrl, createTestDatabase } from './postgres.ts';

describe('test PostgreSQL server', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  it('creates a fresh database, round-trips rows, and drops it', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string }>('select version()');
      expect(rows[0]?.version).toMatch(/^PostgreSQL 17\./);

      await client.query('create table items (sku text primary key, qty integer not null)');
      await client.query('insert into items (sku, qty) values ($1, $2), ($3, $4)', ['A-1', 5, 'B-2', -3]);
      const read = await client.query<{ sku: string; qty: number }>('select sku, qty from items order by sku');
      expect(read.rows).toEqual([
        { sku: 'A-1', qty: 5 },
        { sku: 'B-2', qty: -3 },
      ]);
    } finally {
      await client.end();
    }

    const name = new URL(db.url).pathname.slice(1);
    await db.drop();
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
      expect(rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  });

  it('drop() terminates open connections', async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => undefined); // the server will kill this connection
    await client.connect();
    await db.drop();
    await expect(client.query('select 1')).rejects.toThrow();
    await client.end().catch(() => undefined);
  });

  it('accepts many parallel connections', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const clients = Array.from({ length: 80 }, () => new pg.Client({ connectionString: db.url }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const results = await Promise.all(clients.map((c, i) => c.query<{ n: number }>('select $1::int as n', [i])));
      expect(results.map((r) => r.rows[0]?.n)).toEqual(clients.map((_, i) => i));
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    }
  });
});
