// The feed operations: POST /v3/feeds (inventory.json updateBulkInventory: the file as the
// multipart/form-data field `file`), GET /v3/feeds/{feedId} (feeds.json getFeedItemStatus, with
// item details on includeDetails=true) and GET /v3/feeds (getAllFeedStatuses).

import { WalmartError, badParam, contentNotFound, missingParam } from './errors.ts';
import { FEED_TYPES, type Feed, type FeedType, type Feeds } from './feeds.ts';
import { type ApiRequest, type HttpAnswer, intParam } from './http-answer.ts';
import type { Inventory } from './inventory.ts';

/** 5 MB per feed file (channels.md §3: CL/CA pages; the US page names 413 for a file too large). */
export const FEED_FILE_BYTES_MAX = 5 * 1024 * 1024;
/** Item details per page, and feeds per list page: "cannot be more than 50" (feeds.json). */
export const FEED_PAGE_MAX = 50;

export class FeedsApi {
  constructor(
    private readonly feeds: Feeds,
    private readonly inventory: Inventory,
    private readonly partnerId: string,
  ) {}

  async submit(r: ApiRequest): Promise<HttpAnswer> {
    const feedType = r.query.get('feedType');
    if (feedType === null || feedType === '') throw missingParam('feedType');
    if (!(FEED_TYPES as readonly string[]).includes(feedType)) throw badParam('feedType', `feedType must be one of ${FEED_TYPES.join(', ')} (the inventory feeds the emulator serves).`);
    const shipNode = r.query.get('shipNode');
    if (shipNode !== null && feedType === 'inventory' && !this.inventory.isNode(shipNode)) throw badParam('shipNode', `shipNode ${shipNode} is not one of the seller's ship nodes.`);
    if (!/^multipart\/form-data/i.test(r.contentType)) throw new WalmartError('UNSUPPORTED_MEDIA_TYPE', 'The feed file goes as multipart/form-data with the field "file".');
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(r.raw), { headers: { 'content-type': r.contentType } }).formData();
    } catch {
      throw new WalmartError('MALFORMED_REQUEST_CONTENT', 'The multipart body could not be read.', 'file');
    }
    const file = form.get('file');
    if (file === null) throw missingParam('file');
    const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : Buffer.from(await file.arrayBuffer());
    if (bytes.length > FEED_FILE_BYTES_MAX) {
      this.feeds.counters.feedsRefusedTooLarge++;
      throw new WalmartError('REQUEST_ENTITY_TOO_LARGE', `A feed file may be at most ${FEED_FILE_BYTES_MAX} bytes; this one is ${bytes.length}.`, 'file');
    }
    const fileName = typeof file === 'string' ? 'file' : (file as File).name || 'file';
    const feed = this.feeds.submit(feedType as FeedType, bytes.toString('utf8'), shipNode ?? this.inventory.defaultShipNode, fileName);
    return { status: 200, body: { feedId: feed.feedId } };
  }

  get(r: ApiRequest): HttpAnswer {
    const feed = this.feeds.feeds.get(r.params.feedId!);
    if (!feed) throw contentNotFound('feedId', `No feed ${r.params.feedId}.`);
    const details = r.query.get('includeDetails') === 'true';
    const offset = intParam(r.query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(r.query, 'limit', FEED_PAGE_MAX, 1, FEED_PAGE_MAX);
    const status = this.feeds.status(feed);
    const items = feed.items ?? [];
    const settled = status === 'PROCESSED' ? items : [];
    const succeeded = settled.filter((i) => i.status === 'SUCCESS').length;
    const failed = settled.length - succeeded;
    const body: Record<string, unknown> = {
      feedId: feed.feedId,
      feedStatus: status,
      ingestionErrors: { ingestionError: status === 'ERROR' ? [{ type: 'DATA_ERROR', code: 'INVALID_FEED_FILE', description: feed.fileError ?? 'The file is no inventory feed.' }] : [] },
      itemsReceived: items.length,
      itemsSucceeded: succeeded,
      itemsFailed: failed,
      itemsProcessing: status === 'PROCESSED' || status === 'ERROR' ? 0 : items.length,
      offset,
      limit,
    };
    if (details) {
      // Before processing ends each item reads INPROGRESS; after, its own outcome.
      const done = status === 'PROCESSED';
      body.itemDetails = {
        itemIngestionStatus: items.slice(offset, offset + limit).map((i) => ({
          martId: 0,
          sku: i.sku,
          index: i.index,
          ingestionStatus: done ? i.status : 'INPROGRESS',
          ingestionErrors: { ingestionError: done ? i.errors.map((e) => ({ ...e })) : [] },
        })),
      };
    }
    return { status: 200, body };
  }

  list(r: ApiRequest): HttpAnswer {
    const offset = intParam(r.query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(r.query, 'limit', FEED_PAGE_MAX, 1, FEED_PAGE_MAX);
    const only = r.query.get('feedId');
    const all = [...this.feeds.feeds.values()].filter((f) => only === null || f.feedId === only).sort((a, b) => b.submittedAt - a.submittedAt);
    const feed = all.slice(offset, offset + limit).map((f) => {
      const status = this.feeds.status(f);
      const items = f.items ?? [];
      const settled = status === 'PROCESSED' ? items : [];
      const succeeded = settled.filter((i) => i.status === 'SUCCESS').length;
      return {
        feedId: f.feedId,
        feedSource: 'MARKETPLACE_PARTNER',
        feedType: f.feedType,
        partnerId: this.partnerId,
        itemsReceived: items.length,
        itemsSucceeded: succeeded,
        itemsFailed: settled.length - succeeded,
        itemsProcessing: status === 'PROCESSED' || status === 'ERROR' ? 0 : items.length,
        feedStatus: status,
        feedDate: f.submittedAt,
        modifiedDtm: status === 'RECEIVED' ? f.submittedAt : status === 'INPROGRESS' ? f.inProgressAt : f.doneAt,
        fileName: f.fileName,
      };
    });
    return { status: 200, body: { totalResults: all.length, offset, limit, results: { feed } } };
  }
}
