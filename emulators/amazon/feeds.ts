// Feeds 2021-06-30 for JSON_LISTINGS_FEED: documents (uploaded to and read from an emulated S3
// URL that expires), feeds that move IN_QUEUE → IN_PROGRESS → DONE | FATAL on the clock, and the
// processing report (listings-feed-processing-report-schema-v2). A feed that is not valid JSON or
// not valid against listings-feed-schema-v2.json (kept beside this file, as Amazon published it)
// ends FATAL; otherwise each message is accepted and applied, or invalid with issues naming it.

import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { invalidInput, SpApiError } from './errors.ts';
import { checkPatch, failureIssue, FULFILLMENT_AVAILABILITY, type Issue, type Listing, type PatchOperation } from './listings.ts';
import type { Seller } from './seller.ts';
import { floorToSecond, iso } from './time.ts';

export const JSON_LISTINGS_FEED = 'JSON_LISTINGS_FEED';

export type ProcessingStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'FATAL' | 'CANCELLED';

export interface FeedDocument {
  id: string;
  contentType: string;
  /** The uploaded (input) or produced (result) text; null until uploaded. */
  content: string | null;
  createdAt: number;
}

export interface Feed {
  id: string;
  feedType: string;
  marketplaceIds: string[];
  inputDocumentId: string;
  createdAt: number;
  status: ProcessingStatus;
  startedAt?: number;
  endedAt?: number;
  resultDocumentId?: string;
}

export interface ReportIssue {
  messageId?: number;
  sku?: string;
  code: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  message: string;
  attributeName?: string;
}

const FEED_SCHEMA_PATH = new URL('./schemas/listings-feed-schema-v2.json', import.meta.url);
let feedSchema: ValidateFunction | undefined;

function validateFeed(doc: unknown): string[] {
  feedSchema ??= new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(FEED_SCHEMA_PATH, 'utf8')) as object);
  if (feedSchema(doc)) return [];
  return (feedSchema.errors ?? []).slice(0, 20).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

export function feedJson(f: Feed): Record<string, unknown> {
  return {
    feedId: f.id,
    feedType: f.feedType,
    marketplaceIds: f.marketplaceIds,
    createdTime: iso(f.createdAt),
    processingStatus: f.status,
    ...(f.startedAt !== undefined ? { processingStartTime: iso(f.startedAt) } : {}),
    ...(f.endedAt !== undefined ? { processingEndTime: iso(f.endedAt) } : {}),
    ...(f.resultDocumentId !== undefined ? { resultFeedDocumentId: f.resultDocumentId } : {}),
  };
}

export function newDocument(seller: Seller, contentType: string, content: string | null): FeedDocument {
  const n = seller.documents.size + 1;
  const doc: FeedDocument = { id: `amzn1.tortuga.4.na.emu${String(n).padStart(8, '0')}`, contentType, content, createdAt: seller.now() };
  seller.documents.set(doc.id, doc);
  return doc;
}

/** createFeed: checks the specification and queues the feed. */
export function createFeed(seller: Seller, spec: { feedType: string; marketplaceIds: string[]; inputFeedDocumentId: string }, delays: { queueMs: number; processingMs: number }): Feed {
  if (spec.feedType !== JSON_LISTINGS_FEED) throw invalidInput(`Invalid feed type: ${spec.feedType}. The emulator supports ${JSON_LISTINGS_FEED}.`);
  for (const m of spec.marketplaceIds) if (!seller.settings.marketplaceIds.includes(m)) throw invalidInput(`Invalid marketplaceId: ${m}`);
  if (!seller.documents.has(spec.inputFeedDocumentId)) throw invalidInput(`Invalid inputFeedDocumentId: ${spec.inputFeedDocumentId}`);
  const feed: Feed = {
    id: seller.nextFeedId(),
    feedType: spec.feedType,
    marketplaceIds: [...spec.marketplaceIds],
    inputDocumentId: spec.inputFeedDocumentId,
    createdAt: floorToSecond(seller.now()),
    status: 'IN_QUEUE',
  };
  seller.feeds.set(feed.id, feed);
  seller.counters.feedsCreated++;
  seller.due.schedule(seller.now() + delays.queueMs, (started) => {
    if (feed.status !== 'IN_QUEUE') return;
    feed.status = 'IN_PROGRESS';
    feed.startedAt = floorToSecond(started);
    seller.due.schedule(started + delays.processingMs, (ended) => finish(seller, feed, ended));
  });
  return feed;
}

/** cancelFeed: only a feed still IN_QUEUE can be cancelled. */
export function cancelFeed(seller: Seller, feedId: string): void {
  const feed = seller.feeds.get(feedId);
  if (!feed) throw new SpApiError(404, 'NotFound', `Feed ${feedId} was not found.`);
  if (feed.status !== 'IN_QUEUE') throw invalidInput(`Feed ${feedId} is ${feed.status}; only a feed IN_QUEUE can be cancelled.`);
  feed.status = 'CANCELLED';
  seller.counters.feedsCancelled++;
}

