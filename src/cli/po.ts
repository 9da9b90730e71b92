// `truestock po create|receive|close|show|list`: purchase orders from the command line, through
// the same document steps as the API, under an idempotency key the user can retry with.

import { randomUUID } from 'node:crypto';
import type { DocumentStep } from '../app/ledger.ts';
import * as po from '../app/purchase-orders.ts';
import type { Truestock } from '../app/truestock.ts';
import { cliActor, resolveWorkspace, withTruestock } from './context.ts';
import { CliError, EXIT_FAILURE, out, refusalError, table } from './output.ts';

/** `SKU:QTY` → a line to order or ship. */
export function parseOrderLine(text: string): { sku: string; quantity: number } {
  const m = /^(.+):(\d+)$/.exec(text);
  if (!m) throw new CliError(`line ${JSON.stringify(text)} must be SKU:QTY, e.g. TEE-M:40`);
  return { sku: m[1]!, quantity: wholeNumber(m[2]!, text) };
}

/** `SKU:GOOD[:DAMAGED][@LOCATION]` → a receipt line. */
export function parseReceiptLine(text: string, allowLocation: boolean): { sku: string; good: number; damaged: number; location?: string } {
  const m = /^(.+?):(\d+)(?::(\d+))?(?:@(.+))?$/.exec(text);
  if (!m || (m[4] !== undefined && !allowLocation)) {
    throw new CliError(`line ${JSON.stringify(text)} must be SKU:GOOD[:DAMAGED]${allowLocation ? '[@LOCATION]' : ''}, e.g. TEE-M:38:2`);
  }
  return { sku: m[1]!, good: wholeNumber(m[2]!, text), damaged: m[3] === undefined ? 0 : wholeNumber(m[3], text), ...(m[4] !== undefined ? { location: m[4] } : {}) };
}

function wholeNumber(digits: string, line: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) throw new CliError(`quantity in ${JSON.stringify(line)} is too large`);
  return n;
}

export interface DocumentOptions {
  workspace?: string;
  idempotencyKey?: string;
  json?: boolean;
}

/** Run a document step built for the workspace; print the key first so a failed run can be retried. */
export async function runStep(opts: DocumentOptions, build: (workspaceId: string) => DocumentStep, print: (body: Record<string, any>, replayed: boolean) => void): Promise<void> {
  const key = opts.idempotencyKey ?? randomUUID();
  if (!opts.idempotencyKey && !opts.json) out(`idempotency key: ${key}`);
  await withTruestock({ mustExist: true }, async (truestock: Truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    let res;
    try {
      res = await truestock.ledger.executeDocument({ workspaceId: ws.id, idempotencyKey: key, actor: cliActor() }, build(ws.id));
    } catch (err) {
      throw new CliError(`${err instanceof Error ? err.message : String(err)}; retry with --idempotency-key ${key}`, EXIT_FAILURE);
    }
    if (!res.ok) throw refusalError(res.refusal, res.refusal.code === 'busy' ? `retry with --idempotency-key ${key}` : undefined);
    if (opts.json) out(JSON.stringify(res.body, null, 2));
    else print(res.body, res.replayed);
  });
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '-');

export function printPurchaseOrder(p: po.PurchaseOrderView): void {
  out(`${p.number}  ${p.supplier} → ${p.location}  ${p.state}${p.close_reason ? ` (${p.close_reason})` : ''}  ${p.id}`);
  out(table(['line', 'sku', 'ordered', 'good', 'damaged', 'expected', 'eta'], p.lines.map((l) => [String(l.line), l.sku, l.ordered, l.received_good, l.received_damaged, l.still_expected, day(l.eta)])));
}

export async function poCreate(lines: string[], opts: DocumentOptions & { supplier: string; location: string; number?: string; eta?: string; note?: string }): Promise<void> {
  const body = {
    supplier: opts.supplier,
    location: opts.location,
    lines: lines.map(parseOrderLine),
    ...(opts.number !== undefined ? { number: opts.number } : {}),
    ...(opts.eta !== undefined ? { eta: opts.eta } : {}),
    ...(opts.note !== undefined ? { note: opts.note } : {}),
  };
  await runStep(opts, (ws) => po.openPurchaseOrderStep(ws, body), (b, replayed) => {
    out(replayed ? 'already created under this idempotency key; nothing changed:' : `opened ${b.purchase_order.number}: ${b.purchase_order.ordered} units incoming at ${b.purchase_order.location}`);
    printPurchaseOrder(b.purchase_order);
  });
}

export async function poReceive(id: string, lines: string[], opts: DocumentOptions & { reference?: string; allowOverReceipt?: boolean }): Promise<void> {
  const body = {
    lines: lines.map((l) => parseReceiptLine(l, true)),
    ...(opts.reference !== undefined ? { reference: opts.reference } : {}),
    ...(opts.allowOverReceipt ? { allow_over_receipt: true } : {}),
  };
  await runStep(opts, (ws) => po.receivePurchaseOrderStep(ws, id, body), (b, replayed) => {
    const p = b.purchase_order as po.PurchaseOrderView;
    out(replayed ? 'already received under this idempotency key; nothing changed:' : `received on ${p.number}; ${p.still_expected} units still expected${p.state === 'closed' ? `; closed (${p.close_reason})` : ''}`);
    printPurchaseOrder(p);
  });
}

export async function poClose(id: string, opts: DocumentOptions & { reason?: string }): Promise<void> {
  await runStep(opts, (ws) => po.closePurchaseOrderStep(ws, id, opts.reason !== undefined ? { reason: opts.reason } : {}), (b, replayed) => {
    out(replayed ? 'already closed under this idempotency key; nothing changed:' : `closed ${b.purchase_order.number}`);
    printPurchaseOrder(b.purchase_order);
  });
}

export async function poShow(id: string, opts: { workspace?: string; json?: boolean }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const found = await truestock.store.read((db) => po.purchaseOrder(db, ws.id, id));
    if (!found) throw new CliError(`no purchase order ${JSON.stringify(id)} in workspace ${ws.id} (${ws.name})`);
    if (opts.json) return out(JSON.stringify(found, null, 2));
    printPurchaseOrder(found.purchase_order);
    out();
    out(table(['when', 'step', 'sku', 'location', 'from', 'to', 'qty', 'reason', 'note', 'who'],
      found.movements.map((m) => [m.created_at ?? '', m.command, m.sku, m.location, m.from, m.to, m.quantity, m.reason ?? '', m.note ?? '', m.actor])));
  });
}

/** Documents listed per page read; the CLI reads them all. */
export const LIST_PAGE_ROWS = 500;

export async function poList(opts: { workspace?: string; state?: string; json?: boolean }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const all: po.PurchaseOrderView[] = [];
    for (let cursor: string | null = null; ; ) {
      const page: { data: po.PurchaseOrderView[]; next_cursor: string | null } = await truestock.store.read((db) => po.purchaseOrders(db, ws.id, { limit: LIST_PAGE_ROWS, ...(opts.state ? { state: opts.state } : {}), ...(cursor ? { cursor } : {}) }));
      all.push(...page.data);
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    if (opts.json) return out(JSON.stringify(all, null, 2));
    out(all.length
      ? table(['number', 'supplier', 'location', 'state', 'ordered', 'received', 'expected', 'id'], all.map((p) => [p.number, p.supplier, p.location, p.state, p.ordered, p.received_good + p.received_damaged, p.still_expected, p.id]))
      : 'no purchase orders');
  });
}
