// Quantities as a JSON_LISTINGS_FEED (Feeds 2021-06-30, channels.md §2): for a batch too large to
// patch listing by listing within `patchListingsItem`'s budget (5 a second), one feed carries
// them all: create a feed document, PUT the file to its presigned URL, create the feed, then poll
// `getFeed` until DONE and read the processing report, whose issues name the messages that failed.
//
// The feed's own operations are dear (createFeed: burst 15, then one every two minutes), so each
// is made only when its budget has a token now (`OperationBudgets`); otherwise the push goes by
// patches and the feed waits for a later batch.

import { gunzipSync } from 'node:zlib';
import type { ItemOutcome, PushItem, SubmissionResult } from '../../sync/connector.ts';
import { describeIssue, type ListingIssue, merchantQuantity, quantityPatches } from './quantity-patch.ts';
import type { OperationBudgets, SpAnswer, SpApi, SpApiOperation, SpFailure } from './sp-api.ts';
import { segment } from './sp-api.ts';

export const JSON_LISTINGS_FEED = 'JSON_LISTINGS_FEED';
export const FEED_CONTENT_TYPE = 'application/json; charset=UTF-8';
/** Messages one feed may carry (listings-feed-schema-v2.json `maxItems`). */
export const FEED_MESSAGES_MAX = 25_000;
/** The Listings Items API version the processing report reads listings with. */
const REPORT_API_VERSION = '2021-08-01';

/** A feed file (listings-feed-schema-v2.json). */
export interface ListingsFeed {
  header: { sellerId: string; version: '2.0'; report: { includedData: string[]; apiVersion: typeof REPORT_API_VERSION } };
  messages: { messageId: number; sku: string; operationType: 'PATCH'; productType: string; patches: ReturnType<typeof quantityPatches> }[];
}

/** A processing report (listings-feed-processing-report-schema-v2.json), the parts we read. */
export interface ProcessingReport {
  issues?: (ListingIssue & { messageId?: number; sku?: string })[];
  items?: { sku?: string; fulfillmentAvailability?: unknown }[];
}

/**
 * The feed file for `items` (all of one marketplace): one PATCH message per listing, numbered in
 * order from 1, and a report that includes each listing's fulfillment availability afterwards,
 * so the report itself shows whether the number was applied.
 */
export function buildFeed(sellerId: string, items: readonly { item: PushItem; productType: string }[]): ListingsFeed {
  if (items.length === 0 || items.length > FEED_MESSAGES_MAX) throw new RangeError(`a feed carries 1..${FEED_MESSAGES_MAX} messages, got ${items.length}`);
  return {
    header: { sellerId, version: '2.0', report: { includedData: ['fulfillmentAvailability', 'issues'], apiVersion: REPORT_API_VERSION } },
    messages: items.map(({ item, productType }, k) => ({ messageId: k + 1, sku: item.external.seller_sku!, operationType: 'PATCH', productType, patches: quantityPatches(item.quantity) })),
  };
}

export type FeedSubmitted = { ok: true; feedId: string } | SpFailure;

/** Whether a feed can be submitted now: both of its creating operations have a token. */
export function feedBudgetReady(budgets: OperationBudgets): boolean {
  return budgets.waitFor('createFeedDocument') === 0 && budgets.waitFor('createFeed') === 0;
}

/** Create the document, upload the file, create the feed. */
export async function submitFeed(api: SpApi, budgets: OperationBudgets, marketplaceId: string, feed: ListingsFeed): Promise<FeedSubmitted> {
  const doc = await budgeted<{ feedDocumentId: string; url: string }>(api, budgets, 'createFeedDocument', { method: 'POST', path: '/feeds/2021-06-30/documents', body: { contentType: FEED_CONTENT_TYPE } });
  if (!doc.ok) return doc;
  const upload = await api.document(doc.data.url, { method: 'PUT', contentType: FEED_CONTENT_TYPE, body: JSON.stringify(feed) });
  if (!upload.ok) return upload;
  const created = await budgeted<{ feedId: string }>(api, budgets, 'createFeed', {
    method: 'POST', path: '/feeds/2021-06-30/feeds', body: { feedType: JSON_LISTINGS_FEED, marketplaceIds: [marketplaceId], inputFeedDocumentId: doc.data.feedDocumentId },
  });
  return created.ok ? { ok: true, feedId: created.data.feedId } : created;
}

/**
 * Where a feed stands: processing, or done with one outcome per item. `skus` are the feed's
 * messages in order (messageId k+1 is skus[k]) when this process still remembers them; the report's
 * own `sku` is used first. An item the report does not settle is pushed again.
 */
