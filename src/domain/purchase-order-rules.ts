// Purchase orders: what a supplier was asked for, and what arrived.
//
// Opening a PO books every ordered unit as `expected → incoming` at its destination, so incoming
// always equals what open documents still expect. Each receipt splits into good units (`supplier →
// available`, or `quality_control` where the item or the location requires inspection) and
// damaged ones (`supplier → damaged`), and clears `incoming → expected` for the units that were
// still expected. Closing a PO with a shortfall clears the rest of `incoming` with a reason, so
// phantom incoming never outlives its document. A PO whose every line has fully arrived closes
// itself (`received_in_full`): the receiving clerk never has to remember to "mark it received",
// and never can mark it received when it was not.
//
// Pure: the rules take the document's state and the request, and return the movements and the
// document's next state, or a refusal. No I/O, no clock.

import type { PostLine } from './commands.ts';
import { checkQuantity, ok, type Outcome, refused } from './context.ts';
import { refusal, type Refusal } from './errors.ts';

/** Lines on one purchase order or transfer. */
export const DOCUMENT_LINES_MAX = 1_000;
/** Lines in one receipt. */
export const RECEIPT_LINES_MAX = 1_000;
export const DOCUMENT_NUMBER_LENGTH_MAX = 64;
export const SUPPLIER_LENGTH_MAX = 200;
export const DOCUMENT_NOTE_LENGTH_MAX = 1_000;
/** Document numbers people can type: letters, digits and `-_./#`. */
export const DOCUMENT_NUMBER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_./#-]*$/;

/** The close reason a PO records when it closed itself because everything arrived. */
export const RECEIVED_IN_FULL = 'received_in_full';

/** What a document rule needs to know about an item. */
export interface ItemFacts {
  id: string;
  sku: string;
  kind: 'standard' | 'bundle' | 'multipack';
  archived: boolean;
  requiresInspection: boolean;
  /** A kit kept pre-built holds stock of its own. */
  stocksPrebuilt?: boolean;
}
/** What a document rule needs to know about a location. */
export interface LocationFacts {
  id: string;
  code: string;
  requiresInspection: boolean;
}

/** Lookups the caller resolved beforehand (from the catalog, in the same transaction). */
export interface Lookup {
  item(sku: string): ItemFacts | undefined;
  location(code: string): LocationFacts | undefined;
}

export interface PoLine {
  lineNo: number;
  itemId: string;
  sku: string;
  /** The item requires inspection on receipt. */
  requiresInspection: boolean;
  ordered: number;
  receivedGood: number;
  receivedDamaged: number;
  eta: number | null;
}

export interface PurchaseOrderState {
  number: string;
  state: 'open' | 'closed';
  location: LocationFacts;
  closeReason: string | null;
  lines: PoLine[];
}

/** Units of a line still expected: nothing once the PO is closed, never below zero. */
export function stillExpected(po: Pick<PurchaseOrderState, 'state'>, l: PoLine): number {
  return po.state === 'open' ? Math.max(0, l.ordered - l.receivedGood - l.receivedDamaged) : 0;
}

/** The bucket good units go to: inspection first where the item or the location asks for it. */
export function goodBucket(item: { requiresInspection: boolean }, location: { requiresInspection: boolean }): 'available' | 'quality_control' {
  return item.requiresInspection || location.requiresInspection ? 'quality_control' : 'available';
}

// ---------------------------------------------------------------------------------------------
// Shared checks
// ---------------------------------------------------------------------------------------------

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** An optional free-text field: absent, null, or a string of at most `max` characters. */
export function checkText(value: unknown, field: string, max: number): Refusal | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' && value.length <= max ? null : refusal('validation_failed', `${field} must be text of at most ${max} characters`, field);
}

/** A client-given document number, or none (one is generated). */
export function checkNumber(value: unknown): Refusal | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' && value.length <= DOCUMENT_NUMBER_LENGTH_MAX && DOCUMENT_NUMBER_PATTERN.test(value)
    ? null
    : refusal('validation_failed', `number must be 1 to ${DOCUMENT_NUMBER_LENGTH_MAX} letters, digits or -_./# starting with a letter or digit`, 'number');
}

