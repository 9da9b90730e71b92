// `truestock returns create|receive|inspect|close|show|list`: customer returns from the
// warehouse floor, through the same use-cases and ledger steps as the API.

import { closeStep, createReturn, inspectStep, receiveStep, returnById, returnsPage, type ReturnView } from '../app/returns.ts';
import type { ReturnState } from '../domain/return-rules.ts';
import { returnIdByNumber } from '../store/return-repo.ts';
import type { Truestock } from '../app/truestock.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { type KeyOptions, parsePair, parseUnits, runKey, runMutation, runStep } from './document-cli.ts';
import { CliError, out, table } from './output.ts';

interface Common extends KeyOptions {
  workspace?: string;
  json?: boolean;
}

/** A return named by id (`ret_…`) or by number. */
async function resolveReturn(truestock: Truestock, workspaceId: string, ref: string): Promise<string> {
  if (ref.startsWith('ret_')) return ref;
  const id = await truestock.store.read((db) => returnIdByNumber(db, workspaceId, ref));
  if (!id) throw new CliError(`no return ${JSON.stringify(ref)} in this workspace`);
  return id;
}

function show(r: ReturnView, json?: boolean, movements?: unknown[]): void {
  if (json) {
    out(JSON.stringify(movements ? { return: r, movements } : { return: r }, null, 2));
    return;
  }
  out(`return ${r.number} (${r.id}) at ${r.location}: ${r.state}${r.order_reference ? `, order ${r.order_reference}` : ''}`);
  out(table(['line', 'sku', 'expected', 'received', 'awaiting', 'restocked', 'damaged', 'written_off', 'to_vendor'],
    r.lines.map((l) => [l.line, l.sku, l.expected, l.received, l.awaiting_inspection, l.restocked, l.damaged, l.written_off, l.returned_to_vendor])));
}

export async function returnsCreate(lines: string[], opts: Common & { location: string; number?: string; channel?: string; order?: string; note?: string }): Promise<void> {
  const input = {
    location: opts.location,
    lines: lines.map((l) => parsePair(l)),
    ...(opts.number ? { number: opts.number } : {}),
    ...(opts.channel ? { channel_id: opts.channel } : {}),
    ...(opts.order ? { order_reference: opts.order } : {}),
    ...(opts.note ? { note: opts.note } : {}),
  };
  const key = runKey(opts);
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const res = await runMutation(ts, ws.id, key, { type: 'return_create', input }, (db, now) => createReturn(db, ws.id, input, now));
    if (!opts.json) out(res.replayed ? 'already created under this idempotency key:' : 'created:');
    show(res.body.return, opts.json);
  });
}

export async function returnsReceive(ref: string, lines: string[], opts: Common & { allowOverReceipt?: boolean }): Promise<void> {
  const body = { lines: lines.map((l) => parsePair(l)), ...(opts.allowOverReceipt ? { allow_over_receipt: true } : {}) };
  const key = runKey(opts);
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const res = await runStep(ts, ws.id, key, receiveStep(ws.id, await resolveReturn(ts, ws.id, ref), body));
    if (!opts.json) out(res.replayed ? 'already received under this idempotency key; nothing changed:' : 'received:');
    show(res.body.return, opts.json, res.body.movements);
  });
}

export async function returnsInspect(ref: string, sku: string, opts: Common & { restock?: string; damaged?: string; writeOff?: string; returnToVendor?: string }): Promise<void> {
  const decided = {
    restock: parseUnits(opts.restock, '--restock'),
    damaged: parseUnits(opts.damaged, '--damaged'),
    write_off: parseUnits(opts.writeOff, '--write-off'),
    return_to_vendor: parseUnits(opts.returnToVendor, '--return-to-vendor'),
  };
  const line = { sku, ...Object.fromEntries(Object.entries(decided).filter(([, v]) => v !== undefined)) };
  if (Object.keys(line).length === 1) throw new CliError('decide at least one unit: --restock, --damaged, --write-off or --return-to-vendor');
  const key = runKey(opts);
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const res = await runStep(ts, ws.id, key, inspectStep(ws.id, await resolveReturn(ts, ws.id, ref), { lines: [line] }));
    if (!opts.json) out(res.replayed ? 'already inspected under this idempotency key; nothing changed:' : 'inspected:');
    show(res.body.return, opts.json, res.body.movements);
  });
}

export async function returnsClose(ref: string, opts: Common): Promise<void> {
  const key = runKey(opts);
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const res = await runStep(ts, ws.id, key, closeStep(ws.id, await resolveReturn(ts, ws.id, ref)));
    if (!opts.json) out('closed:');
    show(res.body.return, opts.json);
  });
}

export async function returnsShow(ref: string, opts: Common): Promise<void> {
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const id = await resolveReturn(ts, ws.id, ref);
    const r = await ts.store.read((db) => returnById(db, ws.id, id));
    if (!r) throw new CliError(`no return ${JSON.stringify(ref)} in this workspace`);
    show(r, opts.json);
  });
}

export async function returnsList(opts: Common & { state?: ReturnState }): Promise<void> {
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const all: ReturnView[] = [];
    for (let cursor: string | null | undefined; ; ) {
      const p = await ts.store.read((db) => returnsPage(db, ws.id, { limit: 500, ...(opts.state ? { state: opts.state } : {}), ...(cursor ? { cursor } : {}) }));
      all.push(...p.data);
      if (!p.next_cursor) break;
      cursor = p.next_cursor;
    }
    if (opts.json) return out(JSON.stringify({ data: all }, null, 2));
    out(all.length ? table(['number', 'state', 'location', 'order', 'awaiting', 'id'], all.map((r) => [r.number, r.state, r.location, r.order_reference ?? '', r.lines.reduce((s, l) => s + l.awaiting_inspection, 0), r.id])) : 'no returns');
  });
}
