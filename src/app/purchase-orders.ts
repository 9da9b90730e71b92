// Purchase-order use-cases. Each step that moves units (open, receive, close) is a DocumentStep:
// it locks and reads the PO, asks the pure rule for the movements and the PO's next state, and
// writes that state once the ledger has applied the movements — all in one transaction with the
// idempotency record. The HTTP routes and the CLI both build their steps here.

import type { PostCommand } from '../domain/commands.ts';
import { ok, type Outcome, refused } from '../domain/context.ts';
import { refusal } from '../domain/errors.ts';
import {
  closePurchaseOrder,
  type ItemFacts,
  type LocationFacts,
  type Lookup,
  openPurchaseOrder,
  type PoOpenRequest,
  type PoReceiptRequest,
  receivePurchaseOrder,
  stillExpected,
} from '../domain/purchase-order-rules.ts';
import { itemsBySku, locationsByCode } from '../store/catalog-repo.ts';
import type { MovementRow } from '../store/ledger-repo.ts';
import {
  documentMovements,
  type DocumentTable,
  findPurchaseOrder,
  insertPurchaseOrder,
  listPurchaseOrders,
  nextNumber,
  numberTaken,
  type PurchaseOrderRecord,
  updatePurchaseOrder,
} from '../store/purchasing-repo.ts';
import type { Db } from '../store/store.ts';
import { newId } from './ids.ts';
import type { DocumentStep } from './ledger.ts';
import { decodeCursor, movementRowView, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, page } from './queries.ts';
import { iso, movementView } from './views.ts';

export const PO_NUMBER_PREFIX = 'PO';
/** The ledger's `command` column for each step, and the filter for a PO's history. */
export const PO_FLOWS = ['po_open', 'po_receive', 'po_close'] as const;
/** Movements a document view shows; the rest are a `/v1/movements?reference=` away. */
export const DOCUMENT_MOVEMENTS_MAX = 500;

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

export function purchaseOrderView(po: PurchaseOrderRecord) {
  const lines = po.lines.map((l) => ({
    line: l.lineNo,
    sku: l.sku,
    ordered: l.ordered,
    received_good: l.receivedGood,
    received_damaged: l.receivedDamaged,
    still_expected: stillExpected(po, l),
    eta: iso(l.eta),
  }));
  return {
    id: po.id,
    number: po.number,
    supplier: po.supplier,
    location: po.location.code,
    state: po.state,
    close_reason: po.closeReason,
    note: po.note,
    ordered: lines.reduce((n, l) => n + l.ordered, 0),
    received_good: lines.reduce((n, l) => n + l.received_good, 0),
    received_damaged: lines.reduce((n, l) => n + l.received_damaged, 0),
    still_expected: lines.reduce((n, l) => n + l.still_expected, 0),
    lines,
    created_at: iso(po.createdAt),
    updated_at: iso(po.updatedAt),
    closed_at: iso(po.closedAt),
  };
}
export type PurchaseOrderView = ReturnType<typeof purchaseOrderView>;


/** Movements just written by a step, in the shape `/v1/movements` answers with. */
export function postedView(rows: MovementRow[], skus: ReadonlyMap<string, string>, codes: ReadonlyMap<string, string>) {
  return rows.map((m) => {
    const { hold_id: _hold, ...view } = movementView(m, skus.get(m.itemId) ?? m.itemId, codes.get(m.locationId) ?? m.locationId);
    return view;
  });
}

// ---------------------------------------------------------------------------------------------
// Shared step plumbing
// ---------------------------------------------------------------------------------------------

/** Document ids: `po_…`, `tr_…`, time-sortable like every other id. */
export const documentId = (prefix: 'po' | 'tr', now: number) => newId(prefix, now);

/** Items and locations a request names, read in the step's transaction. */
export async function lookupFor(db: Db, workspaceId: string, skus: unknown[], codes: unknown[]): Promise<Lookup> {
  const strings = (xs: unknown[]) => [...new Set(xs.filter((x): x is string => typeof x === 'string'))];
  const items = new Map<string, ItemFacts>((await itemsBySku(db, workspaceId, strings(skus))).map((i) => [i.sku, i]));
  const locations = new Map<string, LocationFacts>((await locationsByCode(db, workspaceId, strings(codes))).map((l) => [l.code, l]));
  return { item: (sku) => items.get(sku), location: (code) => locations.get(code) };
}

/** One field of every line of a request that may be malformed (the rules check it afterwards). */
export const linesField = (xs: unknown, name: string): unknown[] => (Array.isArray(xs) ? xs.map((x) => (typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[name] : undefined)) : []);

/** A client-given number that is free, or the next generated one. */
export async function chooseNumber(db: Db, table: DocumentTable, workspaceId: string, given: unknown, prefix: string): Promise<Outcome<string>> {
  if (typeof given !== 'string') return ok(await nextNumber(db, table, workspaceId, prefix));
  if (await numberTaken(db, table, workspaceId, given)) {
    return refused(refusal('document_number_taken', `another ${table === 'purchase_orders' ? 'purchase order' : 'transfer'} in this workspace is numbered ${given}`, 'number'));
  }
  return ok(given);
}

export const notFoundRefusal = (what: string, id: string) => refusal('not_found', `no ${what} ${id} in this workspace`);

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

