// PostgreSQL adapter (node-postgres). For production and for several processes on one database.
//
// Transactions run at READ COMMITTED; correctness comes from locking the rows a command changes
// (`SELECT … FOR UPDATE`, always in id order) before reading their balances. Serialization
// failures, deadlocks and unique keys taken by a concurrent writer are reported as conflicts and
// the whole transaction runs again.

import pg from 'pg';
import { ConflictError, type Db, type Param, type Store, withConflictRetry } from './store.ts';

// BIGINT columns hold unit counts and epoch milliseconds, far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** SQLSTATEs that mean "another transaction got there first". */
const CONFLICT_CODES = new Set(['40001', '40P01', '23505']);

const converted = new Map<string, string>();
/** `?` → `$1, $2, …` (our SQL never has a literal question mark). */
function toPg(sql: string): string {
  let out = converted.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    if (converted.size > 5_000) converted.clear();
    converted.set(sql, out);
  }
  return out;
}

function wrap(client: pg.PoolClient | pg.Pool): Db {
  const query = (sql: string, params: readonly Param[] = []) => client.query(toPg(sql), params as unknown[]);
  return {
    dialect: 'postgres',
    forUpdate: ' FOR UPDATE',
    all: async <T>(sql: string, params?: readonly Param[]) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params?: readonly Param[]) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params?: readonly Param[]) => (await query(sql, params)).rowCount ?? 0,
    runEach: async (sql: string, rows: readonly (readonly Param[])[]) => {
      for (const r of rows) await query(sql, r);
    },
  };
}

export interface PostgresOptions {
  /** Connections in the pool. */
  poolMax?: number;
}

export class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;
  readonly description: string;
  readonly pool: pg.Pool;

  constructor(url: string, options: PostgresOptions = {}) {
    const u = new URL(url);
    if (u.password) u.password = '***';
    this.description = u.toString();
    this.pool = new pg.Pool({ connectionString: url, max: options.poolMax ?? 10 });
    // An idle client that loses its server must not crash the process.
    this.pool.on('error', () => undefined);
  }

  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return withConflictRetry(async () => {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        const code = (err as { code?: string })?.code;
        if (code && CONFLICT_CODES.has(code)) throw new ConflictError(`conflict (${code})`, err);
        throw err;
      } finally {
        client.release(broken);
      }
    });
  }

  read<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return fn(wrap(this.pool));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
