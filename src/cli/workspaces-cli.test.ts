// `truestock workspaces …` and `truestock admin key …` as a user runs them: a SQLite file in a
// temp dir, stdout and exit codes. `init` spawns the real binary; the rest run the entry module
// in-process (test/support/cli.ts `runInProcess`: the same parsing, commands and output).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runInProcess } from '../../test/support/cli.ts';

/** The spawned `init` takes seconds on a busy machine. */
const SPAWN_TIMEOUT_MS = 120_000;

describe('truestock workspaces and admin key', () => {
  let dir: string;
  const cli = (args: string[]) => runInProcess(args, { TRUESTOCK_DB: join(dir, 'cli.db') }, dir);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'truestock-ws-cli-'));
    expect((await run(['init'], { TRUESTOCK_DB: join(dir, 'cli.db') }, dir)).code).toBe(0);
  }, SPAWN_TIMEOUT_MS);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, lists, suspends and reactivates a workspace; refuses a taken name', async () => {
    const made = await cli(['workspaces', 'create', 'Brand North']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/workspace: ws_\w+ \(Brand North\)\nadmin key: tsk_\S+\n.*shown only this once/);
    const taken = await cli(['workspaces', 'create', 'Brand North']);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/already named "Brand North" \(workspace_name_taken\)/);

    const suspended = await cli(['workspaces', 'suspend', 'Brand North', '--reason', 'invoice overdue']);
    expect(suspended.code, suspended.stderr).toBe(0);
    expect(suspended.stdout).toMatch(/suspended: ws_\w+ \(Brand North\) since \S+ — invoice overdue/);
    const listed = await cli(['workspaces', 'list', '--json']);
    const rows = JSON.parse(listed.stdout) as { name: string; state: string; counts: { keys: number } }[];
    expect(rows.map((w) => [w.name, w.state, w.counts.keys])).toEqual([['default', 'active', 1], ['Brand North', 'suspended', 1]]);

    expect((await cli(['workspaces', 'reactivate', 'Brand North'])).stdout).toMatch(/active: ws_\w+ \(Brand North\)/);
  });

  it('creates, lists and revokes server admin keys', async () => {
    const made = await cli(['admin', 'key', 'create', '--name', 'ops team']);
    expect(made.code, made.stderr).toBe(0);
    const [, plain, id] = /server admin key: (tsa_\S+) \((sak_\w+), ops team\)/.exec(made.stdout)!;
    const listed = await cli(['admin', 'key', 'list']);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain(plain);
    expect((await cli(['admin', 'key', 'revoke', id!])).code).toBe(0);
  });
});
