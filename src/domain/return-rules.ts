// Rules for a customer return: what each step (receive, inspect, close) moves, and the return's
// state afterwards. Pure: the use-case reads and locks the return, calls a rule, hands the
// PostCommand to the ledger and writes the new state.
//
// The invariant: nothing from a return reaches `available` before inspection, unless the item
// skips return inspection. Received units sit in `quality_control` until an inspection sends
// each one to exactly one outcome, so on every line
//   received = restocked + damaged + written_off + returned_to_vendor + awaiting_inspection.

import type { PostCommand, PostLine } from './commands.ts';
import { checkQuantity, ok, type Outcome, refused } from './context.ts';
import { refusal } from './errors.ts';

/** Lines one return may have, and one receipt or inspection may name. */
export const RETURN_LINES_MAX = 500;

export const RETURN_STATES = ['open', 'closed'] as const;
export type ReturnState = (typeof RETURN_STATES)[number];

/** What an inspection may decide for each unit, and the account the unit goes to. */
export const INSPECTION_OUTCOMES = {
  restock: 'available',
  damaged: 'damaged',
  write_off: 'shrinkage',
  return_to_vendor: 'vendor',
} as const;
export type InspectionOutcome = keyof typeof INSPECTION_OUTCOMES;
const OUTCOMES = Object.keys(INSPECTION_OUTCOMES) as InspectionOutcome[];

export interface ReturnLine {
  /** 1-based, in the order the return was created. */
  lineNo: number;
  itemId: string;
  sku: string;
  expected: number;
  received: number;
  restocked: number;
  damaged: number;
  writtenOff: number;
  returnedToVendor: number;
  /** The item is set to skip return inspection: received units go straight to available. */
  skipInspection: boolean;
}

export interface ReturnDocument {
  id: string;
  workspaceId: string;
  number: string;
  channelId: string | null;
  orderReference: string | null;
  locationId: string;
  /** The location's code, which the ledger's post lines name. */
  location: string;
  state: ReturnState;
  note: string | null;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  lines: ReturnLine[];
}

/** Units received on a line that no inspection has decided yet. */
export function awaitingInspection(l: ReturnLine): number {
  return l.received - l.restocked - l.damaged - l.writtenOff - l.returnedToVendor;
}

/** A line of a request names a return line by its number or by its SKU. */
export interface LineRef {
  line?: number;
  sku?: string;
}

export interface ReceiveRequest {
  lines: (LineRef & { quantity: number })[];
  /** Take more units than the return expected (the customer sent more). */
  allow_over_receipt?: boolean;
}

export type InspectRequest = {
  lines: (LineRef & Partial<Record<InspectionOutcome, number>>)[];
};

/** A step's movements and the return's lines after it. */
export interface ReturnStep {
  post: PostCommand;
  lines: ReturnLine[];
  state: ReturnState;
}

function checkOpen(doc: ReturnDocument): Outcome<null> {
  return doc.state === 'open'
    ? ok(null)
    : refused(refusal('document_closed', `return ${doc.number} is ${doc.state}; it takes nothing more`, undefined, { state: doc.state }));
}

function checkLineList(lines: unknown): Outcome<null> {
  if (!Array.isArray(lines) || lines.length === 0 || lines.length > RETURN_LINES_MAX) {
    return refused(refusal('validation_failed', `lines must list 1 to ${RETURN_LINES_MAX} lines`, 'lines'));
  }
  return ok(null);
}

/** The index of the return line a request line names. */
function findLine(doc: ReturnDocument, ref: LineRef, field: string): Outcome<number> {
  const hasLine = ref.line !== undefined && ref.line !== null;
  const hasSku = ref.sku !== undefined && ref.sku !== null;
  if (hasLine === hasSku) return refused(refusal('validation_failed', `${field} must name either line or sku`, field));
  if (hasLine) {
    const i = doc.lines.findIndex((l) => l.lineNo === ref.line);
    return i >= 0 ? ok(i) : refused(refusal('validation_failed', `return ${doc.number} has no line ${JSON.stringify(ref.line)}`, `${field}.line`));
  }
  const i = doc.lines.findIndex((l) => l.sku === ref.sku);
  return i >= 0 ? ok(i) : refused(refusal('validation_failed', `${ref.sku} is not on return ${doc.number}`, `${field}.sku`));
}

const copyLines = (lines: ReturnLine[]) => lines.map((l) => ({ ...l }));

/**
 * Receive returned units: `customer → quality_control`, or `customer → available` (counted as
 * restocked) for items that skip inspection. More than the line expects is an over-receipt,
 * refused unless the request allows it.
 */
