// Use-cases for cycle counts. Creating a count snapshots on_hand; each entry records the
// level's on_hand at the moment it is entered; posting is a document step that books each
// line's variance on the level as it is now (see count-rules.ts for why that keeps sales made
// during the count). Blind counts hide the books' numbers from everyone but admins until posted.

import { nextNumber, numberTaken } from '../store/purchasing-repo.ts';
import type { PostCommand } from '../domain/commands.ts';
import { ok, type Outcome, refused } from '../domain/context.ts';
import {
  checkCancel,
  checkEntries,
  COUNT_LINES_MAX,
  type CountDocument,
  type CountLine,
  countReport,
  type CountScope,
  type CountState,
  decidePosting,
  type EntryRequest,
  type PostDecision,
  type VarianceThresholds,
} from '../domain/count-rules.ts';
import { type Refusal, refusal } from '../domain/errors.ts';
import { itemsById, itemsBySku, locationsByCode } from '../store/catalog-repo.ts';
import {
  getCount,
  getThresholds,
  insertCount,
  insertEntries,
  lastEntryNo,
  listCounts,
  onHandAt,
  setThresholds,
  writeCountState,
} from '../store/count-repo.ts';
import type { Db } from '../store/store.ts';
import type { Written } from './idempotent.ts';
import { newId } from './ids.ts';
import type { DocumentStep } from './ledger.ts';
import { decodeCursor, PAGE_LIMIT_DEFAULT, page } from './queries.ts';
import { iso, movementView } from './views.ts';


// ids.ts lists the prefixes it knows; `cnt` (count) and `cen` (count entry) are these documents'.
const countId = (now: number) => newId('cnt', now);
const entryId = (now: number) => newId('cen', now);

/** Who is looking or acting: the books' numbers of a blind count are for admins until it is posted. */
export interface Viewer {
  actor: string;
  admin: boolean;
}

export interface CountCreate {
  number?: string | null;
  location: string;
  scope: CountScope;
  zones?: string[] | null;
  skus?: string[] | null;
  blind?: boolean;
}

const finished = (state: CountState) => state === 'posted' || state === 'cancelled';

/** Does this viewer see snapshot, expected and variance? */
export const revealsBooks = (c: CountDocument, viewer: Viewer) => !c.blind || viewer.admin || finished(c.state);

export const thresholdsView = (t: VarianceThresholds) => ({ variance_units_max: t.unitsMax, variance_percent_max: t.percentMax });

function headerView(c: CountDocument) {
  return {
    id: c.id,
    number: c.number,
    location: c.location,
    scope: c.scope,
    zones: c.zones,
    blind: c.blind,
    state: c.state,
    approved_by: c.approvedBy,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    posted_at: iso(c.postedAt),
  };
}

/** The variance report: per line snapshot, expected, counted, variance, % and the threshold verdict. */
export function varianceReport(c: CountDocument, t: VarianceThresholds) {
  const r = countReport(c.lines, t);
  return {
    thresholds: thresholdsView(t),
    lines: r.lines.map((l) => ({
      sku: l.sku,
      snapshot: l.snapshot,
      expected: l.expected,
      counted: l.counted,
      variance: l.variance,
      variance_percent: l.variancePercent,
      exceeds_threshold: l.exceedsThreshold,
      counters: l.counters.map((x) => ({ counter: x.counter, counted: x.counted })),
    })),
    uncounted: r.uncounted,
    exceeding: r.exceeding,
  };
}

/** What a viewer sees of a blind count in progress: the SKUs and the numbers they entered themselves. */
function blindLines(lines: CountLine[], viewer: Viewer) {
  return lines.map((l) => {
    const mine = new Map<string, number>();
    for (const e of l.entries) if (e.actor === viewer.actor) mine.set(e.counter, e.counted);
    return { sku: l.sku, your_counts: [...mine].map(([counter, counted]) => ({ counter, counted })) };
  });
}

export function countView(c: CountDocument, t: VarianceThresholds, viewer: Viewer) {
  if (revealsBooks(c, viewer)) return { ...headerView(c), books_hidden: false, ...varianceReport(c, t) };
  return { ...headerView(c), books_hidden: true, lines: blindLines(c.lines, viewer) };
}


