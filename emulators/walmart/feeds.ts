// Bulk inventory feeds: a file taken now, RECEIVED for a while, INPROGRESS for a while, then
// PROCESSED (items applied, each with its own outcome) or ERROR (a file that is no inventory
// feed). Times come from the injected clock; `catchUp` applies every feed that came due, in due
// order, before anything else looks at or changes the stock — so a quantity a feed carries lands
// at its processing time, overwriting whatever orders did meanwhile, as on the real channel.
// Submissions are limited to 10 an hour (a sliding window over both inventory feed types).

import { WalmartError } from './errors.ts';
import { type FeedFailure, type Inventory, QUANTITY_MAX } from './inventory.ts';

export const FEED_TYPES = ['inventory', 'MP_INVENTORY'] as const;
export type FeedType = (typeof FEED_TYPES)[number];
export type FeedStatus = 'RECEIVED' | 'INPROGRESS' | 'PROCESSED' | 'ERROR';
export type ItemStatus = 'INPROGRESS' | 'SUCCESS' | 'DATA_ERROR' | 'SYSTEM_ERROR' | 'TIMEOUT_ERROR';

export const HOUR_MS = 3_600_000;

export interface FeedDelays {
  /** How long a feed stays RECEIVED. */
  receivedMs: number;
  /** Then how long INPROGRESS before PROCESSED | ERROR. */
  processingMs: number;
}

export interface IngestionError {
  type: 'DATA_ERROR' | 'SYSTEM_ERROR' | 'TIMEOUT_ERROR';
  code: string;
  description: string;
}

export interface FeedItem {
  index: number;
  sku: string;
  /** What the file asks for, per node; `problem` when the entry itself is malformed. */
  nodes: { shipNode: string; amount: number }[];
  problem: string | null;
  status: ItemStatus;
  errors: IngestionError[];
}

export interface Feed {
  feedId: string;
  feedType: FeedType;
  submittedAt: number;
  inProgressAt: number;
  doneAt: number;
  /** Null: the file is no inventory feed of its type (the feed ends ERROR). */
  items: FeedItem[] | null;
  fileError: string | null;
  fileName: string;
  done: boolean;
}

export interface FeedCounters {
  feedsSubmitted: number;
  feedsProcessed: number;
  feedsErrored: number;
  feedsRefusedHourly: number;
  feedsRefusedTooLarge: number;
  feedItemsSucceeded: number;
  feedItemsFailed: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function amountOf(q: unknown): number | null {
  if (!isObject(q) || q.unit !== 'EACH') return null;
  const a = q.amount;
  return typeof a === 'number' && Number.isSafeInteger(a) && a >= 0 && a <= QUANTITY_MAX ? a : null;
}

/**
 * Reads a feed file: spec 1.4 (`inventory`: {InventoryHeader:{version}, Inventory:[{sku,
 * quantity}]}, one node: the query's shipNode or the default) or spec 1.5 (`MP_INVENTORY`:
 * {inventoryHeader:{version}, inventory:[{sku, shipNodes:[{shipNode, quantity}]}]}). JSON only.
 */
export function parseFeedFile(feedType: FeedType, text: string, shipNode: string): { items: FeedItem[] } | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { error: 'The file is not JSON (the emulator reads JSON inventory feeds only).' };
  }
  if (!isObject(doc)) return { error: 'The file is not a JSON object.' };
  const [headerKey, listKey, version] = feedType === 'inventory' ? ['InventoryHeader', 'Inventory', '1.4'] : ['inventoryHeader', 'inventory', '1.5'];
  const header = doc[headerKey];
  if (!isObject(header) || header.version !== version) return { error: `${headerKey}.version must be "${version}" for feedType ${feedType}.` };
  const list = doc[listKey];
  if (!Array.isArray(list) || list.length === 0) return { error: `${listKey} must be a non-empty array.` };
  const items = list.map((raw, index): FeedItem => {
    const e = isObject(raw) ? raw : {};
    const sku = typeof e.sku === 'string' ? e.sku : '';
    const item: FeedItem = { index, sku, nodes: [], problem: null, status: 'INPROGRESS', errors: [] };
    if (sku === '') item.problem = 'sku is missing.';
    else if (feedType === 'inventory') {
      const amount = amountOf(e.quantity);
      if (amount === null) item.problem = 'quantity must be {unit:"EACH", amount: a whole number ≥ 0}.';
      else item.nodes.push({ shipNode, amount });
    } else if (!Array.isArray(e.shipNodes) || e.shipNodes.length === 0) item.problem = 'shipNodes must be a non-empty array.';
    else {
      for (const n of e.shipNodes) {
        const amount = isObject(n) ? amountOf(n.quantity) : null;
        if (!isObject(n) || typeof n.shipNode !== 'string' || amount === null) {
          item.problem = 'each shipNodes entry must be {shipNode, quantity:{unit:"EACH", amount}}.';
          break;
        }
        item.nodes.push({ shipNode: n.shipNode, amount });
      }
    }
    return item;
  });
  return { items };
}

