// Transfers: stock moving between two of our own locations.
//
// Shipping takes units out of the source's `available` into the external `in_transit` account
// (the movement's reference names the transfer) and books them as `expected → incoming` at the
// destination. Receipts arrive in parts: good units `in_transit → available` (or
// `quality_control` where inspection is required), damaged ones `in_transit → damaged`, each
// clearing `incoming → expected`. Closing writes off what never arrived as `in_transit →
// shrinkage` (reason `transfer_variance`), so nothing stays in transit or incoming forever. A
// transfer whose every unit arrived closes itself.
//
// Units cannot appear from nowhere: a receipt never takes more than is still in transit.
//
// Pure: document state and request in, movements and next state (or a refusal) out.

import type { PostLine } from './commands.ts';
import { checkQuantity, ok, type Outcome, refused } from './context.ts';
import { refusal } from './errors.ts';
import {
  checkItem,
  checkLines,
  checkLocation,
  checkNumber,
  checkSplit,
  checkText,
  DOCUMENT_LINES_MAX,
  DOCUMENT_NOTE_LENGTH_MAX,
  findLine,
  goodBucket,
  type LocationFacts,
  type Lookup,
  type Opened,
  parseEta,
  RECEIPT_LINES_MAX,
  type Stepped,
} from './purchase-order-rules.ts';

export interface TransferLine {
  lineNo: number;
  itemId: string;
  sku: string;
  requiresInspection: boolean;
  shipped: number;
  /** Arrived in good condition. */
  received: number;
  /** Arrived damaged. */
  damaged: number;
  /** Never arrived: written off when the transfer closed. */
  lost: number;
}

export interface TransferState {
  number: string;
  state: 'in_transit' | 'closed';
  from: LocationFacts;
  to: LocationFacts;
  eta: number | null;
  lines: TransferLine[];
}

/** Units of a line still on the road. */
export function inTransit(l: TransferLine): number {
  return l.shipped - l.received - l.damaged - l.lost;
}

export interface TransferShipRequest {
  number?: string | null;
  from: string;
  to: string;
  eta?: string | null;
  note?: string | null;
  lines: { sku: string; quantity: number }[];
}

/**
 * Create and ship a transfer in one step. The source lines come first, in request order, so a
 * short source is refused naming the request's own `lines[i].quantity`.
 */
export function shipTransfer(req: TransferShipRequest, number: string, lookup: Lookup): Outcome<Opened<TransferState> & { note: string | null }> {
  if (typeof req !== 'object' || req === null) return refused(refusal('validation_failed', 'send a JSON object', 'body'));
  const bad = checkNumber(req.number) ?? checkText(req.note, 'note', DOCUMENT_NOTE_LENGTH_MAX);
  if (bad) return refused(bad);
  const from = checkLocation(lookup, req.from, 'from');
  if (!from.ok) return from;
  const to = checkLocation(lookup, req.to, 'to');
  if (!to.ok) return to;
  if (from.value.id === to.value.id) return refused(refusal('validation_failed', `from and to are both ${from.value.code}; a transfer moves stock between two locations`, 'to'));
  const eta = parseEta(req.eta, 'eta');
  if (!eta.ok) return eta;
  const reqLines = checkLines(req.lines, DOCUMENT_LINES_MAX);
  if (!reqLines.ok) return reqLines;

  const lines: TransferLine[] = [];
  for (const [i, l] of reqLines.value.entries()) {
    const field = `lines[${i}]`;
    const item = checkItem(lookup, l.sku, `${field}.sku`);
    if (!item.ok) return item;
    const badQty = checkQuantity(l.quantity, `${field}.quantity`);
    if (badQty) return refused(badQty);
    if (lines.some((x) => x.itemId === item.value.id)) {
      return refused(refusal('validation_failed', `${item.value.sku} is on an earlier line; ship it on one line`, `${field}.sku`));
    }
    lines.push({ lineNo: i + 1, itemId: item.value.id, sku: item.value.sku, requiresInspection: item.value.requiresInspection, shipped: l.quantity as number, received: 0, damaged: 0, lost: 0 });
  }
  return ok({
    lines: [
      ...lines.map((l): PostLine => ({ sku: l.sku, location: from.value.code, from: 'available', to: 'in_transit', quantity: l.shipped, reason: 'transfer_out' })),
      ...lines.map((l): PostLine => ({ sku: l.sku, location: to.value.code, from: 'expected', to: 'incoming', quantity: l.shipped, reason: null })),
    ],
    state: { number, state: 'in_transit', from: from.value, to: to.value, eta: eta.value, lines },
    note: (req.note as string | null | undefined) ?? null,
  });
}

