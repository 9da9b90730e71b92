// The Amazon poll: orders (orders-poll.ts) every poll, and each FBA marketplace's stock
// (fba-poll.ts) on its own, slower schedule, in one PollSpec with one cursor string holding both.
// Orders come first: they are what other channels' buffers wait for. A throttled or failed order
// read does not keep FBA stock from being read in the same poll; its failure is reported after.

import type { ChannelEvent } from '../../domain/channel-event.ts';
import type { Refusal } from '../../domain/errors.ts';
import type { PollEnv, PollPage, PollSpec, Settings } from '../kind.ts';
import { FBA_EVENTS_PER_PAGE, FBA_POLL_SECONDS_DEFAULT, FBA_POLL_SECONDS_MIN, type FbaCursor, fbaDue, readFba } from './fba-poll.ts';
import { amazonOrderPages, type OrdersCursor } from './orders-poll.ts';
import type { SpGet } from './sp-get.ts';

/**
 * How often orders are polled when `settings.poll_seconds` does not say: `searchOrders` refills
 * one call every 180 s (0.0056 r/s), so a poll of one page at this pace never empties its burst.
 */
export const AMAZON_POLL_SECONDS_DEFAULT = 180;

/** The whole cursor: the order window, and each FBA marketplace's last reads. */
export interface AmazonCursor {
  orders: OrdersCursor;
  fba: Record<string, FbaCursor>;
}

/** The kind's cursor text (JSON); anything else (an old or hand-set cursor) starts again at `since`. */
export function parseCursor(text: string | null, since: number): AmazonCursor {
  const fresh: AmazonCursor = { orders: { after: since }, fba: {} };
  if (text === null) return fresh;
  try {
    const c = JSON.parse(text) as Partial<AmazonCursor>;
    const o = c.orders;
    if (!o || typeof o.after !== 'number' || !Number.isFinite(o.after)) return fresh;
    const orders: OrdersCursor = { after: o.after };
    if (typeof o.token === 'string' && typeof o.readAt === 'number') {
      orders.token = o.token;
      orders.readAt = o.readAt;
      if (Array.isArray(o.recent)) orders.recent = o.recent.filter((t): t is number => typeof t === 'number' && Number.isFinite(t));
    }
    const fba: Record<string, FbaCursor> = {};
    for (const [m, f] of Object.entries(c.fba ?? {})) {
      if (f && typeof f.readAt === 'number' && typeof f.fullAt === 'number') fba[m] = { readAt: f.readAt, fullAt: f.fullAt };
    }
    return { orders, fba };
  } catch {
    return fresh;
  }
}

export const formatCursor = (c: AmazonCursor): string => JSON.stringify(c);

/** What the poll reads from a channel's settings (settings.ts checks them). */
export interface AmazonPollSettings {
  /** Marketplaces whose orders are searched (none: every marketplace of the seller). */
  marketplaceIds: string[];
  /** Marketplaces whose FBA stock is read. */
  fbaMarketplaceIds: string[];
  fbaIntervalMs: number;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s !== '') : []);

export function pollSettings(settings: Settings): AmazonPollSettings {
  const fbaMarketplaceIds = [...new Set(strings(settings.fba_marketplace_ids))];
  const mapped = typeof settings.locations === 'object' && settings.locations !== null && !Array.isArray(settings.locations) ? Object.keys(settings.locations) : [];
  const s = settings.fba_poll_seconds;
  const seconds = typeof s === 'number' && Number.isFinite(s) && s >= FBA_POLL_SECONDS_MIN ? s : FBA_POLL_SECONDS_DEFAULT;
  return { marketplaceIds: [...new Set([...mapped, ...fbaMarketplaceIds])], fbaMarketplaceIds, fbaIntervalMs: seconds * 1000 };
}

/** The client a poll calls SP-API through, or what the channel's settings lack. */
export type PollClient = (settings: Settings, env: PollEnv) => SpGet | Refusal;

/** Pages of one poll from the stored cursor. */
export async function* amazonPollPages(env: PollEnv, get: SpGet): AsyncGenerator<PollPage> {
  const s = pollSettings(env.settings);
  const deps = { get, spend: (cost: number, budget: string) => env.spend(cost, budget), observe: env.observe, now: () => env.clock.now() };
  const cursor = parseCursor(env.cursor, env.since);
  const page = (events: ChannelEvent[]): PollPage => ({ ok: true, events, cursor: formatCursor(cursor) });

  let ordersFailed: Extract<PollPage, { ok: false }> | null = null;
  for await (const p of amazonOrderPages({ ...deps, marketplaceIds: s.marketplaceIds }, cursor.orders)) {
    if (!p.ok) {
      ordersFailed = p;
      break;
    }
    cursor.orders = p.cursor;
    yield page(p.events);
  }
  // Refused credentials will be refused for FBA too: stop at once, the channel is paused.
  if (ordersFailed?.failure === 'auth') {
    yield ordersFailed;
    return;
  }
  for (const marketplaceId of s.fbaMarketplaceIds) {
    if (!fbaDue(cursor.fba[marketplaceId], env.clock.now(), s.fbaIntervalMs)) continue;
    const read = await readFba(deps, marketplaceId, cursor.fba[marketplaceId]);
    if (!read.ok) {
      yield read;
      return;
    }
    // The read's cursor moves with its last chunk: a poll stopped between chunks reads it again.
    for (let i = 0; i < read.events.length || i === 0; i += FBA_EVENTS_PER_PAGE) {
      const last = i + FBA_EVENTS_PER_PAGE >= read.events.length;
      if (last) cursor.fba[marketplaceId] = read.cursor;
      yield page(read.events.slice(i, i + FBA_EVENTS_PER_PAGE));
    }
  }
  if (ordersFailed) yield ordersFailed;
}

/** The kind's PollSpec, over the client `client` makes for a channel. */
export function amazonPoll(client: PollClient): PollSpec {
  return {
    defaultIntervalSeconds: AMAZON_POLL_SECONDS_DEFAULT,
    async *pages(env) {
      const get = client(env.settings, env);
      if (typeof get !== 'function') {
        yield { ok: false, failure: 'permanent', retryAfterMs: null, message: get.detail };
        return;
      }
      yield* amazonPollPages(env, get);
    },
  };
}
