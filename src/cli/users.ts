// `truestock users add|list`: dashboard user accounts (sign in with email and password).

import { randomBytes } from 'node:crypto';
import { createUser, userView } from '../app/sessions.ts';
import { listUsers } from '../store/session-repo.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { out, refusalError, table } from './output.ts';

export async function addUser(email: string, opts: { name?: string; role: string; workspace?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    // A generated password, shown once: nothing typed on a command line ends up in shell history.
    const password = randomBytes(12).toString('base64url');
    const user = await createUser(truestock.store, truestock.clock, ws.id, { email, name: opts.name ?? email.split('@')[0]!, role: opts.role, password });
    if ('code' in user) throw refusalError(user);
    out(`user:     ${user.email} (${user.role}) in ${ws.name}`);
    out(`password: ${password}`);
    out('The password is shown only this once.');
  });
}

export async function listUsersCommand(opts: { workspace?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const users = (await truestock.store.read((db) => listUsers(db, ws.id))).map(userView);
    out(table(['email', 'name', 'role', 'created_at'], users.map((u) => [u.email, u.name, u.role, u.created_at])));
  });
}
