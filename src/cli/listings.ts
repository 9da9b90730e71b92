// `truestock listings add|import|export`.

import { exportListings, importListings } from '../app/listing-import.ts';
import { createListing } from '../app/listings.ts';
import { csvWriter, mutate, readText, reportImport } from './catalog-io.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { CliError, out } from './output.ts';

export async function listingsAdd(channel: string, sku: string, opts: { id: string[]; inactive?: boolean; workspace?: string; idempotencyKey?: string }): Promise<void> {
  const external: Record<string, string> = {};
  for (const pair of opts.id) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new CliError(`--id must be FIELD=VALUE such as seller_sku=AB-1, got ${JSON.stringify(pair)}`);
    external[pair.slice(0, at)] = pair.slice(at + 1);
  }
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const input = { channel, sku, external, active: !opts.inactive };
    const { body, replayed } = await mutate(truestock, ws.id, opts.idempotencyKey, { type: 'listing_create', ...input }, (db, now) => createListing(db, ws.id, input, now));
    const l = body.listing as { id: string; channel: string; external_key: string; sku: string };
    out(`${replayed ? 'already added' : 'added'} listing ${l.external_key} on ${l.channel} → ${l.sku} ${l.id}`);
  });
}

export async function listingsImport(file: string, opts: { workspace?: string; idempotencyKey?: string }): Promise<void> {
  const text = await readText(file);
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    reportImport(file, await importListings(truestock, ws.id, text, opts.idempotencyKey), 'listings', `${ws.id} (${ws.name})`);
  });
}

export async function listingsExport(file: string | undefined, opts: { channel?: string; workspace?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const chunks: string[] = [];
    const res = await exportListings(truestock.store, ws.id, opts.channel, (c) => chunks.push(c));
    if (!res.ok) throw new CliError(res.reason);
    const w = csvWriter(file);
    for (const c of chunks) w.write(c);
    await w.done();
    if (file !== undefined) out(`wrote ${res.rows} listings to ${file}`);
  });
}
