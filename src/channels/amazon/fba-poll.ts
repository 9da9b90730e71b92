// FBA stock in: FBA Inventory `getInventorySummaries` per FBA marketplace, each summary a
// `managed_stock_reported` event — the whole picture of one seller SKU in Amazon's warehouses,
// booked by the ledger side against the `channel_managed` location the marketplace maps to.
//
// Buckets (fbaInventory.json `InventoryDetails`):
//   available     = fulfillableQuantity
//   reserved      = reservedQuantity.totalReservedQuantity (customer orders, transshipment, FC processing)
//   inbound       = inboundWorkingQuantity + inboundShippedQuantity + inboundReceivingQuantity
//   unfulfillable = unfulfillableQuantity.totalUnfulfillableQuantity
//   researching   = researchingQuantity.totalResearchingQuantity
//
// A read is complete or not at all: Amazon's `nextToken` expires 30 s after it is issued, so a
// read fetches every page back to back (2 calls/s, burst 2) and only then hands its summaries to
// the scheduler, whose applying may take longer than that. A refused token (400) starts the read
// again. After the first full read, reads ask `startDateTime` for the summaries changed since the
// last read began (less an overlap); Amazon does not count changes of the inbound quantities as
// changes, so a full read runs every `FBA_FULL_READ_MS` to bring them up to date.

import type { ChannelEvent, ManagedStockFacts } from '../../domain/channel-event.ts';
import type { BudgetReport, Failure } from '../../sync/connector.ts';
import { count, isObject, isoSeconds, listingKey, str, time } from './order-facts.ts';
import type { SpAnswer, SpGet } from './sp-get.ts';

export const GET_INVENTORY_SUMMARIES = 'getInventorySummaries';
export const INVENTORY_SUMMARIES_PATH = '/fba/inventory/v1/summaries';
/** How often FBA stock is read when `settings.fba_poll_seconds` does not say. */
export const FBA_POLL_SECONDS_DEFAULT = 900;
export const FBA_POLL_SECONDS_MIN = 60;
/** A full read (inbound quantities are not reported as changes) at least this often. */
export const FBA_FULL_READ_MS = 6 * 3_600_000;
/** A changed-only read starts this long before the last read began: clocks apart, and Amazon's own lag. */
export const FBA_OVERLAP_MS = 300_000;
/** Reads started again in one poll after Amazon refused a token (expired). */
const FBA_RESTARTS_MAX = 2;
/** Pages of one read: at Amazon's 50 summaries a page, 500,000 SKUs. */
const FBA_PAGES_MAX = 10_000;
/** Events handed to the scheduler at once (each page is applied as one batch). */
export const FBA_EVENTS_PER_PAGE = 500;

/** Where the FBA read of one marketplace stands. */
export interface FbaCursor {
  /** When the last complete read began (our clock, ms). */
  readAt: number;
  /** When the last complete full read began. */
  fullAt: number;
}

export interface FbaPollDeps {
  get: SpGet;
  spend(cost: number, budget: string): Promise<boolean>;
  observe(report: BudgetReport): void;
  now(): number;
}

export type FbaRead =
  | { ok: true; events: ChannelEvent[]; cursor: FbaCursor }
  | { ok: false; failure: Failure; retryAfterMs: number | null; message: string };

/** Is a read of this marketplace due? */
export function fbaDue(cursor: FbaCursor | undefined, now: number, intervalMs: number): boolean {
  return cursor === undefined || now - cursor.readAt >= intervalMs;
}

/** One complete read of a marketplace's FBA summaries: full when due, else changed since the last read. */
export async function readFba(deps: FbaPollDeps, marketplaceId: string, cursor: FbaCursor | undefined): Promise<FbaRead> {
  let restarts = 0;
  for (;;) {
    const readAt = deps.now();
    const full = cursor === undefined || readAt - cursor.fullAt >= FBA_FULL_READ_MS;
    const startDateTime = full ? undefined : isoSeconds(cursor!.readAt - FBA_OVERLAP_MS);
    const events: ChannelEvent[] = [];
    let nextToken: string | undefined;
    let restart = false;
    for (let page = 0; page < FBA_PAGES_MAX; page++) {
      if (!(await deps.spend(1, GET_INVENTORY_SUMMARIES))) {
        return { ok: false, failure: 'permanent', retryAfterMs: null, message: `one ${GET_INVENTORY_SUMMARIES} call costs more than its whole budget` };
      }
      const answer = await deps.get(GET_INVENTORY_SUMMARIES, INVENTORY_SUMMARIES_PATH, summariesQuery(marketplaceId, startDateTime, nextToken));
      if (answer.budget) deps.observe({ ...answer.budget, budget: GET_INVENTORY_SUMMARIES });
      if (!answer.ok) {
        if (nextToken !== undefined && answer.status === 400 && restarts < FBA_RESTARTS_MAX) {
          restart = true;
          break;
        }
        return failed(answer);
      }
      const read = readSummaries(answer.body, marketplaceId, readAt);
      if (typeof read === 'string') return { ok: false, failure: 'transient', retryAfterMs: null, message: `${GET_INVENTORY_SUMMARIES} answered what truestock cannot read: ${read}` };
      events.push(...read.events);
      if (!read.nextToken) return { ok: true, events, cursor: { readAt, fullAt: full ? readAt : cursor!.fullAt } };
      nextToken = read.nextToken;
    }
    if (!restart) return { ok: false, failure: 'permanent', retryAfterMs: null, message: `${GET_INVENTORY_SUMMARIES} had more than ${FBA_PAGES_MAX} pages` };
    restarts++;
  }
}

