// Feeds API 2021-06-30 (feeds_2021-06-30.json) and the emulated S3 behind its document URLs.
// A document URL is good for DOCUMENT_URL_TTL_MS after it is handed out, then answers 403 as an
// expired presigned S3 URL does.

import { randomUuid, type Random } from '../kit/index.ts';
import { invalidInput, SpApiError } from './errors.ts';
import { cancelFeed, createFeed, feedJson, newDocument } from './feeds.ts';
import type { ApiRequest, HttpAnswer } from './http-answer.ts';
import type { Seller } from './seller.ts';

export const DOCUMENT_URL_TTL_MS = 5 * 60_000;
export const S3_PREFIX = '/_s3/';
const MARKETPLACES_MAX = 25;

interface Presigned {
  documentId: string;
  method: 'PUT' | 'GET';
  until: number;
}

const S3_EXPIRED = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>';
const S3_DENIED = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';

export class FeedsApi {
  private readonly presigned = new Map<string, Presigned>();

  constructor(
    private readonly seller: Seller,
    private readonly now: () => number,
    private readonly random: Random,
    private readonly delays: () => { queueMs: number; processingMs: number },
  ) {}

  private url(origin: string, documentId: string, method: 'PUT' | 'GET'): string {
    const token = randomUuid(this.random);
    this.presigned.set(token, { documentId, method, until: this.now() + DOCUMENT_URL_TTL_MS });
    return `${origin}${S3_PREFIX}${token}`;
  }

  createFeedDocument(req: ApiRequest): HttpAnswer {
    const b = req.body as { contentType?: unknown } | undefined;
    if (typeof b !== 'object' || b === null || typeof b.contentType !== 'string' || b.contentType === '') throw invalidInput('Missing required field: contentType.');
    const doc = newDocument(this.seller, b.contentType, null);
    return { status: 201, body: { feedDocumentId: doc.id, url: this.url(req.origin, doc.id, 'PUT') } };
  }

  getFeedDocument(req: ApiRequest): HttpAnswer {
    const doc = this.seller.documents.get(req.params.feedDocumentId!);
    if (!doc) throw new SpApiError(404, 'NotFound', `Feed document ${req.params.feedDocumentId} was not found.`);
    return { status: 200, body: { feedDocumentId: doc.id, url: this.url(req.origin, doc.id, 'GET') } };
  }

  createFeed(req: ApiRequest): HttpAnswer {
    const b = req.body as { feedType?: unknown; marketplaceIds?: unknown; inputFeedDocumentId?: unknown } | undefined;
    if (typeof b !== 'object' || b === null) throw invalidInput('The request body must be a JSON object.');
    if (typeof b.feedType !== 'string') throw invalidInput('Missing required field: feedType.');
    if (typeof b.inputFeedDocumentId !== 'string') throw invalidInput('Missing required field: inputFeedDocumentId.');
    if (!Array.isArray(b.marketplaceIds) || b.marketplaceIds.length < 1 || b.marketplaceIds.length > MARKETPLACES_MAX || !b.marketplaceIds.every((m) => typeof m === 'string')) {
      throw invalidInput(`marketplaceIds must be 1 to ${MARKETPLACES_MAX} marketplace ids.`);
    }
    const feed = createFeed(this.seller, { feedType: b.feedType, marketplaceIds: b.marketplaceIds as string[], inputFeedDocumentId: b.inputFeedDocumentId }, this.delays());
    return { status: 202, body: { feedId: feed.id } };
  }

  getFeed(req: ApiRequest): HttpAnswer {
    const feed = this.seller.feeds.get(req.params.feedId!);
    if (!feed) throw new SpApiError(404, 'NotFound', `Feed ${req.params.feedId} was not found.`);
    return { status: 200, body: feedJson(feed) };
  }

  cancelFeed(req: ApiRequest): HttpAnswer {
    cancelFeed(this.seller, req.params.feedId!);
    return { status: 200 };
  }

  /** The emulated S3: PUT uploads an input document, GET reads any document, while the URL lasts. */
  s3(method: string, token: string, body: string): HttpAnswer {
    const p = this.presigned.get(token);
    if (!p || p.method !== method) return { status: 403, headers: { 'Content-Type': 'application/xml' }, text: S3_DENIED };
    if (this.now() > p.until) return { status: 403, headers: { 'Content-Type': 'application/xml' }, text: S3_EXPIRED };
    const doc = this.seller.documents.get(p.documentId)!;
    if (method === 'PUT') {
      doc.content = body;
      return { status: 200, text: '' };
    }
    return { status: 200, headers: { 'Content-Type': doc.contentType }, text: doc.content ?? '' };
  }
}
