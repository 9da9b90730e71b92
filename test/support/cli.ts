// Helpers for the CLI end-to-end tests: spawn `node bin/truestock.js` as a user would, with a
// clean environment, and collect stdout, stderr and the exit code — or run the same entry module
// in this process (`runInProcess`), which skips a process start of about two seconds per command.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../../bin/truestock.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The test process's environment without any truestock settings, plus `extra`. */
function baseEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'TRUESTOCK_DB', 'TRUESTOCK_WORKSPACE', 'TRUESTOCK_DEBUG', 'PORT', 'HOST']) delete env[k];
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** Starts `truestock args` in `cwd` (e.g. `serve`, to talk to it before it exits). */
export function start(args: string[], env: Record<string, string | undefined>, cwd: string): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits for a started command to exit, with everything it wrote. */
export function collect(child: ChildProcess): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `truestock args` in `cwd` to completion. */
export function run(args: string[], env: Record<string, string | undefined>, cwd: string): Promise<Run> {
  return collect(start(args, env, cwd));
}

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).href;
/** Every in-process run evaluates the entry module anew (its imports stay loaded). */
let inProcessRuns = 0;
/** In-process runs share the process's environment, directory and streams: one at a time. */
let inProcessQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs `truestock args` in `cwd` to completion inside this process, as `run` does in a child:
 * the entry module `src/cli/main.ts` itself is evaluated with `process.argv` set, the
 * environment and working directory the child would have, stdout and stderr captured, and its
 * `process.exit(code)` taken as the exit code. So the check still covers the argument parsing,
 * the command and the one-line error reporting; what it leaves out is the process start (the
 * tsx loader in `bin/truestock.js`, a fresh module graph), which each CLI test file keeps covered
 * with `run`. Not for commands that keep running (`serve`, `worker`, `start`): those exit the
 * process on a signal.
 */
export function runInProcess(args: string[], env: Record<string, string | undefined>, cwd: string): Promise<Run> {
  const next = inProcessQueue.then(() => inProcess(args, env, cwd));
  inProcessQueue = next.catch(() => undefined);
  return next;
}

async function inProcess(args: string[], env: Record<string, string | undefined>, cwd: string): Promise<Run> {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const savedArgv = process.argv;
  const savedExitCode = process.exitCode;
  const { exit, stdout: out, stderr: err } = process;
  const outWrite = out.write;
  const errWrite = err.write;
  const listening = { uncaught: process.listeners('uncaughtException'), unhandled: process.listeners('unhandledRejection') };
  let stdout = '';
  let stderr = '';
  let exited: ((code: number) => void) | undefined;
  const exitCode = new Promise<number>((resolve) => (exited = resolve));
  const capture = (append: (text: string) => void) =>
    ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    }) as typeof out.write;
  try {
    const childEnv = baseEnv(env);
    for (const k of Object.keys(process.env)) if (!(k in childEnv)) delete process.env[k];
    Object.assign(process.env, childEnv);
    process.chdir(cwd);
    process.argv = [process.execPath, BIN, ...args];
    process.exit = ((code?: number | string | null) => void exited!(Number(code ?? process.exitCode ?? 0))) as typeof process.exit;
    out.write = capture((t) => (stdout += t));
    err.write = capture((t) => (stderr += t));
    await import(`${MAIN}?in-process=${++inProcessRuns}`);
    return { code: await exitCode, stdout, stderr };
  } finally {
    out.write = outWrite;
    err.write = errWrite;
    process.exit = exit;
    process.argv = savedArgv;
    process.exitCode = savedExitCode;
    process.chdir(savedCwd);
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    // The entry module's own last-resort handlers belong to its (pretend) process.
    for (const l of process.listeners('uncaughtException')) if (!listening.uncaught.includes(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!listening.unhandled.includes(l)) process.removeListener('unhandledRejection', l);
  }
}

/** Failure output: exactly one line, `truestock: …`, and no stack trace. */
export function expectOneLineError(r: Run, pattern: RegExp, code = 2): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^truestock: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}