export function summariesQuery(marketplaceId: string, startDateTime: string | undefined, nextToken: string | undefined) {
  return {
    details: true,
    granularityType: 'Marketplace',
    granularityId: marketplaceId,
    marketplaceIds: [marketplaceId],
    ...(startDateTime !== undefined ? { startDateTime } : {}),
    ...(nextToken !== undefined ? { nextToken } : {}),
  };
}

function failed(answer: Extract<SpAnswer, { ok: false }>): FbaRead {
  return { ok: false, failure: answer.failure, retryAfterMs: answer.retryAfterMs, message: `${GET_INVENTORY_SUMMARIES}: ${answer.message}` };
}

/**
 * A `GetInventorySummariesResponse` as events. A summary without a seller SKU or its details
 * (asked with `details=true`) cannot be booked and is left out.
 */
export function readSummaries(body: unknown, marketplaceId: string, readAt: number): { events: ChannelEvent[]; nextToken: string | null } | string {
  if (!isObject(body) || !isObject(body.payload) || !Array.isArray(body.payload.inventorySummaries)) return 'the answer has no payload.inventorySummaries';
  const events: ChannelEvent[] = [];
  for (const s of body.payload.inventorySummaries) {
    const stock = stockFacts(s, marketplaceId);
    if (stock) events.push(stockEvent(stock, isObject(s) ? time(s.lastUpdatedTime) : null, readAt));
  }
  const pagination = isObject(body.pagination) ? body.pagination : {};
  return { events, nextToken: str(pagination.nextToken) };
}

/**
 * A summary's event. Its id names the picture (seller SKU, Amazon's `lastUpdatedTime`, every
 * bucket) and its time is Amazon's, so the same picture read again — every changed-only read
 * overlaps the last, every full read repeats what did not change — is the same event, applied
 * once: nothing booked again, and a SKU the workspace does not list raises its exception once, not
 * at every read. (The ledger refuses one id with two payloads, so the time must come with the id.)
 * The price: a picture that goes back to an earlier one without Amazon moving `lastUpdatedTime`
 * is taken for the earlier report and not booked again, until the next change. Without
 * `lastUpdatedTime` the id and time are the read's.
 */
export function stockEvent(stock: ManagedStockFacts, lastUpdatedTime: number | null, readAt: number): ChannelEvent {
  const picture = [stock.available, stock.reserved, stock.inbound, stock.unfulfillable, stock.researching].join('.');
  const when = lastUpdatedTime ?? readAt;
  const eventId = `fba:${stock.locationId}:${stock.sku}:${lastUpdatedTime === null ? `read${readAt}` : lastUpdatedTime}:${picture}`;
  return { kind: 'managed_stock_reported', occurredAt: when, eventId, stock };
}

/** One `InventorySummary` in the documented buckets (header), or null. */
export function stockFacts(s: unknown, marketplaceId: string): ManagedStockFacts | null {
  if (!isObject(s) || !isObject(s.inventoryDetails)) return null;
  const sku = str(s.sellerSku);
  if (sku === null) return null;
  const d = s.inventoryDetails;
  const sub = (o: unknown, name: string) => (isObject(o) ? (count(o[name]) ?? 0) : 0);
  return {
    keys: [listingKey(sku, marketplaceId)],
    sku,
    locationId: marketplaceId,
    available: count(d.fulfillableQuantity) ?? 0,
    reserved: sub(d.reservedQuantity, 'totalReservedQuantity'),
    inbound: (count(d.inboundWorkingQuantity) ?? 0) + (count(d.inboundShippedQuantity) ?? 0) + (count(d.inboundReceivingQuantity) ?? 0),
    unfulfillable: sub(d.unfulfillableQuantity, 'totalUnfulfillableQuantity'),
    researching: sub(d.researchingQuantity, 'totalResearchingQuantity'),
  };
}
