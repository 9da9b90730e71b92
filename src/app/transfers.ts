// Transfer use-cases: create-and-ship, receive in parts, close. Each is a DocumentStep (see
// purchase-orders.ts for the shape): lock the transfer, ask the pure rule, write its next state.

import type { PostCommand } from '../domain/commands.ts';
import { ok, type Outcome, refused } from '../domain/context.ts';
import { closeTransfer, inTransit, receiveTransfer, shipTransfer, type TransferReceiptRequest, type TransferShipRequest } from '../domain/transfer-rules.ts';
import { findTransfer, insertTransfer, listTransfers, type TransferRecord, updateTransfer } from '../store/purchasing-repo.ts';
import type { Db } from '../store/store.ts';
import type { DocumentStep } from './ledger.ts';
import { chooseNumber, documentHistory, documentId, linesField, lookupFor, notFoundRefusal, postedView } from './purchase-orders.ts';
import { decodeCursor, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, page } from './queries.ts';
import { iso } from './views.ts';

export const TRANSFER_NUMBER_PREFIX = 'TR';
export const TRANSFER_FLOWS = ['transfer_ship', 'transfer_receive', 'transfer_close'] as const;
export const TRANSFER_STATES = ['in_transit', 'closed'] as const;

export function transferView(tr: TransferRecord) {
  const lines = tr.lines.map((l) => ({ line: l.lineNo, sku: l.sku, shipped: l.shipped, received: l.received, damaged: l.damaged, lost: l.lost, in_transit: inTransit(l) }));
  const sum = (k: 'shipped' | 'received' | 'damaged' | 'lost' | 'in_transit') => lines.reduce((n, l) => n + l[k], 0);
  return {
    id: tr.id,
    number: tr.number,
    from: tr.from.code,
    to: tr.to.code,
    state: tr.state,
    eta: iso(tr.eta),
    note: tr.note,
    shipped: sum('shipped'),
    received: sum('received'),
    damaged: sum('damaged'),
    lost: sum('lost'),
    in_transit: sum('in_transit'),
    lines,
    created_at: iso(tr.createdAt),
    updated_at: iso(tr.updatedAt),
    closed_at: iso(tr.closedAt),
  };
}
export type TransferView = ReturnType<typeof transferView>;

const codesOf = (tr: TransferRecord) => new Map([[tr.from.id, tr.from.code], [tr.to.id, tr.to.code]]);
const skusOf = (tr: TransferRecord) => new Map(tr.lines.map((l) => [l.itemId, l.sku]));

/** Create a transfer and ship it: source `available → in_transit`, destination `expected → incoming`. */
export function shipTransferStep(workspaceId: string, body: TransferShipRequest): DocumentStep {
  let made: TransferRecord | undefined;
  return {
    name: 'transfer_ship',
    payload: body,
    async prepare(db, now) {
      made = undefined;
      const lookup = await lookupFor(db, workspaceId, linesField(body?.lines, 'sku'), [body?.from, body?.to]);
      const checked = shipTransfer(body, typeof body?.number === 'string' ? body.number : `${TRANSFER_NUMBER_PREFIX}-?`, lookup);
      if (!checked.ok) return checked;
      const number = await chooseNumber(db, 'transfers', workspaceId, body.number, TRANSFER_NUMBER_PREFIX);
      if (!number.ok) return number;
      const { state, lines, note } = checked.value;
      made = { ...state, number: number.value, id: documentId('tr', now), workspaceId, note, createdAt: now, updatedAt: now, closedAt: null };
      return ok<PostCommand>({ type: 'post', flow: 'transfer_ship', lines, reference: number.value, note });
    },
    async finish(db, { movements }) {
      await insertTransfer(db, made!);
      return { status: 201, body: { transfer: transferView(made!), movements: postedView(movements, skusOf(made!), codesOf(made!)) } };
    },
  };
}

function transferStep(
  name: 'transfer_receive' | 'transfer_close',
  workspaceId: string,
  id: string,
  payload: unknown,
  decide: (tr: TransferRecord) => Outcome<{ lines: PostCommand['lines']; note: string | null; next: TransferRecord }>,
): DocumentStep {
  let next: TransferRecord | undefined;
  return {
    name,
    payload: { id, body: payload },
    async prepare(db, now) {
      next = undefined;
      const tr = await findTransfer(db, workspaceId, id, true);
      if (!tr) return refused(notFoundRefusal('transfer', id));
      const decided = decide(tr);
      if (!decided.ok) return decided;
      next = { ...decided.value.next, updatedAt: now, closedAt: decided.value.next.state === 'closed' ? now : null };
      return ok<PostCommand>({ type: 'post', flow: name, lines: decided.value.lines, reference: tr.number, note: decided.value.note });
    },
    async finish(db, { movements }) {
      await updateTransfer(db, next!);
      return { status: 200, body: { transfer: transferView(next!), movements: postedView(movements, skusOf(next!), codesOf(next!)) } };
    },
  };
}

/** Units arriving at the destination, good or damaged. */
export function receiveTransferStep(workspaceId: string, id: string, body: TransferReceiptRequest): DocumentStep {
  return transferStep('transfer_receive', workspaceId, id, body, (tr) => {
    const r = receiveTransfer(tr, body);
    return r.ok ? ok({ lines: r.value.lines, note: body.reference ?? null, next: { ...tr, ...r.value.state } }) : r;
  });
}

/** Close a transfer: what never arrived is written off as lost in transit. */
export function closeTransferStep(workspaceId: string, id: string, body: { note?: string | null }): DocumentStep {
  return transferStep('transfer_close', workspaceId, id, body, (tr) => {
    const r = closeTransfer(tr, body ?? {});
    return r.ok ? ok({ lines: r.value.lines, note: r.value.note, next: { ...tr, ...r.value.state } }) : r;
  });
}

export async function transfers(db: Db, workspaceId: string, query: { state?: string; cursor?: string; limit?: number }) {
  const limit = Math.min(query.limit ?? PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX);
  const rows = await listTransfers(db, workspaceId, { limit, ...(query.state ? { state: query.state } : {}), ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}) });
  return page(rows, limit, (tr) => tr.id, transferView);
}

/** A transfer (by id or number) with its lines and its movements, or undefined. */
export async function transfer(db: Db, workspaceId: string, idOrNumber: string) {
  const tr = await findTransfer(db, workspaceId, idOrNumber);
  if (!tr) return undefined;
  return { transfer: transferView(tr), ...(await documentHistory(db, workspaceId, tr.number, TRANSFER_FLOWS)) };
}