export interface TransferReceiptRequest {
  lines: { line?: number; sku?: string; good?: number; damaged?: number }[];
  reference?: string | null;
}

/** Units arriving at the destination, good or damaged. */
export function receiveTransfer(tr: TransferState, req: TransferReceiptRequest): Outcome<Stepped<TransferState>> {
  if (tr.state !== 'in_transit') return refused(refusal('document_closed', `${tr.number} is closed; it takes no more receipts`, 'id'));
  if (typeof req !== 'object' || req === null) return refused(refusal('validation_failed', 'send a JSON object', 'body'));
  const badText = checkText(req.reference, 'reference', DOCUMENT_NOTE_LENGTH_MAX);
  if (badText) return refused(badText);
  const reqLines = checkLines(req.lines, RECEIPT_LINES_MAX);
  if (!reqLines.ok) return reqLines;

  const next = tr.lines.map((l) => ({ ...l }));
  const post: PostLine[] = [];
  const at = tr.to.code;
  for (const [i, r] of reqLines.value.entries()) {
    const field = `lines[${i}]`;
    const found = findLine(tr, r, field);
    if (!found.ok) return found;
    const split = checkSplit(r, field);
    if (!split.ok) return split;
    const line = next.find((l) => l.lineNo === found.value.lineNo)!;
    const { good, damaged } = split.value;
    const left = inTransit(line);
    if (good + damaged > left) {
      return refused(refusal('over_receipt', `line ${line.lineNo} (${line.sku}) has ${left} in transit; this receipt brings ${good + damaged}. Units that were not shipped cannot arrive: count again, or receive the extra with a stock receipt`, `${field}.good`, { sku: line.sku, expected: left }));
    }
    line.received += good;
    line.damaged += damaged;
    if (good > 0) post.push({ sku: line.sku, location: at, from: 'in_transit', to: goodBucket(line, tr.to), quantity: good, reason: 'transfer_in' });
    if (damaged > 0) post.push({ sku: line.sku, location: at, from: 'in_transit', to: 'damaged', quantity: damaged, reason: 'damaged_in_transit' });
    post.push({ sku: line.sku, location: at, from: 'incoming', to: 'expected', quantity: good + damaged, reason: null });
  }
  const done = next.every((l) => inTransit(l) === 0);
  return ok({ lines: post, state: { ...tr, lines: next, ...(done ? { state: 'closed' as const } : {}) }, locations: [] });
}

/** Close a transfer: whatever is still in transit was lost on the way. */
export function closeTransfer(tr: TransferState, req: { note?: string | null }): Outcome<{ lines: PostLine[]; state: TransferState; note: string | null }> {
  if (tr.state !== 'in_transit') return refused(refusal('document_closed', `${tr.number} is already closed`, 'id'));
  const note = typeof req === 'object' && req !== null ? req.note : undefined;
  const bad = checkText(note, 'note', DOCUMENT_NOTE_LENGTH_MAX);
  if (bad) return refused(bad);
  const post: PostLine[] = [];
  const next = tr.lines.map((l) => {
    const lost = inTransit(l);
    if (lost === 0) return { ...l };
    // Booked against the destination, where the units were expected.
    post.push({ sku: l.sku, location: tr.to.code, from: 'in_transit', to: 'shrinkage', quantity: lost, reason: 'transfer_variance' });
    post.push({ sku: l.sku, location: tr.to.code, from: 'incoming', to: 'expected', quantity: lost, reason: 'transfer_variance' });
    return { ...l, lost: l.lost + lost };
  });
  return ok({ lines: post, state: { ...tr, state: 'closed', lines: next }, note: (note as string | null | undefined) ?? null });
}