/** Open a count: the lines in scope, each with on_hand now as its snapshot. */
export async function createCount(db: Db, workspaceId: string, input: CountCreate, viewer: Viewer, now: number): Promise<Written | Refusal> {
  const [location] = await locationsByCode(db, workspaceId, [input.location]);
  if (!location) return refusal('unknown_location', `no location with code ${JSON.stringify(input.location)}`, 'location');
  let snapshot: Map<string, number>;
  let zones: string[] | null = null;
  if (input.scope === 'all') {
    if (input.zones || input.skus) return refusal('validation_failed', 'a count of scope all takes neither zones nor skus', input.zones ? 'zones' : 'skus');
    snapshot = await onHandAt(db, workspaceId, location.id, {});
  } else if (input.scope === 'zones') {
    if (!Array.isArray(input.zones) || input.zones.length === 0) return refusal('validation_failed', 'a count of scope zones lists at least one zone', 'zones');
    if (input.skus) return refusal('validation_failed', 'a count of scope zones takes no skus', 'skus');
    zones = [...new Set(input.zones)];
    snapshot = await onHandAt(db, workspaceId, location.id, { zones });
  } else if (input.scope === 'skus') {
    if (!Array.isArray(input.skus) || input.skus.length === 0) return refusal('validation_failed', 'a count of scope skus lists at least one SKU', 'skus');
    if (input.zones) return refusal('validation_failed', 'a count of scope skus takes no zones', 'zones');
    const items = new Map((await itemsBySku(db, workspaceId, input.skus)).map((i) => [i.sku, i]));
    for (const [i, sku] of input.skus.entries()) {
      const item = items.get(sku);
      if (!item) return refusal('unknown_item', `no item with SKU ${JSON.stringify(sku)}`, `skus[${i}]`);
      if (item.kind !== 'standard' && !item.stocksPrebuilt) return refusal('item_has_no_stock', `${sku} is a ${item.kind}; count its components`, `skus[${i}]`);
    }
    const ids = [...items.values()].map((i) => i.id);
    const levels = await onHandAt(db, workspaceId, location.id, { itemIds: ids });
    // A listed item with no stock level here is expected to be absent: its snapshot is 0.
    snapshot = new Map(ids.map((id) => [id, levels.get(id) ?? 0]));
  } else {
    return refusal('validation_failed', 'scope must be all, zones or skus', 'scope');
  }
  if (snapshot.size === 0) return refusal('validation_failed', `nothing to count at ${location.code} in that scope`, 'scope');
  if (snapshot.size > COUNT_LINES_MAX) return refusal('validation_failed', `a count takes at most ${COUNT_LINES_MAX} lines; narrow the scope to zones or SKUs`, 'scope');
  if (input.number && (await numberTaken(db, 'counts', workspaceId, input.number))) {
    return refusal('document_number_taken', `a count numbered ${JSON.stringify(input.number)} already exists`, 'number');
  }
  const skuOf = new Map((await itemsById(db, workspaceId, [...snapshot.keys()])).map((i) => [i.id, i.sku]));
  const doc: CountDocument = {
    id: countId(now),
    workspaceId,
    number: input.number || (await nextNumber(db, 'counts', workspaceId, 'CNT')),
    locationId: location.id,
    location: location.code,
    scope: input.scope,
    zones,
    blind: input.blind ?? false,
    state: 'open',
    approvedBy: null,
    createdAt: now,
    updatedAt: now,
    postedAt: null,
    lines: [...snapshot].map(([itemId, onHand]) => ({ itemId, sku: skuOf.get(itemId)!, snapshot: onHand, entries: [] })).sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0)),
  };
  await insertCount(db, doc);
  return { status: 201, body: { count: countView(doc, await getThresholds(db, workspaceId), viewer) } };
}

/**
 * Record counted quantities. Each entry keeps the level's on_hand at this moment, read under a
 * lock on the level, so the ledger's later movements are exactly the ones after the entry.
 */
export async function enterCounts(db: Db, workspaceId: string, id: string, entries: EntryRequest[], viewer: Viewer, now: number): Promise<Written | Refusal> {
  const doc = await getCount(db, workspaceId, id, true);
  if (!doc) return refusal('not_found', `no count ${id} in this workspace`);
  const checked = checkEntries(doc, entries, viewer.actor);
  if (!checked.ok) return checked.refusal;
  const onHand = await onHandAt(db, workspaceId, doc.locationId, { itemIds: checked.value.map((e) => e.itemId) }, true);
  let entryNo = await lastEntryNo(db, doc.id);
  const rows = checked.value.map((e) => ({ id: entryId(now), itemId: e.itemId, entryNo: ++entryNo, counter: e.counter, counted: e.counted, expected: onHand.get(e.itemId) ?? 0, actor: viewer.actor, createdAt: now }));
  await insertEntries(db, doc.id, rows);
  const next: CountDocument = { ...doc, updatedAt: now, lines: doc.lines.map((l) => ({ ...l, entries: [...l.entries, ...rows.filter((r) => r.itemId === l.itemId)] })) };
  await writeCountState(db, next);
  return { status: 200, body: { count: countView(next, await getThresholds(db, workspaceId), viewer) } };
}

/**
 * Post a count (or, with `approve`, an admin's approval of it). A variance over the workspace
 * threshold posted by a non-admin moves the count to awaiting_approval and answers 202 with
 * nothing booked; otherwise each counted line's variance is booked as `cycle_count`.
 */
