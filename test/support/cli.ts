// Helpers for the CLI end-to-end tests: spawn `node bin/truestock.js` as a user would, with a
// clean environment, and collect stdout, stderr and the exit code.

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

/** Failure output: exactly one line, `truestock: …`, and no stack trace. */
export function expectOneLineError(r: Run, pattern: RegExp, code = 2): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^truestock: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}
