// Rules for a cycle count: the variance report, whether a variance needs an admin's approval,
// and what posting books. Pure: the use-cases read, lock and write.
//
// Why a count never erases a sale made during it: each entry stores `expected`, the level's
// on_hand at the moment the number was entered. The variance is counted − expected — the
// difference between the shelf and the books *at the same moment* — and posting books that
// difference on the level as it is *now*. A sale shipped after the entry lowered both the shelf
// and the books, so it stays booked.

import type { VarianceLine } from './commands.ts';
import { checkQuantity, ok, type Outcome, refused } from './context.ts';
import { refusal } from './errors.ts';

/** Lines one count may snapshot. */
export const COUNT_LINES_MAX = 50_000;
/** Entries one request may add. */
export const COUNT_ENTRIES_MAX = 1_000;
/** Zones or SKUs a count's scope may list. */
export const COUNT_SCOPE_MAX = 1_000;
export const COUNTER_LENGTH_MAX = 100;

export const COUNT_SCOPES = ['all', 'zones', 'skus'] as const;
export type CountScope = (typeof COUNT_SCOPES)[number];
export const COUNT_STATES = ['open', 'awaiting_approval', 'posted', 'cancelled'] as const;
export type CountState = (typeof COUNT_STATES)[number];

export interface CountEntry {
  /** Order of entry within the count: the latest entry of a counter wins. */
  entryNo: number;
  counter: string;
  counted: number;
  /** on_hand of the level when this entry was made. */
  expected: number;
  /** Who typed it in (an API key id or `cli:<user>`). */
  actor: string;
  createdAt: number;
}

export interface CountLine {
  itemId: string;
  sku: string;
  /** on_hand when the count was created. */
  snapshot: number;
  /** In entry order. */
  entries: CountEntry[];
}

export interface CountDocument {
  id: string;
  workspaceId: string;
  number: string;
  locationId: string;
  location: string;
  scope: CountScope;
  zones: string[] | null;
  blind: boolean;
  state: CountState;
  approvedBy: string | null;
  createdAt: number;
  updatedAt: number;
  postedAt: number | null;
  lines: CountLine[];
}

/** Workspace thresholds above which a variance needs an admin; null = no threshold. */
export interface VarianceThresholds {
  unitsMax: number | null;
  percentMax: number | null;
}

export interface LineReport {
  itemId: string;
  sku: string;
  snapshot: number;
  /** Sum of each counter's latest entry; null while nobody has counted the line. */
  counted: number | null;
  /** `expected` of the line's most recent entry. */
  expected: number | null;
  variance: number | null;
  /** |variance| / expected × 100, rounded to 2 decimals; null when expected is 0 or uncounted. */
  variancePercent: number | null;
  exceedsThreshold: boolean;
  /** Each counter's latest number. */
  counters: { counter: string; counted: number; actor: string }[];
}

export interface CountReport {
  lines: LineReport[];
  uncounted: string[];
  exceeding: string[];
}

/**
 * Over a threshold: |variance| > units max, or |variance| / expected × 100 > percent max. Any
 * difference from an expected 0 is over every percent threshold.
 */
export function exceedsThreshold(variance: number, expected: number, t: VarianceThresholds): boolean {
  if (variance === 0) return false;
  if (t.unitsMax !== null && Math.abs(variance) > t.unitsMax) return true;
  if (t.percentMax === null) return false;
  if (expected <= 0) return true;
  return (Math.abs(variance) / expected) * 100 > t.percentMax;
}

export function lineReport(line: CountLine, t: VarianceThresholds): LineReport {
  const latest = new Map<string, CountEntry>();
  for (const e of [...line.entries].sort((a, b) => a.entryNo - b.entryNo)) latest.set(e.counter, e);
  const base = { itemId: line.itemId, sku: line.sku, snapshot: line.snapshot };
  if (latest.size === 0) return { ...base, counted: null, expected: null, variance: null, variancePercent: null, exceedsThreshold: false, counters: [] };
  const counters = [...latest.values()];
  const counted = counters.reduce((s, e) => s + e.counted, 0);
  const expected = counters.reduce((a, b) => (b.entryNo > a.entryNo ? b : a)).expected;
  const variance = counted - expected;
  return {
    ...base,
    counted,
    expected,
    variance,
    variancePercent: expected > 0 ? Math.round((Math.abs(variance) / expected) * 10_000) / 100 : null,
    exceedsThreshold: exceedsThreshold(variance, expected, t),
    counters: counters.map((e) => ({ counter: e.counter, counted: e.counted, actor: e.actor })),
  };
}

