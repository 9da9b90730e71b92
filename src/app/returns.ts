// Use-cases for customer returns. Creating one writes only the document; receiving and
// inspecting are document steps through the ledger (each alone in its transaction, under its
// idempotency key), whose movements carry the return's number as their reference.

import type { Outcome } from '../domain/context.ts';
import { ok, refused } from '../domain/context.ts';
import { type Refusal, refusal } from '../domain/errors.ts';
import {
  awaitingInspection,
  checkNewReturnLines,
  closeReturn,
  type InspectRequest,
  inspectReturn,
  type ReceiveRequest,
  receiveReturn,
  type ReturnDocument,
  type ReturnState,
  type ReturnStep,
} from '../domain/return-rules.ts';
import { existingChannels, itemsBySku, locationsByCode } from '../store/catalog-repo.ts';
import type { PostCommand } from '../domain/commands.ts';
import { nextNumber, numberTaken } from '../store/purchasing-repo.ts';
import { getReturn, insertReturn, listReturns, writeReturn } from '../store/return-repo.ts';
import type { Db } from '../store/store.ts';
import type { Written } from './idempotent.ts';
import { newId } from './ids.ts';
import type { DocumentStep } from './ledger.ts';
import { decodeCursor, PAGE_LIMIT_DEFAULT, page } from './queries.ts';
import { iso, movementView } from './views.ts';


// ids.ts lists the prefixes it knows; `ret` is this document's.
const returnId = (now: number) => newId('ret', now);

export interface ReturnCreate {
  number?: string | null;
  location: string;
  channel_id?: string | null;
  order_reference?: string | null;
  note?: string | null;
  lines: { sku: string; quantity: number }[];
}

export function returnView(r: ReturnDocument) {
  return {
    id: r.id,
    number: r.number,
    location: r.location,
    channel_id: r.channelId,
    order_reference: r.orderReference,
    state: r.state,
    note: r.note,
    lines: r.lines.map((l) => ({
      line: l.lineNo,
      sku: l.sku,
      expected: l.expected,
      received: l.received,
      restocked: l.restocked,
      damaged: l.damaged,
      written_off: l.writtenOff,
      returned_to_vendor: l.returnedToVendor,
      awaiting_inspection: awaitingInspection(l),
      skips_inspection: l.skipInspection,
    })),
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
    closed_at: iso(r.closedAt),
  };
}
export type ReturnView = ReturnType<typeof returnView>;


/** Open a return for units a customer is sending back. No units move yet. */
export async function createReturn(db: Db, workspaceId: string, input: ReturnCreate, now: number): Promise<Written | Refusal> {
  const lines = checkNewReturnLines(input.lines);
  if (!lines.ok) return lines.refusal;
  const [location] = await locationsByCode(db, workspaceId, [input.location]);
  if (!location) return refusal('unknown_location', `no location with code ${JSON.stringify(input.location)}`, 'location');
  const items = new Map((await itemsBySku(db, workspaceId, input.lines.map((l) => l.sku))).map((i) => [i.sku, i]));
  for (const [i, l] of input.lines.entries()) {
    const item = items.get(l.sku);
    if (!item) return refusal('unknown_item', `no item with SKU ${JSON.stringify(l.sku)}`, `lines[${i}].sku`);
    if (item.kind !== 'standard') return refusal('item_has_no_stock', `${l.sku} is a ${item.kind}; list its components on the return`, `lines[${i}].sku`);
  }
  // Any string names a channel, '' too: only a known one is stored (PostgreSQL would refuse an unknown one, a 500).
  if (input.channel_id !== undefined && input.channel_id !== null && (await existingChannels(db, workspaceId, [input.channel_id])).length === 0) {
    return refusal('validation_failed', `no channel ${input.channel_id} in this workspace`, 'channel_id');
  }
  if (input.number && (await numberTaken(db, 'returns', workspaceId, input.number))) {
    return refusal('document_number_taken', `a return numbered ${JSON.stringify(input.number)} already exists`, 'number');
  }
  const doc: ReturnDocument = {
    id: returnId(now),
    workspaceId,
    number: input.number || (await nextNumber(db, 'returns', workspaceId, 'RET')),
    channelId: input.channel_id ?? null,
    orderReference: input.order_reference ?? null,
    locationId: location.id,
    location: location.code,
    state: 'open',
    note: input.note ?? null,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    lines: input.lines.map((l, i) => {
      const item = items.get(l.sku)!;
      return { lineNo: i + 1, itemId: item.id, sku: item.sku, expected: l.quantity, received: 0, restocked: 0, damaged: 0, writtenOff: 0, returnedToVendor: 0, skipInspection: item.skipReturnInspection };
    }),
  };
  await insertReturn(db, doc);
  return { status: 201, body: { return: returnView(doc) } };
}

/** One step on a return: lock it, let the rule decide, and after the ledger posted, write it. */
function returnStep(name: string, workspaceId: string, id: string, payload: unknown, rule: (doc: ReturnDocument) => Outcome<ReturnStep>): DocumentStep {
  let decided: { doc: ReturnDocument; step: ReturnStep } | undefined;
  return {
    name,
    payload: { id, body: payload },
    async prepare(db): Promise<Outcome<PostCommand>> {
      const doc = await getReturn(db, workspaceId, id, true);
      if (!doc) return refused(refusal('not_found', `no return ${id} in this workspace`));
      const out = rule(doc);
      if (!out.ok) return out;
      decided = { doc, step: out.value };
      return ok(out.value.post);
    },
    async finish(db, { movements }, now) {
      const { doc, step } = decided!;
      const next: ReturnDocument = { ...doc, lines: step.lines, state: step.state, updatedAt: now, closedAt: step.state === 'closed' ? now : doc.closedAt };
      await writeReturn(db, next);
      const skus = new Map(doc.lines.map((l) => [l.itemId, l.sku]));
      return { status: 200, body: { return: returnView(next), movements: movements.map((m) => movementView(m, skus.get(m.itemId) ?? m.itemId, doc.location)) } };
    },
  };
}

/** Receive returned units into quality_control (or available, for items that skip inspection). */
export const receiveStep = (workspaceId: string, id: string, body: ReceiveRequest) =>
  returnStep('return_receive', workspaceId, id, body, (doc) => receiveReturn(doc, body));

/** Decide received units: restock, damaged, write off or return to vendor. */
export const inspectStep = (workspaceId: string, id: string, body: InspectRequest) =>
  returnStep('return_inspect', workspaceId, id, body, (doc) => inspectReturn(doc, body));

/** Close a return once nothing awaits inspection. */
export const closeStep = (workspaceId: string, id: string) => returnStep('return_close', workspaceId, id, {}, closeReturn);

export async function returnById(db: Db, workspaceId: string, id: string): Promise<ReturnView | undefined> {
  const r = await getReturn(db, workspaceId, id);
  return r ? returnView(r) : undefined;
}

export async function returnsPage(db: Db, workspaceId: string, q: { state?: ReturnState; cursor?: string; limit?: number }) {
  const limit = q.limit ?? PAGE_LIMIT_DEFAULT;
  const rows = await listReturns(db, workspaceId, { limit, ...(q.state ? { state: q.state } : {}), ...(q.cursor ? { after: decodeCursor(q.cursor) } : {}) });
  return page(rows, limit, (r) => r.id, returnView);
}
