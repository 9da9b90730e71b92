// Pushing quantities to Walmart and reading them back (channels.md §3 "Inventory").
//
// - Few changes: one `PUT /v3/inventory?sku=[&shipNode=]` per listing, which Walmart applies at
//   once: acknowledged on its 200. Several ship nodes of one SKU in a batch (listings naming their
//   `ship_node`) go as one `PUT /v3/inventories/{sku}` with a node each, answered per node: a node
//   Walmart fails is that listing's outcome alone. A push sends at most one burst of the
//   `inventory` budget in calls; the rest of a batch is handed back (`not_applied`) for the next.
// - Many changes (at least `feed_min_items`, default what single updates send in
//   WALMART_FEED_AFTER_SINGLES_MS at the inventory budget's rate): one bulk
//   inventory feed when the hourly feed window has room (feeds.ts), answered `submitted`; the
//   dispatcher follows it with `checkSubmission` until Walmart has processed it. Without room, the
//   batch goes by single updates. A feed sets one ship node (the channel's `ship_node`): listings at
//   other nodes never go by feed (a multi-node feed is not built).
// - A 400 or 404 about one SKU (unknown item, bad quantity) rejects that item alone; a throttled,
//   failing or refused call fails the whole call only when nothing of it went through.
// - Walmart has no compare-and-set and no idempotency key: a retry of a push intent (listing and
//   version) this connector already settled or submitted answers as before instead of setting the
//   number again over a change Walmart made meanwhile.
// - A feed applies tens of minutes after it was sent, so it can land after a newer single update of
//   one of its SKUs and put the older number back. The connector remembers, per feed still
//   followed, the numbers single updates set since for its SKUs, and sets them again once the feed
//   is settled (within the submission poll of Walmart processing it). Only this process
//   remembers: after a restart the reconciler's read-back finds such a number.
// - Read-back: `GET /v3/inventory?sku=[&shipNode=]` per listing; a SKU read back at several nodes
//   at once, one `GET /v3/inventories/{sku}` (every node's `inputQty`); an unknown SKU or a node
//   Walmart does not report reads as null.

import type { Clock } from '../../app/clock.ts';
import type { CallFailure, Connector, ItemOutcome, PushItem, PushResult, ReadBackResult, SubmissionResult } from '../../sync/connector.ts';
import type { WalmartApi, WalmartError, WalmartFailure } from './client.ts';
import { buildFeedFile, checkFeed, type FeedProgress, feedWindowFor, submitFeed, WALMART_FEED_ITEMS_MAX } from './feeds.ts';
import { errorsOf, segment } from './client.ts';
import { walmartBaseUrl, walmartListingLocation, walmartNodeOf, type WalmartSettings } from './settings.ts';

/**
 * A batch that single updates would take longer than this to send goes as a feed. A feed applies
 * in about 30 minutes whatever its size, single updates at once, so smaller batches show sooner by
 * single updates (a burst of orders touches a few hundred listings at most); a catalog-wide change
 * (a stock import) goes as feeds and leaves the inventory budget to the numbers that keep moving.
 * At the default budget (5 a second) this is 600 listings.
 */
export const WALMART_FEED_AFTER_SINGLES_MS = 120_000;
/** Feeds take tens of minutes: looking every minute costs little and settles within a minute of Walmart. */
export const WALMART_SUBMISSION_POLL_MS = 60_000;
/** After a feed Walmart failed as a whole (ERROR), no feed for this long: single updates meanwhile. */
export const WALMART_FEED_ERROR_COOLDOWN_MS = 15 * 60_000;
/** Push intents remembered for retries (oldest forgotten first). */
export const WALMART_INTENTS_MAX = 50_000;

const FEED_PREFIX = 'feed:';

/** Errors about the request's headers or credentials rather than the item (`INVALID_REQUEST_HEADER`, a `WM_*` field). */
export function aboutHeaders(errors: readonly WalmartError[]): boolean {
  return errors.some((e) => /HEADER/i.test(e.code) || /^(WM_|Authorization|Accept|Content-Type)/i.test(e.field ?? ''));
}

/** `Inventory` (inventory.json): what PUT and GET /v3/inventory answer. */
interface InventoryBody {
  sku?: string;
  quantity?: { unit?: string; amount?: number };
}

/** `MultiNodeInventoryUpdateResponseDTO` (inventory.json): what PUT and GET /v3/inventories/{sku} answer, per node. */
interface NodesBody {
  sku?: string;
  nodes?: { shipNode?: string; status?: string; errors?: unknown[]; inputQty?: { unit?: string; amount?: number } }[];
}

/** A node's error that says Walmart could not do it now (not that the number or the node is wrong): pushed again. */
const PASSING_NODE_ERROR = /SYSTEM|TIMEOUT|INTERNAL|UNAVAILABLE|RETRY/i;

