// What the CLI prints: results on stdout, one line per failure on stderr, a progress bar on a
// terminal. Scripts read stdout and the exit code; people read the rest.

import type { Refusal } from '../domain/errors.ts';

/** Bad arguments, bad input, a refusal: the user can fix it. */
export const EXIT_USAGE = 2;
/** A check failed (verify found mismatches), or something broke that the user cannot fix. */
export const EXIT_FAILURE = 1;

/** A failure the CLI reports as one line, `truestock: <message>`, and exits with `exitCode`. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_USAGE) {
    super(message);
    this.name = 'CliError';
  }
}

/** Refusals the user cannot fix by changing the request exit 1; the rest are input errors. */
export function refusalError(r: Refusal, hint?: string): CliError {
  const exit = r.code === 'busy' || r.code === 'internal_error' ? EXIT_FAILURE : EXIT_USAGE;
  return new CliError(`${r.detail} (${r.code})${hint ? `; ${hint}` : ''}`, exit);
}

export const debug = () => process.env.TRUESTOCK_DEBUG === '1';

/** One line, whatever the error: stack traces only with TRUESTOCK_DEBUG=1. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `truestock: ${message.replace(/\s*\n\s*/g, ' ').trim()}`;
}

export function reportError(err: unknown): number {
  process.stderr.write(`${errorLine(err)}\n`);
  if (debug() && err instanceof Error && !(err instanceof CliError) && err.stack) process.stderr.write(`${err.stack}\n`);
  return err instanceof CliError ? err.exitCode : EXIT_FAILURE;
}

export const out = (line = '') => process.stdout.write(`${line}\n`);

/** A plain text table: first column left-aligned, numbers right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const numeric = headers.map((_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number'));
  return cells
    .map((r) => r.map((v, c) => (numeric[c] ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join('  ').trimEnd())
    .join('\n');
}

/** Redraws at most this often, so a fast loop is not slowed by the terminal. */
const PROGRESS_REDRAW_MS = 100;
const PROGRESS_BAR_WIDTH = 30;

/** A progress bar on stderr, drawn only when stderr is a terminal. */
export class Progress {
  private last = 0;
  private drawn = false;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return Boolean(this.stream.isTTY);
  }

  update(label: string, done: number, total: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (done < total && now - this.last < PROGRESS_REDRAW_MS) return;
    this.last = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(fraction * PROGRESS_BAR_WIDTH);
    const bar = '#'.repeat(filled) + '-'.repeat(PROGRESS_BAR_WIDTH - filled);
    this.stream.write(`\r${label.padEnd(9)} [${bar}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${done}/${total}\x1b[K`);
    this.drawn = true;
  }

  /** Erase the bar so that what follows starts on a clean line. */
  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
