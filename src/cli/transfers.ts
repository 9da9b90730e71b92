// `truestock transfers create|receive|close|show|list`: stock moving between two locations,
// through the same document steps as the API.

import * as tr from '../app/transfers.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { CliError, out, table } from './output.ts';
import { type DocumentOptions, LIST_PAGE_ROWS, parseOrderLine, parseReceiptLine, runStep } from './po.ts';

export function printTransfer(t: tr.TransferView): void {
  out(`${t.number}  ${t.from} → ${t.to}  ${t.state}${t.eta ? `  eta ${t.eta.slice(0, 10)}` : ''}  ${t.id}`);
  out(table(['line', 'sku', 'shipped', 'received', 'damaged', 'lost', 'in_transit'], t.lines.map((l) => [String(l.line), l.sku, l.shipped, l.received, l.damaged, l.lost, l.in_transit])));
}

export async function transfersCreate(from: string, to: string, lines: string[], opts: DocumentOptions & { number?: string; eta?: string; note?: string }): Promise<void> {
  const body = {
    from,
    to,
    lines: lines.map(parseOrderLine),
    ...(opts.number !== undefined ? { number: opts.number } : {}),
    ...(opts.eta !== undefined ? { eta: opts.eta } : {}),
    ...(opts.note !== undefined ? { note: opts.note } : {}),
  };
  await runStep(opts, (ws) => tr.shipTransferStep(ws, body), (b, replayed) => {
    out(replayed ? 'already shipped under this idempotency key; nothing changed:' : `shipped ${b.transfer.number}: ${b.transfer.shipped} units from ${from} to ${to}`);
    printTransfer(b.transfer);
  });
}

export async function transfersReceive(id: string, lines: string[], opts: DocumentOptions & { reference?: string }): Promise<void> {
  const body = { lines: lines.map((l) => parseReceiptLine(l, false)), ...(opts.reference !== undefined ? { reference: opts.reference } : {}) };
  await runStep(opts, (ws) => tr.receiveTransferStep(ws, id, body), (b, replayed) => {
    const t = b.transfer as tr.TransferView;
    out(replayed ? 'already received under this idempotency key; nothing changed:' : `received on ${t.number}; ${t.in_transit} units still in transit${t.state === 'closed' ? '; closed' : ''}`);
    printTransfer(t);
  });
}

export async function transfersClose(id: string, opts: DocumentOptions & { note?: string }): Promise<void> {
  await runStep(opts, (ws) => tr.closeTransferStep(ws, id, opts.note !== undefined ? { note: opts.note } : {}), (b, replayed) => {
    const t = b.transfer as tr.TransferView;
    out(replayed ? 'already closed under this idempotency key; nothing changed:' : `closed ${t.number}${t.lost ? `; ${t.lost} units written off as lost in transit` : ''}`);
    printTransfer(t);
  });
}

export async function transfersShow(id: string, opts: { workspace?: string; json?: boolean }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const found = await truestock.store.read((db) => tr.transfer(db, ws.id, id));
    if (!found) throw new CliError(`no transfer ${JSON.stringify(id)} in workspace ${ws.id} (${ws.name})`);
    if (opts.json) return out(JSON.stringify(found, null, 2));
    printTransfer(found.transfer);
    out();
    out(table(['when', 'step', 'sku', 'location', 'from', 'to', 'qty', 'reason', 'note', 'who'],
      found.movements.map((m) => [m.created_at ?? '', m.command, m.sku, m.location, m.from, m.to, m.quantity, m.reason ?? '', m.note ?? '', m.actor])));
  });
}

export async function transfersList(opts: { workspace?: string; state?: string; json?: boolean }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const all: tr.TransferView[] = [];
    for (let cursor: string | null = null; ; ) {
      const page: { data: tr.TransferView[]; next_cursor: string | null } = await truestock.store.read((db) => tr.transfers(db, ws.id, { limit: LIST_PAGE_ROWS, ...(opts.state ? { state: opts.state } : {}), ...(cursor ? { cursor } : {}) }));
      all.push(...page.data);
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    if (opts.json) return out(JSON.stringify(all, null, 2));
    out(all.length
      ? table(['number', 'from', 'to', 'state', 'shipped', 'arrived', 'lost', 'in_transit', 'id'], all.map((t) => [t.number, t.from, t.to, t.state, t.shipped, t.received + t.damaged, t.lost, t.in_transit, t.id]))
      : 'no transfers');
  });
}
