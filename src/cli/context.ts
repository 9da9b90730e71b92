// What every CLI command needs: the store opened from the environment (and always closed, so
// the SQLite file is never left locked), the workspace it acts on, and who is acting.

import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { configFromEnv, Truestock } from '../app/truestock.ts';
import { listWorkspaces, type Workspace } from '../store/access-repo.ts';
import { CliError } from './output.ts';

/**
 * Open Truestock from the environment, run `fn`, close. With `mustExist`, a missing SQLite file
 * is an error instead of a new empty database (a typo in TRUESTOCK_DB should not go unnoticed).
 */
export async function withTruestock<T>(opts: { mustExist: boolean }, fn: (truestock: Truestock) => Promise<T>): Promise<T> {
  const config = configFromEnv();
  if (opts.mustExist && !config.databaseUrl && !existsSync(config.sqlitePath!)) {
    throw new CliError(`no database at ${config.sqlitePath}: run "truestock init" first, or set TRUESTOCK_DB or DATABASE_URL`);
  }
  const truestock = await Truestock.open(config);
  try {
    return await fn(truestock);
  } finally {
    await truestock.close();
  }
}

/**
 * The workspace a command acts on: the one named (by id, or by name when that is unique), else
 * the only one there is.
 */
export async function resolveWorkspace(truestock: Truestock, named: string | undefined): Promise<Workspace> {
  const all = await truestock.store.read((db) => listWorkspaces(db));
  const list = () => all.map((w) => `${w.id} (${w.name})`).join(', ');
  if (named !== undefined && named !== '') {
    const byId = all.find((w) => w.id === named);
    if (byId) return byId;
    const byName = all.filter((w) => w.name === named);
    if (byName.length === 1) return byName[0]!;
    if (byName.length > 1) throw new CliError(`several workspaces are named ${JSON.stringify(named)}: pass its id (${byName.map((w) => w.id).join(', ')})`);
    throw new CliError(`no workspace ${JSON.stringify(named)}${all.length ? ` (there are: ${list()})` : ''}`);
  }
  if (all.length === 1) return all[0]!;
  if (all.length === 0) throw new CliError('no workspace yet: run "truestock init"');
  throw new CliError(`several workspaces: pass --workspace or set TRUESTOCK_WORKSPACE (${list()})`);
}

/** `cli:<os user>`: who did it, in the ledger's `actor` column. */
export function cliActor(): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (some containers): fall back to the environment.
  }
  return `cli:${name || process.env.USER || process.env.LOGNAME || 'unknown'}`;
}
