// `truestock workspaces list|create|suspend|reactivate` and `truestock admin key create|list|revoke`:
// the server administrator's tools on the shell (docs/workspaces.md). The same use-cases as
// /v1/admin/workspaces; a running server sees a suspension within KEY_CACHE_TTL_MS.

import { createServerAdminKey, serverAdminKeyView } from '../app/server-admin.ts';
import * as workspaces from '../app/workspaces.ts';
import type { Written } from '../app/idempotent.ts';
import type { Refusal } from '../domain/errors.ts';
import { listServerAdminKeys, revokeServerAdminKey, workspaceSummaries } from '../store/workspace-admin-repo.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { CliError, out, refusalError, table } from './output.ts';

/** Rows the list reads per query. */
const LIST_PAGE_ROWS = 500;

const written = (r: Written | Refusal): Record<string, any> => {
  if ('code' in r) throw refusalError(r);
  return r.body;
};

export async function workspacesList(opts: { json?: boolean }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const rows: ReturnType<typeof workspaces.workspaceView>[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await truestock.store.read((db) => workspaceSummaries(db, { limit: LIST_PAGE_ROWS, ...(after ? { after } : {}) }));
      rows.push(...page.map(workspaces.workspaceView));
      if (page.length < LIST_PAGE_ROWS) break;
      after = page[page.length - 1]!.id;
    }
    if (opts.json) return out(JSON.stringify(rows, null, 2));
    out(table(['id', 'name', 'state', 'users', 'keys', 'items', 'channels', 'created_at'],
      rows.map((w) => [w.id, w.name, w.state, w.counts.users, w.counts.keys, w.counts.items, w.counts.channels, w.created_at ?? ''])));
  });
}

export async function workspacesCreate(name: string): Promise<void> {
  await withTruestock({ mustExist: false }, async (truestock) => {
    const body = written(await truestock.store.transaction((db) => workspaces.createWorkspaceByAdmin(db, { name }, truestock.clock.now())));
    out(`workspace: ${body.workspace.id} (${body.workspace.name})`);
    out(`admin key: ${body.secret}`);
    out('The admin key is shown only this once: hand it to the workspace\'s owner over a safe channel.');
  });
}

export async function workspacesSuspend(named: string, opts: { reason?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, named);
    const body = written(await truestock.store.transaction((db) => workspaces.suspendWorkspace(db, ws.id, { reason: opts.reason ?? null }, truestock.clock.now())));
    out(`suspended: ${ws.id} (${ws.name}) since ${body.workspace.suspended_at}${body.workspace.suspended_reason ? ` — ${body.workspace.suspended_reason}` : ''}`);
    out('Its keys, users and sessions are refused and its channels are not pushed to; its data is kept.');
  });
}

export async function workspacesReactivate(named: string): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, named);
    written(await truestock.store.transaction((db) => workspaces.reactivateWorkspace(db, ws.id)));
    out(`active: ${ws.id} (${ws.name})`);
  });
}

export async function adminKeyCreate(opts: { name: string }): Promise<void> {
  await withTruestock({ mustExist: false }, async (truestock) => {
    const made = await createServerAdminKey(truestock.store, truestock.clock, opts.name);
    if ('code' in made) throw refusalError(made);
    out(`server admin key: ${made.plain} (${made.key.id}, ${made.key.name})`);
    out('It manages workspaces (/v1/admin/workspaces, the dashboard\'s Workspaces page) and reads none of their data.');
    out('It is shown only this once: store it somewhere safe now.');
  });
}

export async function adminKeyList(): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const keys = (await truestock.store.read((db) => listServerAdminKeys(db))).map(serverAdminKeyView);
    out(table(['id', 'name', 'prefix', 'created_at', 'revoked'], keys.map((k) => [k.id, k.name, k.prefix, k.created_at, k.revoked ? 'yes' : 'no'])));
  });
}

export async function adminKeyRevoke(id: string): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const changed = await truestock.store.transaction((db) => revokeServerAdminKey(db, id, truestock.clock.now()));
    if (changed === 0) throw new CliError(`no active server admin key ${id} (see "truestock admin key list")`);
    out(`revoked: ${id}`);
  });
}
