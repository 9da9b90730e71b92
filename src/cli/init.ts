// `truestock init`: create a workspace and its first admin key.

import { createWorkspace } from '../app/access.ts';
import { listWorkspaces } from '../store/access-repo.ts';
import { withTruestock } from './context.ts';
import { CliError, out } from './output.ts';

export async function init(opts: { name: string }): Promise<void> {
  const name = opts.name.trim();
  if (name.length === 0 || name.length > 100) throw new CliError('--name must be 1 to 100 characters');
  await withTruestock({ mustExist: false }, async (truestock) => {
    // Names are how people pick a workspace (--workspace default): keep them unique.
    const same = (await truestock.store.read((db) => listWorkspaces(db))).find((w) => w.name === name);
    if (same) throw new CliError(`a workspace named ${JSON.stringify(name)} already exists (${same.id}); pass --name to create another`);
    const { workspace, adminKey } = await createWorkspace(truestock.store, truestock.clock, name);
    out(`database:  ${truestock.store.description}`);
    out(`workspace: ${workspace.id} (${workspace.name})`);
    out(`admin key: ${adminKey}`);
    out('The admin key is shown only this once: store it somewhere safe now.');
  });
}