/** An ETA: an ISO 8601 date or date-time, or absent. Returns epoch ms, null, or a refusal. */
export function parseEta(value: unknown, field: string): Outcome<number | null> {
  if (value === undefined || value === null) return ok(null);
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ok(ms) : refused(refusal('validation_failed', `${field} must be an ISO 8601 date or date-time, e.g. 2026-12-01`, field));
}

/** An item a document may order or move: known, active, and holding stock of its own. */
export function checkItem(lookup: Lookup, sku: unknown, field: string): Outcome<ItemFacts> {
  if (typeof sku !== 'string' || sku.length === 0) return refused(refusal('validation_failed', `${field} is required`, field));
  const item = lookup.item(sku);
  if (!item) return refused(refusal('unknown_item', `no item with SKU ${JSON.stringify(sku)}`, field));
  if (item.kind !== 'standard' && !item.stocksPrebuilt) return refused(refusal('item_has_no_stock', `${sku} is a ${item.kind}; order or move its components instead`, field));
  if (item.archived) return refused(refusal('item_archived', `${sku} is archived`, field));
  return ok(item);
}

export function checkLocation(lookup: Lookup, code: unknown, field: string): Outcome<LocationFacts> {
  if (typeof code !== 'string' || code.length === 0) return refused(refusal('validation_failed', `${field} is required`, field));
  const location = lookup.location(code);
  return location ? ok(location) : refused(refusal('unknown_location', `no location with code ${JSON.stringify(code)}`, field));
}

/** The request's `lines`: a non-empty array of objects, at most `max`. */
export function checkLines(lines: unknown, max: number): Outcome<Record<string, unknown>[]> {
  if (!Array.isArray(lines) || lines.length === 0) return refused(refusal('validation_failed', 'lines must list at least one line', 'lines'));
  if (lines.length > max) return refused(refusal('validation_failed', `at most ${max} lines`, 'lines'));
  for (const [i, l] of lines.entries()) if (!isObject(l)) return refused(refusal('validation_failed', `lines[${i}] must be an object`, `lines[${i}]`));
  return ok(lines as Record<string, unknown>[]);
}

/** A receipt line names a document line by its number (`line`) or its SKU (`sku`). */
export function findLine<L extends { lineNo: number; sku: string }>(doc: { number: string; lines: L[] }, req: Record<string, unknown>, field: string): Outcome<L> {
  if (req.line !== undefined && req.line !== null) {
    const found = doc.lines.find((l) => l.lineNo === req.line);
    return found ? ok(found) : refused(refusal('validation_failed', `${doc.number} has no line ${JSON.stringify(req.line)}`, `${field}.line`));
  }
  if (typeof req.sku === 'string') {
    const found = doc.lines.find((l) => l.sku === req.sku);
    return found ? ok(found) : refused(refusal('unknown_item', `${doc.number} has no line for SKU ${JSON.stringify(req.sku)}`, `${field}.sku`));
  }
  return refused(refusal('validation_failed', `${field} must name a line (line) or an SKU (sku)`, `${field}.line`));
}

/** Good and damaged units of a receipt line: whole, not negative, not both zero. */
export function checkSplit(req: Record<string, unknown>, field: string): Outcome<{ good: number; damaged: number }> {
  const good = req.good ?? 0;
  const damaged = req.damaged ?? 0;
  const bad = checkQuantity(good, `${field}.good`, true) ?? checkQuantity(damaged, `${field}.damaged`, true);
  if (bad) return refused(bad);
  if (good === 0 && damaged === 0) return refused(refusal('invalid_quantity', `${field} receives nothing: give good or damaged units`, `${field}.good`));
  return ok({ good: good as number, damaged: damaged as number });
}

// ---------------------------------------------------------------------------------------------
// Open
// ---------------------------------------------------------------------------------------------

export interface PoOpenRequest {
  number?: string | null;
  supplier: string;
  location: string;
  /** Default ETA of every line. */
  eta?: string | null;
  note?: string | null;
  lines: { sku: string; quantity: number; eta?: string | null }[];
}