export class Feeds {
  readonly feeds = new Map<string, Feed>();
  readonly counters: FeedCounters = { feedsSubmitted: 0, feedsProcessed: 0, feedsErrored: 0, feedsRefusedHourly: 0, feedsRefusedTooLarge: 0, feedItemsSucceeded: 0, feedItemsFailed: 0 };
  /** Submission times inside the last hour (the 10-an-hour window). */
  private window: number[] = [];

  constructor(
    private readonly inventory: Inventory,
    private readonly now: () => number,
    private readonly newId: () => string,
    private readonly delays: () => FeedDelays,
    private readonly perHour: () => number,
  ) {}

  /** Seconds until another feed may be submitted, or 0 when one may be now. */
  hourlyRetryAfterSeconds(): number {
    const t = this.now();
    this.window = this.window.filter((at) => at > t - HOUR_MS);
    if (this.window.length < this.perHour()) return 0;
    const frees = this.window[this.window.length - this.perHour()]! + HOUR_MS;
    return Math.max(1, Math.ceil((frees - t) / 1000));
  }

  /** Takes a file (its size checked by the caller). Refuses with 429 past the hourly limit. */
  submit(feedType: FeedType, text: string, shipNode: string, fileName: string): Feed {
    const wait = this.hourlyRetryAfterSeconds();
    if (wait > 0) {
      this.counters.feedsRefusedHourly++;
      throw new WalmartError('REQUEST_THRESHOLD_VIOLATED', `At most ${this.perHour()} inventory feeds an hour; the next one may come in ${wait} s.`, undefined, wait);
    }
    const t = this.now();
    this.window.push(t);
    const d = this.delays();
    const parsed = parseFeedFile(feedType, text, shipNode);
    const feed: Feed = {
      feedId: this.newId(),
      feedType,
      submittedAt: t,
      inProgressAt: t + d.receivedMs,
      doneAt: t + d.receivedMs + d.processingMs,
      items: 'items' in parsed ? parsed.items : null,
      fileError: 'error' in parsed ? parsed.error : null,
      fileName,
      done: false,
    };
    this.feeds.set(feed.feedId, feed);
    this.counters.feedsSubmitted++;
    return feed;
  }

  status(f: Feed): FeedStatus {
    const t = this.now();
    if (t < f.inProgressAt) return 'RECEIVED';
    if (t < f.doneAt) return 'INPROGRESS';
    return f.items === null ? 'ERROR' : 'PROCESSED';
  }

  /** Applies every feed due by now, oldest due first. */
  catchUp(): void {
    const t = this.now();
    const due = [...this.feeds.values()].filter((f) => !f.done && f.doneAt <= t).sort((a, b) => a.doneAt - b.doneAt || a.submittedAt - b.submittedAt);
    for (const f of due) this.apply(f);
  }

  private apply(f: Feed): void {
    f.done = true;
    if (f.items === null) {
      this.counters.feedsErrored++;
      return;
    }
    this.counters.feedsProcessed++;
    for (const item of f.items) {
      const outcome = this.outcome(item);
      item.status = outcome === null ? 'SUCCESS' : outcome.type;
      item.errors = outcome === null ? [] : [outcome];
      if (outcome === null) {
        const s = this.inventory.skus.get(item.sku)!;
        for (const n of item.nodes) s.nodes.get(n.shipNode)!.amount = n.amount;
        this.counters.feedItemsSucceeded++;
      } else this.counters.feedItemsFailed++;
    }
  }

  /** Why an item fails, in a fixed order (malformed, unknown SKU, unknown node, the switch), or null. */
  private outcome(item: FeedItem): IngestionError | null {
    if (item.problem !== null) return { type: 'DATA_ERROR', code: 'INVALID_INVENTORY_ENTRY', description: item.problem };
    const s = this.inventory.skus.get(item.sku);
    if (!s) return { type: 'DATA_ERROR', code: 'SKU_NOT_FOUND', description: `No item with sku ${item.sku} is in the seller's catalog.` };
    const badNode = item.nodes.find((n) => !s.nodes.has(n.shipNode));
    if (badNode) return { type: 'DATA_ERROR', code: 'INVALID_SHIP_NODE', description: `shipNode ${badNode.shipNode} is not one of the seller's ship nodes.` };
    const failure: FeedFailure | null = s.feedFailure;
    return failure === null ? null : { ...failure };
  }
}