export function receiveReturn(doc: ReturnDocument, req: ReceiveRequest): Outcome<ReturnStep> {
  const open = checkOpen(doc);
  if (!open.ok) return open;
  const list = checkLineList(req.lines);
  if (!list.ok) return list;
  const lines = copyLines(doc.lines);
  const post: PostLine[] = [];
  for (const [i, r] of req.lines.entries()) {
    const field = `lines[${i}]`;
    const at = findLine(doc, r, field);
    if (!at.ok) return at;
    const bad = checkQuantity(r.quantity, `${field}.quantity`);
    if (bad) return refused(bad);
    const line = lines[at.value]!;
    if (line.received + r.quantity > line.expected && req.allow_over_receipt !== true) {
      return refused(refusal('over_receipt', `line ${line.lineNo} (${line.sku}) expects ${line.expected} and has received ${line.received}; ${r.quantity} more is over; send allow_over_receipt to take them`, `${field}.quantity`, { expected: line.expected, received: line.received }));
    }
    line.received += r.quantity;
    if (line.skipInspection) line.restocked += r.quantity;
    post.push({ sku: line.sku, location: doc.location, from: 'customer', to: line.skipInspection ? 'available' : 'quality_control', quantity: r.quantity, reason: 'return' });
  }
  return ok({ post: { type: 'post', flow: 'return_receive', lines: post, reference: doc.number }, lines, state: doc.state });
}

/** Decide received units: each leaves `quality_control` for exactly one outcome. */
export function inspectReturn(doc: ReturnDocument, req: InspectRequest): Outcome<ReturnStep> {
  const open = checkOpen(doc);
  if (!open.ok) return open;
  const list = checkLineList(req.lines);
  if (!list.ok) return list;
  const lines = copyLines(doc.lines);
  const post: PostLine[] = [];
  for (const [i, r] of req.lines.entries()) {
    const field = `lines[${i}]`;
    const at = findLine(doc, r, field);
    if (!at.ok) return at;
    let total = 0;
    for (const outcome of OUTCOMES) {
      const q = r[outcome];
      if (q === undefined) continue;
      const bad = checkQuantity(q, `${field}.${outcome}`, true);
      if (bad) return refused(bad);
      total += q;
    }
    if (total === 0) {
      return refused(refusal('invalid_quantity', `${field} must decide at least one unit: ${OUTCOMES.join(', ')}`, field));
    }
    const line = lines[at.value]!;
    const waiting = awaitingInspection(line);
    if (total > waiting) {
      return refused(refusal('nothing_to_inspect', `line ${line.lineNo} (${line.sku}) has ${waiting} units awaiting inspection; cannot decide ${total}`, field, { awaiting_inspection: waiting }));
    }
    for (const outcome of OUTCOMES) {
      const q = r[outcome] ?? 0;
      if (q === 0) continue;
      post.push({ sku: line.sku, location: doc.location, from: 'quality_control', to: INSPECTION_OUTCOMES[outcome], quantity: q, reason: outcome });
    }
    line.restocked += r.restock ?? 0;
    line.damaged += r.damaged ?? 0;
    line.writtenOff += r.write_off ?? 0;
    line.returnedToVendor += r.return_to_vendor ?? 0;
  }
  return ok({ post: { type: 'post', flow: 'return_inspect', lines: post, reference: doc.number }, lines, state: doc.state });
}

/** Close a return once nothing awaits inspection; units never received are simply not coming. */
export function closeReturn(doc: ReturnDocument): Outcome<ReturnStep> {
  const open = checkOpen(doc);
  if (!open.ok) return open;
  const waiting = doc.lines.filter((l) => awaitingInspection(l) > 0);
  if (waiting.length > 0) {
    const list = waiting.map((l) => `line ${l.lineNo} (${l.sku}): ${awaitingInspection(l)}`).join(', ');
    return refused(refusal('validation_failed', `return ${doc.number} still has units awaiting inspection — ${list}; inspect them first`, 'lines', {
      awaiting_inspection: waiting.map((l) => ({ line: l.lineNo, sku: l.sku, quantity: awaitingInspection(l) })),
    }));
  }
  return ok({ post: { type: 'post', flow: 'return_close', lines: [], reference: doc.number }, lines: copyLines(doc.lines), state: 'closed' });
}

/** A new return's lines: whole positive quantities, each SKU once. */
export function checkNewReturnLines(lines: { sku: string; quantity: number }[]): Outcome<null> {
  const list = checkLineList(lines);
  if (!list.ok) return list;
  const seen = new Set<string>();
  for (const [i, l] of lines.entries()) {
    const bad = checkQuantity(l.quantity, `lines[${i}].quantity`);
    if (bad) return refused(bad);
    if (seen.has(l.sku)) return refused(refusal('validation_failed', `${l.sku} is listed twice; list each SKU once`, `lines[${i}].sku`));
    seen.add(l.sku);
  }
  return ok(null);
}