export interface Opened<S> {
  /** Movements to post, at the document's own locations. */
  lines: PostLine[];
  state: S;
}

/** Check a new PO and book what it expects as incoming at its destination. */
export function openPurchaseOrder(req: PoOpenRequest, number: string, lookup: Lookup): Outcome<Opened<PurchaseOrderState> & { note: string | null }> {
  if (!isObject(req)) return refused(refusal('validation_failed', 'send a JSON object', 'body'));
  const bad = checkNumber(req.number) ?? checkText(req.note, 'note', DOCUMENT_NOTE_LENGTH_MAX);
  if (bad) return refused(bad);
  if (typeof req.supplier !== 'string' || req.supplier.trim() === '' || req.supplier.length > SUPPLIER_LENGTH_MAX) {
    return refused(refusal('validation_failed', `supplier must be 1 to ${SUPPLIER_LENGTH_MAX} characters`, 'supplier'));
  }
  const location = checkLocation(lookup, req.location, 'location');
  if (!location.ok) return location;
  const eta = parseEta(req.eta, 'eta');
  if (!eta.ok) return eta;
  const reqLines = checkLines(req.lines, DOCUMENT_LINES_MAX);
  if (!reqLines.ok) return reqLines;

  const lines: PoLine[] = [];
  for (const [i, l] of reqLines.value.entries()) {
    const field = `lines[${i}]`;
    const item = checkItem(lookup, l.sku, `${field}.sku`);
    if (!item.ok) return item;
    const badQty = checkQuantity(l.quantity, `${field}.quantity`);
    if (badQty) return refused(badQty);
    const lineEta = parseEta(l.eta, `${field}.eta`);
    if (!lineEta.ok) return lineEta;
    // One line per SKU: receipts may name the line by SKU, which must then be unambiguous.
    if (lines.some((x) => x.itemId === item.value.id)) {
      return refused(refusal('validation_failed', `${item.value.sku} is on an earlier line; order it on one line`, `${field}.sku`));
    }
    lines.push({
      lineNo: i + 1,
      itemId: item.value.id,
      sku: item.value.sku,
      requiresInspection: item.value.requiresInspection,
      ordered: l.quantity as number,
      receivedGood: 0,
      receivedDamaged: 0,
      eta: lineEta.value ?? eta.value,
    });
  }
  const at = location.value.code;
  return ok({
    lines: lines.map((l) => ({ sku: l.sku, location: at, from: 'expected', to: 'incoming', quantity: l.ordered, reason: null })),
    state: { number, state: 'open', location: location.value, closeReason: null, lines },
    note: (req.note as string | null | undefined) ?? null,
  });
}

// ---------------------------------------------------------------------------------------------
// Receive
// ---------------------------------------------------------------------------------------------

export interface PoReceiptRequest {
  lines: { line?: number; sku?: string; good?: number; damaged?: number; location?: string }[];
  /** The delivery note or carton reference; kept as the movements' note. */
  reference?: string | null;
  allow_over_receipt?: boolean;
}

export interface Stepped<S> {
  lines: PostLine[];
  state: S;
  /** Locations the step touched beyond the document's own (a carton put away elsewhere). */
  locations: LocationFacts[];
}

/**
 * A delivery (or one carton of it). Each line may be put away at another location than the PO's
 * destination (a carton split across locations); the incoming it clears is always at the
 * destination, where it was booked.
 */
