// runInProcess stands in for a spawned `truestock` in the CLI tests: it must answer exactly as the
// real process does, and leave this process as it found it.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runInProcess } from './cli.ts';

describe('runInProcess', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'truestock-in-process-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers as the spawned command does: exit code, stdout and stderr', async () => {
    const cases: [string[], Record<string, string>][] = [
      [['frobnicate'], {}],
      [['stock', 'TEE'], { TRUESTOCK_DB: join(dir, 'missing.db') }],
      [['stock', 'TEE'], {}], // no database in the working directory: the message names its path
    ];
    for (const [args, env] of cases) {
      const inProcess = await runInProcess(args, env, dir);
      const spawned = await run(args, env, dir);
      expect(inProcess, args.join(' ')).toEqual(spawned);
    }
  }, 60_000);

  it('leaves the environment, working directory, argv, streams and handlers as they were', async () => {
    const before = {
      env: { ...process.env },
      cwd: process.cwd(),
      argv: [...process.argv],
      exit: process.exit,
      out: process.stdout.write,
      err: process.stderr.write,
      handlers: [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')],
    };
    const r = await runInProcess(['stock', 'TEE'], { TRUESTOCK_DB: join(dir, 'missing.db'), TRUESTOCK_WORKSPACE: 'ws_x' }, dir);
    expect(r.code).toBe(2);
    expect({
      env: { ...process.env },
      cwd: process.cwd(),
      argv: [...process.argv],
      exit: process.exit,
      out: process.stdout.write,
      err: process.stderr.write,
      handlers: [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')],
    }).toEqual(before);
  });
});