/** Open a purchase order: `expected → incoming` at its destination for every ordered unit. */
export function openPurchaseOrderStep(workspaceId: string, body: PoOpenRequest): DocumentStep {
  let made: PurchaseOrderRecord | undefined;
  let skus = new Map<string, string>();
  return {
    name: 'po_open',
    payload: body,
    async prepare(db, now) {
      made = undefined;
      const lookup = await lookupFor(db, workspaceId, linesField(body?.lines, 'sku'), [body?.location]);
      // Validate with a stand-in number first: a malformed request is refused before a number is chosen.
      const checked = openPurchaseOrder(body, typeof body?.number === 'string' ? body.number : `${PO_NUMBER_PREFIX}-?`, lookup);
      if (!checked.ok) return checked;
      const number = await chooseNumber(db, 'purchase_orders', workspaceId, body.number, PO_NUMBER_PREFIX);
      if (!number.ok) return number;
      const { state, lines, note } = checked.value;
      made = { ...state, number: number.value, id: documentId('po', now), workspaceId, supplier: body.supplier, note, createdAt: now, updatedAt: now, closedAt: null };
      skus = new Map(state.lines.map((l) => [l.itemId, l.sku]));
      return ok<PostCommand>({ type: 'post', flow: 'po_open', lines, reference: number.value, note });
    },
    async finish(db, { movements }) {
      await insertPurchaseOrder(db, made!);
      return { status: 201, body: { purchase_order: purchaseOrderView(made!), movements: postedView(movements, skus, new Map([[made!.location.id, made!.location.code]])) } };
    },
  };
}

/** A step on an existing PO: lock it, decide, then write its next state. */
function poStep(
  name: 'po_receive' | 'po_close',
  workspaceId: string,
  id: string,
  payload: unknown,
  decide: (po: PurchaseOrderRecord, db: Db) => Promise<Outcome<{ post: Omit<PostCommand, 'type' | 'flow' | 'reference'>; next: PurchaseOrderRecord; codes: LocationFacts[] }>>,
): DocumentStep {
  let next: PurchaseOrderRecord | undefined;
  let codes = new Map<string, string>();
  return {
    name,
    payload: { id, body: payload },
    async prepare(db, now) {
      next = undefined;
      const po = await findPurchaseOrder(db, workspaceId, id, true);
      if (!po) return refused(notFoundRefusal('purchase order', id));
      const decided = await decide(po, db);
      if (!decided.ok) return decided;
      next = { ...decided.value.next, updatedAt: now, closedAt: decided.value.next.state === 'closed' ? now : null };
      codes = new Map([po.location, ...decided.value.codes].map((l) => [l.id, l.code]));
      return ok<PostCommand>({ type: 'post', flow: name, reference: po.number, ...decided.value.post });
    },
    async finish(db, { movements }) {
      await updatePurchaseOrder(db, next!);
      const skus = new Map(next!.lines.map((l) => [l.itemId, l.sku]));
      return { status: 200, body: { purchase_order: purchaseOrderView(next!), movements: postedView(movements, skus, codes) } };
    },
  };
}

/** Receive a delivery against a PO: good and damaged units per line (see the rule). */
export function receivePurchaseOrderStep(workspaceId: string, id: string, body: PoReceiptRequest): DocumentStep {
  return poStep('po_receive', workspaceId, id, body, async (po, db) => {
    const lookup = await lookupFor(db, workspaceId, [], linesField(body?.lines, 'location'));
    const r = receivePurchaseOrder(po, body, lookup);
    if (!r.ok) return r;
    return ok({ post: { lines: r.value.lines, note: body.reference ?? null }, next: { ...po, ...r.value.state }, codes: r.value.locations });
  });
}

/** Close a PO; a shortfall is cleared from incoming with the reason given. */
export function closePurchaseOrderStep(workspaceId: string, id: string, body: { reason?: string | null }): DocumentStep {
  return poStep('po_close', workspaceId, id, body, async (po) => {
    const r = closePurchaseOrder(po, body ?? {});
    if (!r.ok) return r;
    return ok({ post: { lines: r.value.lines, note: r.value.note }, next: { ...po, ...r.value.state }, codes: [] });
  });
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

export const PO_STATES = ['open', 'closed'] as const;

export async function purchaseOrders(db: Db, workspaceId: string, query: { state?: string; cursor?: string; limit?: number }) {
  const limit = Math.min(query.limit ?? PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX);
  const rows = await listPurchaseOrders(db, workspaceId, { limit, ...(query.state ? { state: query.state } : {}), ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}) });
  return page(rows, limit, (po) => po.id, purchaseOrderView);
}

/**
 * Movements of a document, oldest first (its history reads forwards). Past
 * DOCUMENT_MOVEMENTS_MAX, `movements_truncated` says so and `/v1/movements?reference=` pages on.
 */
export async function documentHistory(db: Db, workspaceId: string, reference: string, flows: readonly string[]) {
  const rows = await documentMovements(db, workspaceId, reference, flows, { limit: DOCUMENT_MOVEMENTS_MAX + 1 });
  return { movements: rows.slice(0, DOCUMENT_MOVEMENTS_MAX).map(movementRowView), movements_truncated: rows.length > DOCUMENT_MOVEMENTS_MAX };
}

/** A PO (by id or number) with its lines and its movements, or undefined. */
export async function purchaseOrder(db: Db, workspaceId: string, idOrNumber: string) {
  const po = await findPurchaseOrder(db, workspaceId, idOrNumber);
  if (!po) return undefined;
  return { purchase_order: purchaseOrderView(po), ...(await documentHistory(db, workspaceId, po.number, PO_FLOWS)) };
}
