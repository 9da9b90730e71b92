// The Store port: the one small interface that hides SQLite and PostgreSQL from the rest.
//
// SQL is written once with `?` placeholders; each adapter binds them its own way. The
// differences that matter for correctness are not hidden behind a builder but named here:
// SQLite takes the database write lock up front (`BEGIN IMMEDIATE`), PostgreSQL locks the rows a
// command will change (`FOR UPDATE`, in a fixed order so that two writers never deadlock).

export type Dialect = 'sqlite' | 'postgres';
export type Param = string | number | boolean | null;

/** A connection inside a transaction (or a plain read). Only repositories call it. */
export interface Db {
  readonly dialect: Dialect;
  /** `' FOR UPDATE'` where row locks exist, `''` on SQLite (the whole database is locked). */
  readonly forUpdate: string;
  all<T>(sql: string, params?: readonly Param[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly Param[]): Promise<T | undefined>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: readonly Param[]): Promise<number>;
  /** Run one statement once per parameter row, in order. */
  runEach(sql: string, rows: readonly (readonly Param[])[]): Promise<void>;
}

export interface Store {
  readonly dialect: Dialect;
  /** Where the data lives, for logs: a file path or a URL without its password. */
  readonly description: string;
  /**
   * Run `fn` in one transaction that writes. Conflicts with other writers (busy database,
   * serialization failure, deadlock, a unique key taken meanwhile) roll back and run `fn` again.
   */
  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Reads that need no transaction. */
  read<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Errors a store adapter recognises as "another writer got there first; try again". */
export class ConflictError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** Attempts before a transaction that keeps conflicting gives up with `busy`. */
export const TRANSACTION_ATTEMPTS_MAX = 20;

/** Run `attempt` until it does not throw a ConflictError, with growing, jittered pauses. */
export async function withConflictRetry<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ConflictError) || n >= TRANSACTION_ATTEMPTS_MAX) throw err;
      const pause_ms = Math.min(50, 2 ** n * 0.25) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, pause_ms));
    }
  }
}

/** `(?, ?, ?), (?, ?, ?)` for a multi-row insert of `rows` rows of `columns` columns. */
export function valuesList(rows: number, columns: number): string {
  const row = `(${new Array(columns).fill('?').join(', ')})`;
  return new Array(rows).fill(row).join(', ');
}

/** `?, ?, ?` for an IN list. */
export function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
export const PARAMS_PER_STATEMENT_MAX = 30_000;

/**
 * Insert rows. PostgreSQL is a round trip away, so rows go many to a statement; SQLite runs
 * in-process, where one prepared single-row statement per row beats binding a huge one.
 * `suffix` is appended to each statement (an ON CONFLICT clause).
 */
export async function insertRows(db: Db, table: string, columns: readonly string[], rows: readonly (readonly Param[])[], suffix = ''): Promise<void> {
  if (rows.length === 0) return;
  const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
  if (db.dialect === 'sqlite') return db.runEach(`${head}${valuesList(1, columns.length)}${suffix}`, rows);
  for (const part of chunk(rows, Math.floor(PARAMS_PER_STATEMENT_MAX / columns.length))) {
    await db.run(`${head}${valuesList(part.length, columns.length)}${suffix}`, part.flat());
  }
}

export function chunk<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
