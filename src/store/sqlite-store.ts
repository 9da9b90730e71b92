// SQLite adapter (better-sqlite3, WAL). The embedded default: one file, nothing to install.
//
// better-sqlite3 is synchronous, but our transactions are async functions; two of them must
// never interleave on the one connection, so transactions queue on a mutex. `BEGIN IMMEDIATE`
// takes the write lock at the start, so a second process waits (busy_timeout) instead of
// failing half-way through with SQLITE_BUSY on its first write.

import Database from 'better-sqlite3';
import { ConflictError, type Db, type Param, type Store, withConflictRetry } from './store.ts';

/** How long a writer waits for another process's write lock before reporting busy. */
const BUSY_TIMEOUT_MS = 5_000;
/** WAL pages between automatic checkpoints (4 KiB pages). */
const WAL_CHECKPOINT_PAGES = 16_000;
/** Page cache, in KiB. */
const CACHE_KIB = 65_536;
/** Prepared statements kept; multi-row inserts make a statement per row count. */
const STATEMENT_CACHE_MAX = 1_000;

function bind(params: readonly Param[]): unknown[] {
  // SQLite has no boolean type; store 1/0.
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly description: string;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly conn: Db;

  constructor(readonly path: string) {
    this.description = `sqlite:${path}`;
    this.db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    this.db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL is durable across application crashes; a power loss may lose the last
    // transactions but never corrupts the file.
    this.db.pragma('synchronous = NORMAL');
    // A group-commit batch dirties hundreds of pages; checkpointing every 1,000 pages (the
    // default) would copy them back to the database file every few batches. Let the WAL grow to
    // ~64 MB between checkpoints so hot pages are copied once, not once per batch.
    this.db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    this.db.pragma(`cache_size = -${CACHE_KIB}`);
    this.db.pragma('foreign_keys = ON');
    const stmt = (sql: string) => this.prepare(sql);
    this.conn = {
      dialect: 'sqlite',
      forUpdate: '',
      all: async <T>(sql: string, params: readonly Param[] = []) => stmt(sql).all(...bind(params)) as T[],
      get: async <T>(sql: string, params: readonly Param[] = []) => stmt(sql).get(...bind(params)) as T | undefined,
      run: async (sql: string, params: readonly Param[] = []) => {
        const s = stmt(sql);
        return s.reader ? s.all(...bind(params)).length : s.run(...bind(params)).changes;
      },
      runEach: async (sql: string, rows: readonly (readonly Param[])[]) => {
        const s = stmt(sql);
        for (const r of rows) s.run(...bind(r));
      },
    };
  }

  private prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size >= STATEMENT_CACHE_MAX) this.statements.clear();
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Foreign keys on or off (outside a transaction only: SQLite ignores it inside one). Migrations only. */
  setForeignKeys(on: boolean): void {
    this.db.pragma(`foreign_keys = ${on ? 'ON' : 'OFF'}`);
  }

  /** Serialise async users of the single connection. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return withConflictRetry(() =>
      this.exclusive(async () => {
        try {
          this.db.exec('BEGIN IMMEDIATE');
        } catch (err) {
          if (isBusy(err)) throw new ConflictError('database is locked by another process', err);
          throw err;
        }
        try {
          const result = await fn(this.conn);
          this.db.exec('COMMIT');
          return result;
        } catch (err) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          if (isBusy(err)) throw new ConflictError('database is locked by another process', err);
          throw err;
        }
      }),
    );
  }

  read<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.exclusive(() => fn(this.conn));
  }

  /** Run a multi-statement script (migrations). */
  exec(sql: string): void {
    this.db.exec(sql);
  }

  async close(): Promise<void> {
    await this.exclusive(async () => this.db.close());
  }
}
