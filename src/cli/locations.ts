// `truestock locations add|list`: just enough to stock a location from the command line.

import { createLocation } from '../app/catalog.ts';
import { fingerprint } from '../app/fingerprint.ts';
import { idempotent } from '../app/idempotent.ts';
import type { LocationKind } from '../domain/model.ts';
import { listLocations } from '../store/catalog-repo.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { out, refusalError, table } from './output.ts';

/** Locations listed per page read; the CLI reads them all. */
const LIST_PAGE_ROWS = 500;

export async function locationsAdd(code: string, name: string, opts: { kind: LocationKind; workspace?: string; idempotencyKey?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const input = { code, name, kind: opts.kind };
    // The same command run twice answers with the first result instead of "code taken".
    const key = opts.idempotencyKey ?? `locations-add:${fingerprint(input)}`;
    const res = await idempotent(truestock.store, truestock.clock, ws.id, key, fingerprint({ type: 'location_create', ...input }), (db, now) =>
      createLocation(db, ws.id, input, now),
    );
    if (!res.ok) throw refusalError(res.refusal);
    const loc = res.body.location as { id: string; code: string; kind: string };
    out(`${res.replayed ? 'already added' : 'added'} location ${loc.code} (${loc.kind}) ${loc.id}`);
  });
}

export async function locationsList(opts: { workspace?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const rows: string[][] = [];
    for (let after: string | undefined; ; ) {
      const page = await truestock.store.read((db) => listLocations(db, ws.id, { limit: LIST_PAGE_ROWS, ...(after ? { after } : {}) }));
      rows.push(...page.map((l) => [l.code, l.kind, l.name, l.id]));
      if (page.length < LIST_PAGE_ROWS) break;
      after = page[page.length - 1]!.id;
    }
    out(rows.length ? table(['code', 'kind', 'name', 'id'], rows) : 'no locations yet: add one with "truestock locations add CODE NAME --kind warehouse"');
  });
}