export function countReport(lines: CountLine[], t: VarianceThresholds): CountReport {
  const reports = lines.map((l) => lineReport(l, t));
  return {
    lines: reports,
    uncounted: reports.filter((r) => r.counted === null).map((r) => r.sku),
    exceeding: reports.filter((r) => r.exceedsThreshold).map((r) => r.sku),
  };
}

function checkTakes(doc: CountDocument, what: string): Outcome<null> {
  return doc.state === 'open' || doc.state === 'awaiting_approval'
    ? ok(null)
    : refused(refusal('document_closed', `count ${doc.number} is ${doc.state}; it takes no more ${what}`, undefined, { state: doc.state }));
}

export interface EntryRequest {
  sku: string;
  counted: number;
  counter?: string | null;
}

/** Entries checked against the count: each names a SKU on the count and a whole count ≥ 0. */
export function checkEntries(doc: CountDocument, entries: EntryRequest[], actor: string): Outcome<{ itemId: string; counter: string; counted: number }[]> {
  const open = checkTakes(doc, 'entries');
  if (!open.ok) return open;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > COUNT_ENTRIES_MAX) {
    return refused(refusal('validation_failed', `entries must list 1 to ${COUNT_ENTRIES_MAX} entries`, 'entries'));
  }
  const bySku = new Map(doc.lines.map((l) => [l.sku, l]));
  const out: { itemId: string; counter: string; counted: number }[] = [];
  for (const [i, e] of entries.entries()) {
    const line = bySku.get(e.sku);
    if (!line) return refused(refusal('validation_failed', `${e.sku} is not on count ${doc.number}`, `entries[${i}].sku`));
    const bad = checkQuantity(e.counted, `entries[${i}].counted`, true);
    if (bad) return refused(bad);
    const counter = e.counter ?? actor;
    if (typeof counter !== 'string' || counter.length === 0 || counter.length > COUNTER_LENGTH_MAX) {
      return refused(refusal('validation_failed', `entries[${i}].counter must be 1 to ${COUNTER_LENGTH_MAX} characters`, `entries[${i}].counter`));
    }
    out.push({ itemId: line.itemId, counter, counted: e.counted });
  }
  return ok(out);
}

export type PostDecision =
  | { kind: 'post'; variances: VarianceLine[]; approvedBy: string | null; report: CountReport }
  | { kind: 'await_approval'; report: CountReport };

/**
 * Posting a count. A variance over a threshold needs an admin: posted by an admin (or through
 * approve) it books and records who approved; posted by anyone else, the count waits for
 * approval (nothing booked). Uncounted lines are not posted.
 */
export function decidePosting(doc: CountDocument, t: VarianceThresholds, by: { actor: string; admin: boolean }): Outcome<PostDecision> {
  const open = checkTakes(doc, 'postings');
  if (!open.ok) return open;
  const report = countReport(doc.lines, t);
  if (report.uncounted.length === doc.lines.length) {
    return refused(refusal('validation_failed', `nothing on count ${doc.number} has been counted; enter counts first, or cancel the count`, 'entries'));
  }
  const needsApproval = report.exceeding.length > 0;
  if (needsApproval && !by.admin) {
    if (doc.state === 'awaiting_approval') {
      return refused(refusal('approval_required', `count ${doc.number} has variances over the workspace threshold (${report.exceeding.join(', ')}); an admin must approve it`, undefined, { exceeding: report.exceeding }));
    }
    return ok({ kind: 'await_approval', report });
  }
  const variances = report.lines
    .filter((l) => l.variance !== null && l.variance !== 0)
    .map((l): VarianceLine => ({ sku: l.sku, location: doc.location, variance: l.variance! }));
  return ok({ kind: 'post', variances, approvedBy: needsApproval ? by.actor : null, report });
}

/** Cancel a count that has not been posted; nothing is booked. */
export function checkCancel(doc: CountDocument): Outcome<null> {
  return checkTakes(doc, 'changes');
}