export function receivePurchaseOrder(po: PurchaseOrderState, req: PoReceiptRequest, lookup: Pick<Lookup, 'location'>): Outcome<Stepped<PurchaseOrderState>> {
  if (po.state !== 'open') return refused(refusal('document_closed', `${po.number} is closed (${po.closeReason ?? 'closed'}); it takes no more receipts`, 'id'));
  if (!isObject(req)) return refused(refusal('validation_failed', 'send a JSON object', 'body'));
  const badText = checkText(req.reference, 'reference', DOCUMENT_NOTE_LENGTH_MAX);
  if (badText) return refused(badText);
  if (req.allow_over_receipt !== undefined && typeof req.allow_over_receipt !== 'boolean') {
    return refused(refusal('validation_failed', 'allow_over_receipt must be true or false', 'allow_over_receipt'));
  }
  const reqLines = checkLines(req.lines, RECEIPT_LINES_MAX);
  if (!reqLines.ok) return reqLines;

  const next = po.lines.map((l) => ({ ...l }));
  const post: PostLine[] = [];
  const clear = new Map<number, number>();
  const elsewhere = new Map<string, LocationFacts>();
  for (const [i, r] of reqLines.value.entries()) {
    const field = `lines[${i}]`;
    const found = findLine(po, r, field);
    if (!found.ok) return found;
    const split = checkSplit(r, field);
    if (!split.ok) return split;
    let at = po.location;
    if (r.location !== undefined && r.location !== null) {
      const loc = checkLocation(lookup as Lookup, r.location, `${field}.location`);
      if (!loc.ok) return loc;
      at = loc.value;
      if (at.id !== po.location.id) elsewhere.set(at.id, at);
    }
    const line = next.find((l) => l.lineNo === found.value.lineNo)!;
    const { good, damaged } = split.value;
    const expected = stillExpected(po, line);
    if (good + damaged > expected && req.allow_over_receipt !== true) {
      return refused(refusal('over_receipt', `line ${line.lineNo} (${line.sku}) still expects ${expected}; this receipt brings ${good + damaged}. Send allow_over_receipt: true if the supplier really sent more`, `${field}.good`, { sku: line.sku, expected }));
    }
    clear.set(line.lineNo, (clear.get(line.lineNo) ?? 0) + Math.min(good + damaged, expected));
    line.receivedGood += good;
    line.receivedDamaged += damaged;
    if (good > 0) post.push({ sku: line.sku, location: at.code, from: 'supplier', to: goodBucket(line, at), quantity: good, reason: null });
    if (damaged > 0) post.push({ sku: line.sku, location: at.code, from: 'supplier', to: 'damaged', quantity: damaged, reason: 'damaged_on_receipt' });
  }
  for (const [lineNo, quantity] of clear) {
    if (quantity > 0) post.push({ sku: next.find((l) => l.lineNo === lineNo)!.sku, location: po.location.code, from: 'incoming', to: 'expected', quantity, reason: null });
  }
  const full = next.every((l) => l.receivedGood + l.receivedDamaged >= l.ordered);
  return ok({
    lines: post,
    state: { ...po, lines: next, ...(full ? { state: 'closed' as const, closeReason: RECEIVED_IN_FULL } : {}) },
    locations: [...elsewhere.values()],
  });
}

// ---------------------------------------------------------------------------------------------
// Close
// ---------------------------------------------------------------------------------------------

export const CLOSE_REASON_LENGTH_MAX = 500;

/** Close a PO; what never arrived stops being incoming, with the reason given. */
export function closePurchaseOrder(po: PurchaseOrderState, req: { reason?: string | null }): Outcome<{ lines: PostLine[]; state: PurchaseOrderState; note: string | null }> {
  if (po.state !== 'open') return refused(refusal('document_closed', `${po.number} is already closed (${po.closeReason ?? 'closed'})`, 'id'));
  const reason = isObject(req) ? req.reason : undefined;
  const bad = checkText(reason, 'reason', CLOSE_REASON_LENGTH_MAX);
  if (bad) return refused(bad);
  const short = po.lines.filter((l) => stillExpected(po, l) > 0);
  const given = typeof reason === 'string' && reason.trim() !== '' ? reason : null;
  if (short.length > 0 && given === null) {
    const units = short.reduce((n, l) => n + stillExpected(po, l), 0);
    return refused(refusal('validation_failed', `${po.number} still expects ${units} units; give a reason for closing it short`, 'reason'));
  }
  return ok({
    lines: short.map((l) => ({ sku: l.sku, location: po.location.code, from: 'incoming', to: 'expected', quantity: stillExpected(po, l), reason: 'po_short_closed' })),
    state: { ...po, state: 'closed', closeReason: given ?? RECEIVED_IN_FULL },
    note: given,
  });
}