function finish(seller: Seller, feed: Feed, at: number): void {
  const input = seller.documents.get(feed.inputDocumentId);
  const outcome = process(seller, input?.content ?? null);
  for (const apply of outcome.apply) apply(floorToSecond(at));
  const report = { header: { sellerId: seller.settings.sellerId, version: '2.0', feedId: feed.id }, issues: outcome.issues, summary: outcome.summary };
  const result = newDocument(seller, 'application/json', JSON.stringify(report));
  feed.status = outcome.fatal ? 'FATAL' : 'DONE';
  feed.endedAt = floorToSecond(at);
  feed.resultDocumentId = result.id;
  if (outcome.fatal) seller.counters.feedsFatal++;
  else seller.counters.feedsDone++;
}

interface Outcome {
  fatal: boolean;
  issues: ReportIssue[];
  summary: { errors: number; warnings: number; messagesProcessed: number; messagesAccepted: number; messagesInvalid: number };
  apply: ((at: number) => void)[];
}

const fatal = (message: string, code = 'FATAL_ERROR'): Outcome => ({
  fatal: true,
  issues: [{ code, severity: 'ERROR', message }],
  summary: { errors: 1, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 },
  apply: [],
});

interface Message {
  messageId: number;
  sku: string;
  operationType: 'UPDATE' | 'PARTIAL_UPDATE' | 'PATCH' | 'DELETE';
  productType?: string;
  patches?: PatchOperation[];
  attributes?: Record<string, unknown>;
}

function process(seller: Seller, text: string | null): Outcome {
  if (text === null) return fatal('The input feed document was never uploaded.');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return fatal('The feed document is not valid JSON.');
  }
  const problems = validateFeed(doc);
  if (problems.length > 0) return fatal(`The feed document is not valid against the JSON_LISTINGS_FEED schema v2: ${problems.join('; ')}`, 'INVALID_FEED_DOCUMENT');
  const { header, messages } = doc as { header: { sellerId: string }; messages: Message[] };
  if (header.sellerId !== seller.settings.sellerId) return fatal(`header.sellerId ${header.sellerId} is not the seller who submitted the feed.`);
  const out: Outcome = { fatal: false, issues: [], summary: { errors: 0, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 }, apply: [] };
  const seen = new Set<number>();
  // Messages are checked against the listings as they will be when the earlier messages apply.
  const deleted = new Set<string>();
  for (const m of messages) {
    out.summary.messagesProcessed++;
    const issues = messageIssues(seller, m, seen, deleted);
    const apply = issues.length === 0 ? messageEffect(seller, m, deleted) : undefined;
    if (!apply) {
      out.summary.messagesInvalid++;
      for (const i of issues) {
        out.issues.push({ messageId: m.messageId, sku: m.sku, code: i.code, severity: i.severity, message: i.message, ...(i.attributeNames?.[0] ? { attributeName: i.attributeNames[0] } : {}) });
        if (i.severity === 'ERROR') out.summary.errors++;
        else if (i.severity === 'WARNING') out.summary.warnings++;
      }
      continue;
    }
    out.summary.messagesAccepted++;
    out.apply.push(apply);
  }
  return out;
}

function messageIssues(seller: Seller, m: Message, seen: Set<number>, deleted: Set<string>): Issue[] {
  if (seen.has(m.messageId)) return [{ code: 'DUPLICATE_MESSAGE_ID', message: `messageId ${m.messageId} is used by an earlier message of this feed.`, severity: 'ERROR', categories: [] }];
  seen.add(m.messageId);
  const failure = seller.skuFailures.get(m.sku);
  if (failure) return [failureIssue(failure)];
  const listing = deleted.has(m.sku) ? undefined : seller.listings.get(m.sku);
  if (m.operationType === 'DELETE') return listing ? [] : [{ code: 'NOT_FOUND', message: 'No listings item exists for this SKU.', severity: 'ERROR', categories: [] }];
  return checkPatch(listing, m.productType ?? '', patchesOf(m, listing), seller.productTypes()).issues;
}

/** What a valid message does when the feed finishes (the listing is looked up again then). */
function messageEffect(seller: Seller, m: Message, deleted: Set<string>): ((at: number) => void) | undefined {
  if (m.operationType === 'DELETE') {
    deleted.add(m.sku);
    return () => void seller.listings.delete(m.sku);
  }
  const listing = seller.listings.get(m.sku);
  const checked = checkPatch(listing, m.productType ?? '', patchesOf(m, listing), seller.productTypes());
  const apply = checked.apply;
  if (!apply) return undefined;
  return (at) => {
    const l = seller.listings.get(m.sku);
    if (!l) return;
    if (m.operationType === 'UPDATE') l.attributes = {};
    const before = l.quantity;
    apply(l, at);
    seller.quantityMoved(l, before, at);
  };
}

/** PARTIAL_UPDATE replaces the attributes it names; UPDATE replaces them all (an absent quantity is removed). */
function patchesOf(m: Message, listing: Listing | undefined): PatchOperation[] {
  if (m.operationType === 'PATCH') return m.patches ?? [];
  const patches: PatchOperation[] = Object.entries(m.attributes ?? {}).map(([name, value]) => ({ op: 'replace', path: `/attributes/${name}`, value }));
  if (m.operationType === 'UPDATE' && listing && !(FULFILLMENT_AVAILABILITY in (m.attributes ?? {}))) patches.push({ op: 'delete', path: `/attributes/${FULFILLMENT_AVAILABILITY}` });
  return patches;
}
