// `truestock counts create|enter|show|post|approve|cancel|list`: cycle counts from the command
// line. Whoever runs the CLI has the database itself, so `show` reveals the books even of a
// blind count; `post` still sends a variance over the threshold to approval, and `approve` is
// the deliberate admin act that posts it.

import { cancelCount, countById, countsPage, createCount, enterCounts, postStep, type Viewer } from '../app/counts.ts';
import type { Truestock } from '../app/truestock.ts';
import type { CountScope, CountState } from '../domain/count-rules.ts';
import { countIdByNumber } from '../store/count-repo.ts';
import { cliActor, resolveWorkspace, withTruestock } from './context.ts';
import { type KeyOptions, parsePair, runKey, runMutation, runStep } from './document-cli.ts';
import { CliError, out, table } from './output.ts';

interface Common extends KeyOptions {
  workspace?: string;
  json?: boolean;
}

const asOperator = (): Viewer => ({ actor: cliActor(), admin: false });
const asAdmin = (): Viewer => ({ actor: cliActor(), admin: true });

/** A count named by id (`cnt_…`) or by number. */
async function resolveCount(truestock: Truestock, workspaceId: string, ref: string): Promise<string> {
  if (ref.startsWith('cnt_')) return ref;
  const id = await truestock.store.read((db) => countIdByNumber(db, workspaceId, ref));
  if (!id) throw new CliError(`no count ${JSON.stringify(ref)} in this workspace`);
  return id;
}

const cell = (v: unknown) => (v === null || v === undefined ? '-' : String(v));

function show(c: Record<string, any>, json?: boolean, movements?: unknown[]): void {
  if (json) {
    out(JSON.stringify(movements ? { count: c, movements } : { count: c }, null, 2));
    return;
  }
  out(`count ${c.number} (${c.id}) at ${c.location}: ${c.state}${c.blind ? ', blind' : ''}${c.approved_by ? `, approved by ${c.approved_by}` : ''}`);
  if (c.books_hidden) {
    out(table(['sku', 'your counts'], c.lines.map((l: any) => [l.sku, l.your_counts.map((x: any) => `${x.counter}=${x.counted}`).join(' ')])));
    return;
  }
  out(table(['sku', 'snapshot', 'expected', 'counted', 'variance', '%', 'over'],
    c.lines.map((l: any) => [l.sku, l.snapshot, cell(l.expected), cell(l.counted), cell(l.variance), cell(l.variance_percent), l.exceeds_threshold ? 'yes' : ''])));
  if (c.uncounted.length) out(`uncounted: ${c.uncounted.join(', ')}`);
}

export async function countsCreate(opts: Common & { location: string; zone?: string[]; sku?: string[]; blind?: boolean; number?: string }): Promise<void> {
  if (opts.zone?.length && opts.sku?.length) throw new CliError('give --zone or --sku, not both');
  const scope: CountScope = opts.zone?.length ? 'zones' : opts.sku?.length ? 'skus' : 'all';
  const input = {
    location: opts.location,
    scope,
    ...(scope === 'zones' ? { zones: opts.zone! } : {}),
    ...(scope === 'skus' ? { skus: opts.sku! } : {}),
    ...(opts.blind ? { blind: true } : {}),
    ...(opts.number ? { number: opts.number } : {}),
  };
  const key = runKey(opts);
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const res = await runMutation(ts, ws.id, key, { type: 'count_create', input }, (db, now) => createCount(db, ws.id, input, asAdmin(), now));
    if (!opts.json) out(res.replayed ? 'already created under this idempotency key:' : 'created:');
    show(res.body.count, opts.json);
  });
}

export async function countsEnter(ref: string, pairs: string[], opts: Common & { counter?: string }): Promise<void> {
  const entries = pairs.map((p) => {
    const { sku, quantity } = parsePair(p, 0);
    return { sku, counted: quantity, ...(opts.counter ? { counter: opts.counter } : {}) };
  });
  const key = runKey(opts);
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const id = await resolveCount(ts, ws.id, ref);
    const res = await runMutation(ts, ws.id, key, { type: 'count_enter', id, entries }, (db, now) => enterCounts(db, ws.id, id, entries, asAdmin(), now));
    if (!opts.json) out(res.replayed ? 'already entered under this idempotency key; nothing changed:' : 'entered:');
    show(res.body.count, opts.json);
  });
}

async function post(ref: string, opts: Common, approve: boolean): Promise<void> {
  const key = runKey(opts);
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const id = await resolveCount(ts, ws.id, ref);
    const res = await runStep(ts, ws.id, key, postStep(ws.id, id, approve ? asAdmin() : asOperator(), approve));
    if (!opts.json) {
      out(res.status === 202
        ? `variances over the workspace threshold (${res.body.count.exceeding.join(', ')}): the count awaits an admin's approval ("truestock counts approve ${res.body.count.number}"); nothing was posted`
        : `${res.replayed ? 'already posted under this idempotency key' : 'posted'}: ${res.body.movements.length} movements`);
    }
    show(res.body.count, opts.json, res.body.movements);
  });
}

export const countsPost = (ref: string, opts: Common) => post(ref, opts, false);
export const countsApprove = (ref: string, opts: Common) => post(ref, opts, true);

export async function countsCancel(ref: string, opts: Common): Promise<void> {
  const key = runKey(opts);
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const id = await resolveCount(ts, ws.id, ref);
    const res = await runMutation(ts, ws.id, key, { type: 'count_cancel', id }, (db, now) => cancelCount(db, ws.id, id, asAdmin(), now));
    if (!opts.json) out('cancelled:');
    show(res.body.count, opts.json);
  });
}

export async function countsShow(ref: string, opts: Common): Promise<void> {
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const id = await resolveCount(ts, ws.id, ref);
    const c = await ts.store.read((db) => countById(db, ws.id, id, asAdmin()));
    if (!c) throw new CliError(`no count ${JSON.stringify(ref)} in this workspace`);
    show(c, opts.json);
  });
}

export async function countsList(opts: Common & { state?: CountState }): Promise<void> {
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const all: Record<string, any>[] = [];
    for (let cursor: string | null | undefined; ; ) {
      const p = await ts.store.read((db) => countsPage(db, ws.id, { limit: 500, ...(opts.state ? { state: opts.state } : {}), ...(cursor ? { cursor } : {}) }));
      all.push(...p.data);
      if (!p.next_cursor) break;
      cursor = p.next_cursor;
    }
    if (opts.json) return out(JSON.stringify({ data: all }, null, 2));
    out(all.length ? table(['number', 'state', 'location', 'scope', 'blind', 'id'], all.map((c) => [c.number, c.state, c.location, c.scope, c.blind ? 'yes' : '', c.id])) : 'no counts');
  });
}