/** One call of a push: a listing by `PUT /v3/inventory`, or several nodes of one SKU by `PUT /v3/inventories/{sku}`. */
type PutCall = { sku: string; entries: { i: PushItem; k: number; node: string | undefined }[] };

export function walmartConnector(api: WalmartApi, settings: WalmartSettings, clock: Clock): Connector {
  const specs = api.specs;
  const singlesPerPush = Math.max(1, Math.floor(specs.inventory.capacity));
  const feedMinItems = settings.feed_min_items ?? Math.max(1, Math.ceil((specs.inventory.refillPerSecond * WALMART_FEED_AFTER_SINGLES_MS) / 1000));
  const feeds = feedWindowFor(clock, walmartBaseUrl(settings), settings.client_id);
  const shipNode = settings.ship_node;
  /** listing:version → how that intent was settled or submitted. */
  const intents = new Map<string, ItemOutcome>();
  /** feedId → the detail pages read so far. */
  const progress = new Map<string, FeedProgress>();
  /** SKU (at the channel's node: the only one feeds set) → the newest feed still followed that carries it. */
  const feedOfSku = new Map<string, string>();
  /** feedId → SKU → the number a single update set at the channel's node after that feed was sent (set again once it applied). */
  const setSince = new Map<string, Map<string, number>>();

  const intentOf = (i: PushItem) => `${i.listingId}:${i.version}`;
  const remember = (i: PushItem, o: ItemOutcome) => {
    if (o.status !== 'acknowledged' && o.status !== 'submitted') return;
    intents.delete(intentOf(i));
    intents.set(intentOf(i), o);
    while (intents.size > WALMART_INTENTS_MAX) intents.delete(intents.keys().next().value!);
  };
  const nodeOf = (i: PushItem) => walmartNodeOf(i.external, settings);
  const query = (sku: string, node: string | undefined) => ({ sku, ...(node ? { shipNode: node } : {}) });
  /** A single update at the channel's node after a feed of that SKU: set again once the feed applied. */
  const noteSet = (sku: string, node: string | undefined, quantity: number) => {
    if (node !== shipNode) return;
    const feed = feedOfSku.get(sku);
    if (feed !== undefined) setSince.get(feed)?.set(sku, quantity);
  };
  const refusedItem = (a: WalmartFailure) => a.status === 404 || (a.status === 400 && !aboutHeaders(a.errors));

  async function putOne(i: PushItem, node: string | undefined): Promise<ItemOutcome | CallFailure> {
    const sku = i.external.sku!;
    const a = await api.call<InventoryBody>('inventory', { method: 'PUT', path: '/v3/inventory', query: query(sku, node), body: { sku, quantity: { unit: 'EACH', amount: i.quantity } } });
    if (a.ok) {
      noteSet(sku, node, i.quantity);
      return { status: 'acknowledged' };
    }
    // A refusal of this SKU (unknown, not published, a bad number): this item will fail again as it
    // is. A 400 about the request's headers (INVALID_REQUEST_HEADER) is the call's, not the item's.
    if (refusedItem(a)) return { status: 'rejected', reason: `Walmart refused ${sku}${node ? ` at ship node ${node}` : ''}: ${a.message}` };
    return a;
  }

  /** Several nodes of one SKU in one call, answered per node. */
  async function putNodes(call: PutCall): Promise<ItemOutcome[] | CallFailure> {
    const { sku, entries } = call;
    const nodes = entries.map(({ i, node }) => ({ shipNode: node!, inputQty: { unit: 'EACH', amount: i.quantity } }));
    const a = await api.call<NodesBody>('inventory', { method: 'PUT', path: `/v3/inventories/${segment(sku)}`, body: { inventories: { nodes } } });
    if (!a.ok) {
      if (refusedItem(a)) return entries.map(() => ({ status: 'rejected', reason: `Walmart refused ${sku}: ${a.message}` }));
      return a;
    }
    const answered = new Map((Array.isArray(a.data?.nodes) ? a.data.nodes : []).filter((n) => typeof n?.shipNode === 'string').map((n) => [n.shipNode!, n]));
    return entries.map(({ i, node }): ItemOutcome => {
      const n = answered.get(node!);
      // A node the answer leaves out was not set as far as we know: pushed again.
      if (!n) return { status: 'not_applied' };
      if (typeof n.status === 'string' && n.status.toLowerCase() === 'success') {
        noteSet(sku, node, i.quantity);
        return { status: 'acknowledged' };
      }
      const errors = errorsOf({ errors: n.errors ?? [] });
      if (errors.some((e) => PASSING_NODE_ERROR.test(e.code))) return { status: 'not_applied' };
      const why = errors.map((e) => `${e.code}: ${e.description ?? ''}`).join('; ') || `status ${String(n.status)}`;
      return { status: 'rejected', reason: `Walmart refused ${sku} at ship node ${node}: ${why}` };
    });
  }

  /** Feed `feedId` is settled: set again what single updates set since for its SKUs (see the header). */
  async function reassert(feedId: string): Promise<void> {
    const since = setSince.get(feedId);
    setSince.delete(feedId);
    for (const [sku, f] of feedOfSku) if (f === feedId) feedOfSku.delete(sku);
    for (const [sku, quantity] of since ?? []) {
      // Best effort: a failure here is found by the reconciler's read-back.
      await api.call<InventoryBody>('inventory', { method: 'PUT', path: '/v3/inventory', query: query(sku, shipNode), body: { sku, quantity: { unit: 'EACH', amount: quantity } } });
    }
  }

  /** Calls for these items: one per listing, except several named nodes of one SKU share one. */
  function callsOf(todo: { i: PushItem; k: number }[]): PutCall[] {
    const calls: PutCall[] = [];
    const multi = new Map<string, PutCall>();
    for (const { i, k } of todo) {
      const sku = i.external.sku!;
      const node = nodeOf(i);
      // The seller's default node has no id to name in a node list: that listing goes alone.
      if (node === undefined) {
        calls.push({ sku, entries: [{ i, k, node }] });
        continue;
      }
      const c = multi.get(sku);
      if (c) c.entries.push({ i, k, node });
      else {
        const fresh: PutCall = { sku, entries: [{ i, k, node }] };
        multi.set(sku, fresh);
        calls.push(fresh);
      }
    }
    return calls;
  }

  async function readNodes(sku: string): Promise<Map<string, number | null> | ReadBackResult> {
    const a = await api.call<NodesBody>('inventoryRead', { method: 'GET', path: `/v3/inventories/${segment(sku)}` });
    const out = new Map<string, number | null>();
    if (a.ok) {
      for (const n of Array.isArray(a.data?.nodes) ? a.data.nodes : []) {
        const amount = n?.inputQty?.amount;
        if (typeof n?.shipNode === 'string') out.set(n.shipNode, typeof amount === 'number' && Number.isFinite(amount) ? amount : null);
      }
      return out;
    }
    if (a.status === 404 || a.status === 400) return out;
    return { ok: false, message: a.message, failure: a.failure, retryAfterMs: a.retryAfterMs };
  }

  return {
    get maxBatch() {
      return feeds.ready() ? WALMART_FEED_ITEMS_MAX : singlesPerPush;
    },
    bucket: specs.inventory,
    budgets: { specs, push: 'inventory', read: 'inventoryRead', submission: 'feedStatus' },
    // The dispatcher charges one call before it knows the batch: one burst of single updates.
    pushCost: (n) => Math.min(n, singlesPerPush),
    readCost: (n) => n,
    submissionCost: () => 1,
    submissionPollMs: settings.submission_poll_seconds !== undefined ? settings.submission_poll_seconds * 1000 : WALMART_SUBMISSION_POLL_MS,

    async push(items: PushItem[]): Promise<PushResult> {
      const outcomes: (ItemOutcome | null)[] = items.map((i) => {
        if (!i.external.sku) return { status: 'rejected', reason: 'a Walmart listing needs a sku to be pushed' };
        // A node of its own whose stock no location is: its number would be the whole network's
        // at that node, and at every other node besides.
        const own = i.external.ship_node;
        if (own !== undefined && own !== shipNode && walmartListingLocation(i.external, settings as unknown as Record<string, unknown>) === null) {
          return { status: 'rejected', reason: `the listing names ship node ${own}, which settings.locations does not map to a truestock location` };
        }
        // A retry of an intent already settled or submitted: the same answer, not a second update.
        return intents.get(intentOf(i)) ?? null;
      });
      // One item per SKU and node in a call (a feed names each SKU once, a node list each node
      // once); a second is pushed next time.
      const seen = new Set<string>();
      items.forEach((i, k) => {
        if (outcomes[k] !== null) return;
        const key = `${i.external.sku!}\u0000${nodeOf(i) ?? ''}`;
        if (seen.has(key)) outcomes[k] = { status: 'not_applied' };
        else seen.add(key);
      });
      let todo = items.map((i, k) => ({ i, k })).filter(({ k }) => outcomes[k] === null);

      // A feed sets the channel's node only: listings at other nodes go by updates.
      const feedable = todo.filter(({ i }) => nodeOf(i) === shipNode);
      if (feedable.length >= feedMinItems && feeds.ready()) {
        const batch = feedable.slice(0, WALMART_FEED_ITEMS_MAX);
        feeds.spend();
        const sent = await submitFeed(api, buildFeedFile(batch.map(({ i }) => ({ sku: i.external.sku!, quantity: i.quantity }))), shipNode);
        if (sent.ok) {
          const submitted: ItemOutcome = { status: 'submitted', submissionId: FEED_PREFIX + sent.feedId };
          setSince.set(sent.feedId, new Map());
          for (const { i, k } of batch) {
            // This feed carries the newer number: an older feed's re-set of this SKU is moot.
            const older = feedOfSku.get(i.external.sku!);
            if (older !== undefined) setSince.get(older)?.delete(i.external.sku!);
            feedOfSku.set(i.external.sku!, sent.feedId);
            outcomes[k] = submitted;
            remember(i, submitted);
          }
          todo = todo.filter(({ k }) => outcomes[k] === null);
        } else if (sent.failure === 'auth') {
          return { ok: false, failure: 'auth', retryAfterMs: null, message: sent.message };
        } else if (sent.failure === 'throttled') {
          // Walmart counts feeds we did not (another app of the seller): no feed until it says.
          feeds.pause(clock.now() + (sent.retryAfterMs ?? 60 * 60_000));
        }
        // Otherwise this call sends what it can by single updates.
      }

      const calls = callsOf(todo);
      const sending = calls.slice(0, singlesPerPush);
      for (const c of calls.slice(singlesPerPush)) for (const { k } of c.entries) outcomes[k] = { status: 'not_applied' };
      let failed: CallFailure | null = null;
      for (const c of sending) {
        if (failed) {
          for (const { k } of c.entries) outcomes[k] = { status: 'not_applied' };
          continue;
        }
        const answer = c.entries.length === 1 ? await putOne(c.entries[0]!.i, c.entries[0]!.node) : await putNodes(c);
        if ('ok' in answer) {
          failed = answer;
          for (const { k } of c.entries) outcomes[k] = { status: 'not_applied' };
          continue;
        }
        const got = Array.isArray(answer) ? answer : [answer];
        c.entries.forEach(({ i, k }, n) => {
          outcomes[k] = got[n]!;
          remember(i, got[n]!);
        });
      }
      // Nothing at all went through: the call failed as a whole (the dispatcher waits, backs off or pauses).
      if (failed && (failed.failure === 'auth' || outcomes.every((o) => o!.status === 'not_applied'))) return failed;
      return { ok: true, outcomes: outcomes as ItemOutcome[] };
    },

    async checkSubmission(submissionId: string, items: PushItem[]): Promise<SubmissionResult> {
      if (!submissionId.startsWith(FEED_PREFIX)) return { ok: true, state: 'done', outcomes: items.map(() => ({ status: 'not_applied' })) };
      const feedId = submissionId.slice(FEED_PREFIX.length);
      let p = progress.get(feedId);
      if (!p) progress.set(feedId, (p = { statuses: new Map(), offset: 0 }));
      const result = await checkFeed(api, feedId, items, p);
      if (result.ok && result.state === 'done') {
        progress.delete(feedId);
        await reassert(feedId);
        if (result.outcomes.length > 0 && result.outcomes.every((o) => o.status === 'not_applied')) feeds.pause(clock.now() + WALMART_FEED_ERROR_COOLDOWN_MS);
      }
      return result;
    },

    async readBack(items: PushItem[]): Promise<ReadBackResult> {
      // SKUs read at two or more named nodes: one call for every node of the SKU.
      const named = new Map<string, number>();
      for (const i of items) if (i.external.sku && i.external.ship_node) named.set(i.external.sku, (named.get(i.external.sku) ?? 0) + 1);
      const nodesRead = new Map<string, Map<string, number | null>>();
      const shown: (number | null)[] = [];
      for (const i of items) {
        const sku = i.external.sku;
        if (!sku) {
          shown.push(null);
          continue;
        }
        const node = nodeOf(i);
        if (i.external.ship_node && (named.get(sku) ?? 0) >= 2) {
          let read = nodesRead.get(sku);
          if (!read) {
            const r = await readNodes(sku);
            if (!(r instanceof Map)) return r;
            nodesRead.set(sku, (read = r));
          }
          shown.push(read.get(node!) ?? null);
          continue;
        }
        const a = await api.call<InventoryBody>('inventoryRead', { method: 'GET', path: '/v3/inventory', query: query(sku, node) });
        if (a.ok) {
          const amount = a.data?.quantity?.amount;
          shown.push(typeof amount === 'number' && Number.isFinite(amount) ? amount : null);
        } else if (a.status === 404 || a.status === 400) {
          shown.push(null);
        } else {
          return { ok: false, message: a.message, failure: a.failure, retryAfterMs: a.retryAfterMs };
        }
      }
      return { ok: true, shown };
    },
  };
}