export async function checkFeed(api: SpApi, budgets: OperationBudgets, feedId: string, items: readonly PushItem[], skus: readonly string[] | undefined): Promise<SubmissionResult> {
  // Without a token now, looking later costs nothing; the feed keeps processing meanwhile.
  if (budgets.waitFor('getFeed') > 0) return { ok: true, state: 'processing' };
  const feed = await budgeted<{ processingStatus: string; resultFeedDocumentId?: string }>(api, budgets, 'getFeed', { method: 'GET', path: `/feeds/2021-06-30/feeds/${segment(feedId)}` });
  if (!feed.ok) return feed.status === 404 ? { ok: true, state: 'done', outcomes: items.map(() => ({ status: 'not_applied' })) } : feed;
  const status = feed.data.processingStatus;
  if (status === 'IN_QUEUE' || status === 'IN_PROGRESS') return { ok: true, state: 'processing', ...budgetOf(feed) };
  // CANCELLED or FATAL (the file as a whole was refused): nothing was applied; push again.
  if (status !== 'DONE' || !feed.data.resultFeedDocumentId) return { ok: true, state: 'done', outcomes: items.map(() => ({ status: 'not_applied' })), ...budgetOf(feed) };
  if (budgets.waitFor('getFeedDocument') > 0) return { ok: true, state: 'processing', ...budgetOf(feed) };
  const doc = await budgeted<{ url: string; compressionAlgorithm?: string }>(api, budgets, 'getFeedDocument', { method: 'GET', path: `/feeds/2021-06-30/documents/${segment(feed.data.resultFeedDocumentId)}` });
  if (!doc.ok) return doc;
  const file = await api.document(doc.data.url, { method: 'GET' });
  if (!file.ok) return file;
  let report: ProcessingReport;
  try {
    const raw = (doc.data.compressionAlgorithm === 'GZIP' ? gunzipSync(file.bytes) : file.bytes).toString('utf8');
    report = JSON.parse(raw) as ProcessingReport;
  } catch (err) {
    return { ok: false, failure: 'permanent', retryAfterMs: null, message: `feed ${feedId}: unreadable processing report (${String(err)})` };
  }
  return { ok: true, state: 'done', outcomes: reportOutcomes(report, items, skus) };
}

/** One outcome per item from a processing report. */
export function reportOutcomes(report: ProcessingReport, items: readonly PushItem[], skus: readonly string[] | undefined): ItemOutcome[] {
  const issuesBySku = new Map<string, ListingIssue[]>();
  let unplaced = false;
  for (const issue of report.issues ?? []) {
    const sku = issue.sku ?? (issue.messageId !== undefined ? skus?.[issue.messageId - 1] : undefined);
    if (sku === undefined) {
      // An ERROR we cannot place (no SKU, and this process no longer knows the message's) may be any item's.
      if (issue.severity === 'ERROR') unplaced = true;
      continue;
    }
    issuesBySku.set(sku, [...(issuesBySku.get(sku) ?? []), issue]);
  }
  const shownBySku = new Map<string, number | null>();
  for (const it of report.items ?? []) if (typeof it.sku === 'string') shownBySku.set(it.sku, merchantQuantity(it.fulfillmentAvailability));
  return items.map((i): ItemOutcome => {
    const sku = i.external.seller_sku!;
    const errors = (issuesBySku.get(sku) ?? []).filter((x) => x.severity === 'ERROR');
    // A message that failed was not applied, and the same message would fail again: the listing
    // is parked with Amazon's reason (our messages carry nothing but the quantity).
    if (errors.length > 0) return { status: 'rejected', reason: errors.map(describeIssue).join('; ') };
    if (unplaced) return { status: 'not_applied' };
    const shown = shownBySku.get(sku);
    // The report shows the listing: acknowledged when it shows our number. A message accepted
    // without the listing in the report was processed as sent.
    if (shown === undefined) return { status: 'acknowledged' };
    return shown === i.quantity ? { status: 'acknowledged' } : { status: 'not_applied' };
  });
}

async function budgeted<T>(api: SpApi, budgets: OperationBudgets, op: SpApiOperation, request: Parameters<SpApi['call']>[1]): Promise<SpAnswer<T>> {
  if (!budgets.take(op)) {
    const wait = budgets.waitFor(op);
    return { ok: false, failure: 'throttled', retryAfterMs: Number.isFinite(wait) ? wait : null, message: `${op}: no budget left now (not sent)`, status: null, errors: [] };
  }
  const answer = await api.call<T>(op, request);
  budgets.after(op, answer);
  return answer;
}

const budgetOf = (a: SpAnswer<unknown>) => (a.budget ? { budget: a.budget } : {});