export function postStep(workspaceId: string, id: string, viewer: Viewer, approve = false): DocumentStep {
  let decided: { doc: CountDocument; t: VarianceThresholds; decision: PostDecision } | undefined;
  return {
    name: approve ? 'count_approve' : 'count_post',
    payload: { id, approve },
    async prepare(db): Promise<Outcome<PostCommand>> {
      const doc = await getCount(db, workspaceId, id, true);
      if (!doc) return refused(refusal('not_found', `no count ${id} in this workspace`));
      const t = await getThresholds(db, workspaceId);
      const out = decidePosting(doc, t, viewer);
      if (!out.ok) return out;
      decided = { doc, t, decision: out.value };
      const variances = out.value.kind === 'post' ? out.value.variances : [];
      return ok({ type: 'post', flow: 'count_post', lines: [], variances, reference: doc.number });
    },
    async finish(db, { movements }, now) {
      const { doc, t, decision } = decided!;
      const next: CountDocument =
        decision.kind === 'post'
          ? { ...doc, state: 'posted', approvedBy: approve ? viewer.actor : decision.approvedBy, postedAt: now, updatedAt: now }
          : { ...doc, state: 'awaiting_approval', updatedAt: now };
      await writeCountState(db, next);
      const skus = new Map(doc.lines.map((l) => [l.itemId, l.sku]));
      return {
        status: decision.kind === 'post' ? 200 : 202,
        body: { count: countView(next, t, viewer), movements: movements.map((m) => movementView(m, skus.get(m.itemId) ?? m.itemId, doc.location)) },
      };
    },
  };
}

/** Cancel a count that has not been posted: nothing is booked. */
export async function cancelCount(db: Db, workspaceId: string, id: string, viewer: Viewer, now: number): Promise<Written | Refusal> {
  const doc = await getCount(db, workspaceId, id, true);
  if (!doc) return refusal('not_found', `no count ${id} in this workspace`);
  const ok = checkCancel(doc);
  if (!ok.ok) return ok.refusal;
  const next: CountDocument = { ...doc, state: 'cancelled', updatedAt: now };
  await writeCountState(db, next);
  return { status: 200, body: { count: countView(next, await getThresholds(db, workspaceId), viewer) } };
}

export async function countById(db: Db, workspaceId: string, id: string, viewer: Viewer) {
  const c = await getCount(db, workspaceId, id);
  return c ? countView(c, await getThresholds(db, workspaceId), viewer) : undefined;
}

/** The variance report alone; for a blind count in progress, admins only. */
export async function countVariances(db: Db, workspaceId: string, id: string, viewer: Viewer): Promise<Record<string, unknown> | Refusal | undefined> {
  const c = await getCount(db, workspaceId, id);
  if (!c) return undefined;
  if (!revealsBooks(c, viewer)) {
    return refusal('forbidden', `count ${c.number} is blind: its variance report is for admins until it is posted`, undefined, { required_role: 'admin' });
  }
  return { count_id: c.id, number: c.number, state: c.state, ...varianceReport(c, await getThresholds(db, workspaceId)) };
}

export async function countsPage(db: Db, workspaceId: string, q: { state?: CountState; cursor?: string; limit?: number }) {
  const limit = q.limit ?? PAGE_LIMIT_DEFAULT;
  const rows = await listCounts(db, workspaceId, { limit, ...(q.state ? { state: q.state } : {}), ...(q.cursor ? { after: decodeCursor(q.cursor) } : {}) });
  return page(rows, limit, (c) => c.id, headerView);
}

export interface CountSettings {
  variance_units_max?: number | null;
  variance_percent_max?: number | null;
}

export async function countSettings(db: Db, workspaceId: string) {
  return { settings: thresholdsView(await getThresholds(db, workspaceId)) };
}

/** Set the variance thresholds above which posting a count needs an admin. Omitted fields stay. */
export async function updateCountSettings(db: Db, workspaceId: string, input: CountSettings): Promise<Written | Refusal> {
  const t = await getThresholds(db, workspaceId);
  const units = input.variance_units_max === undefined ? t.unitsMax : input.variance_units_max;
  const percent = input.variance_percent_max === undefined ? t.percentMax : input.variance_percent_max;
  if (units !== null && (!Number.isSafeInteger(units) || units < 0)) return refusal('validation_failed', 'variance_units_max must be a whole number ≥ 0, or null', 'variance_units_max');
  if (percent !== null && (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0)) return refusal('validation_failed', 'variance_percent_max must be a number ≥ 0, or null', 'variance_percent_max');
  const next = { unitsMax: units, percentMax: percent };
  await setThresholds(db, workspaceId, next);
  return { status: 200, body: { settings: thresholdsView(next) } };
}
