// Pushing merchant-fulfilled quantities to Amazon and reading them back (channels.md §2).
//
// Amazon applies every listing change later: `patchListingsItem` answers ACCEPTED (queued, not
// applied) and a feed is processed minutes after it was created. So a push answers `submitted`,
// and `checkSubmission` settles it when Amazon shows the number: a patch by reading the listing
// back (`searchListingsItems` by SKU, up to 20 listings a call, with fulfillmentAvailability), a
// feed by its processing report. An
// INVALID answer or an ERROR issue about the quantity refuses the item as it is.
//
// Budgets: Amazon limits each operation on its own, so the connector declares every operation's
// usage plan as a budget of the channel (`SP_API_USAGE_PLANS`, by operationId). A push call draws
// on `patchListingsItem`: at most one burst of patches per call (5 by default), one request each.
// A batch of at least `feed_min_items` listings (default: what the patch budget sends in a minute)
// goes as one JSON_LISTINGS_FEED instead, when the feed's own budgets (createFeedDocument,
// createFeed) have a token now; listings a call cannot send are handed back (`not_applied`) for
// the next call. No compare-and-set: Amazon has none; a patch sets the number.
//
// The product type a patch must name is the listing's own (`summaries[].productType`): the
// connector learns it from every listing it reads, and looks it up once (within the read budget)
// before a listing's first patch; `settings.product_type` fixes one for every listing (Amazon's
// generic PRODUCT, say), and PRODUCT is the fallback when the listing's summary names none. A feed
// carries only listings whose type is known; the others go by patches, which learn theirs.
//
// Amazon has no idempotency key either: a retry of a push intent (same listing and version) this
// connector already submitted answers with that submission instead of patching again, so a retry
// after a lost answer cannot set the number twice over a change Amazon made meanwhile.

import type { Clock } from '../../app/clock.ts';
import type { BudgetReport, CallFailure, Connector, ItemOutcome, PushItem, PushResult, ReadBackResult, SubmissionResult } from '../../sync/connector.ts';
import { buildFeed, checkFeed, feedBudgetReady, submitFeed } from './feeds.ts';
import { blockingIssue, describeIssue, type ListingIssue, merchantQuantity, quantityPatches } from './quantity-patch.ts';
import { AMAZON_PRODUCT_TYPE_DEFAULT, type AmazonSettings } from './settings.ts';
import { amazonBudgetSpecs, OperationBudgets, segment, type SpAnswer, type SpApi, type SpFailure } from './sp-api.ts';

/** Listings one push call hands to a feed at most (a claim of the dispatcher stays bounded). */
export const AMAZON_FEED_ITEMS_PER_PUSH_MAX = 2_000;
/** Without `feed_min_items`, a batch goes as a feed when patching it would take longer than this. */
export const AMAZON_FEED_WORTH_SECONDS = 60;
/**
 * A patch Amazon accepted but whose number a read-back does not show after this long is taken as
 * not applied (or overtaken by an order Amazon counted meanwhile) and pushed again.
 */
export const AMAZON_PATCH_APPLY_MS = 15 * 60_000;
/** After a feed ended FATAL (the file refused as a whole), batches go by patches for this long. */
export const AMAZON_FEED_FATAL_COOLDOWN_MS = 60 * 60_000;
/** SKUs one `searchListingsItems` call can name (its `identifiers` maxItems, and `pageSize` maximum). */
export const AMAZON_SKUS_PER_SEARCH_MAX = 20;
/** Patches one push call sends at most (one search call confirms them all). */
export const AMAZON_PATCHES_PER_PUSH_MAX = AMAZON_SKUS_PER_SEARCH_MAX;
/**
 * How often processing submissions are looked at: a patch call a second at the default budget
 * makes a submission a second, and the dispatcher looks at five per round.
 */
export const AMAZON_SUBMISSION_POLL_MS = 3_000;
/** Push intents remembered for retries (one entry per listing version submitted). */
export const AMAZON_INTENTS_REMEMBERED_MAX = 20_000;

const LISTINGS = '/listings/2021-08-01/items';

type SubmissionResponse = { sku: string; status: 'ACCEPTED' | 'INVALID' | 'VALID'; submissionId: string; issues?: ListingIssue[] };
type ItemSearchResults = { items?: ListingsItem[] };
type ListingsItem = { sku: string; summaries?: { marketplaceId?: string; productType?: string }[]; fulfillmentAvailability?: unknown; issues?: ListingIssue[] };

/** A submission id names its path and when it was made: `patch:<ms>:<n>` or `feed:<ms>:<feedId>`. */
function parseSubmission(id: string): { path: 'patch' | 'feed'; at: number; ref: string } | null {
  const m = /^(patch|feed):(\d+):(.+)$/.exec(id);
  return m ? { path: m[1] as 'patch' | 'feed', at: Number(m[2]), ref: m[3]! } : null;
}

export function amazonConnector(api: SpApi, settings: AmazonSettings, clock: Clock): Connector {
  const specs = amazonBudgetSpecs(settings);
  const patch = specs.patchListingsItem;
  /** Patches per push call: one burst of the patch budget, confirmed by one search. */
  const patchesPerPush = Math.max(1, Math.min(AMAZON_PATCHES_PER_PUSH_MAX, Math.floor(patch.capacity)));
  const searches = (n: number) => Math.ceil(n / AMAZON_SKUS_PER_SEARCH_MAX);
  const feedMinItems = settings.feed_min_items ?? Math.max(patchesPerPush + 1, Math.ceil(patch.refillPerSecond * AMAZON_FEED_WORTH_SECONDS));
  /** Product types learned per listing (`marketplace|sku`). */
  const productTypes = new Map<string, string>();
  const typeKey = (i: PushItem) => `${i.external.marketplace_id}|${i.external.seller_sku}`;
  const productTypeOf = (i: PushItem) => settings.product_type ?? productTypes.get(typeKey(i));
  const budgets = new OperationBudgets(specs, () => clock.now());
  /** Push intent (`listing@version`) → the submission that carried it. */
  const intents = new Map<string, string>();
  /** Feed id → its messages' SKUs in order, while this process remembers. */
  const feedSkus = new Map<string, string[]>();
  let feedsPausedUntil = -Infinity;
  let seq = 0;

  const intentOf = (i: PushItem) => `${i.listingId}@${i.version}`;
  const remember = (i: PushItem, submissionId: string) => {
    if (intents.size >= AMAZON_INTENTS_REMEMBERED_MAX) intents.delete(intents.keys().next().value!);
    intents.set(intentOf(i), submissionId);
  };
  const learn = (marketplace: string, item: ListingsItem) => {
    const learned = item.summaries?.find((x) => x.marketplaceId === marketplace)?.productType;
    if (!learned) return;
    if (productTypes.size >= AMAZON_INTENTS_REMEMBERED_MAX) productTypes.delete(productTypes.keys().next().value!);
    productTypes.set(`${marketplace}|${item.sku}`, learned);
  };
  /** One listing (its product type, before a first patch). */
  const readItem = async (i: PushItem) => {
    const res = await api.call<ListingsItem>('getListingsItem', {
      method: 'GET',
      path: `${LISTINGS}/${segment(api.sellerId)}/${segment(i.external.seller_sku!)}`,
      query: { marketplaceIds: [i.external.marketplace_id!], includedData: ['summaries'] },
    });
    if (res.ok) learn(i.external.marketplace_id!, res.data);
    return res;
  };
  /**
   * What Amazon shows for these listings, by SKU, one search per 20 of a marketplace (a listing
   * Amazon does not know is absent from the map), or the first failed call.
   */
  async function search(items: readonly PushItem[]): Promise<{ ok: true; found: Map<string, ListingsItem>; budget?: BudgetReport } | SpFailure> {
    const found = new Map<string, ListingsItem>();
    let budget: BudgetReport | undefined;
    const byMarket = new Map<string, string[]>();
    for (const i of items) {
      const m = i.external.marketplace_id!;
      byMarket.set(m, [...new Set([...(byMarket.get(m) ?? []), i.external.seller_sku!])]);
    }
    for (const [marketplace, skus] of byMarket) {
      for (let k = 0; k < skus.length; k += AMAZON_SKUS_PER_SEARCH_MAX) {
        const chunk = skus.slice(k, k + AMAZON_SKUS_PER_SEARCH_MAX);
        const res = await api.call<ItemSearchResults>('searchListingsItems', {
          method: 'GET',
          path: `${LISTINGS}/${segment(api.sellerId)}`,
          query: { marketplaceIds: [marketplace], identifiers: chunk, identifiersType: 'SKU', includedData: ['summaries', 'fulfillmentAvailability', 'issues'], pageSize: AMAZON_SKUS_PER_SEARCH_MAX },
        });
        if (!res.ok) return res;
        if (res.budget) budget = res.budget;
        for (const item of res.data.items ?? []) {
          learn(marketplace, item);
          found.set(`${marketplace}|${item.sku}`, item);
        }
      }
    }
    return { ok: true, found, ...(budget ? { budget } : {}) };
  }

  /** Patch each item (up to one burst); stops at the first answer that says the channel is busy, down or refusing us. */
  async function patchAll(items: PushItem[]): Promise<{ outcomes: ItemOutcome[]; failure: CallFailure | null; budget?: BudgetReport }> {
    const submissionId = `patch:${clock.now()}:${++seq}`;
    const outcomes: ItemOutcome[] = [];
    let budget: BudgetReport | undefined;
    for (const [k, i] of items.entries()) {
      // The listing's product type, looked up before its first patch when the lookup budget
      // allows; otherwise the listing waits for a later call (a guessed type would be refused).
      let res: SpAnswer<unknown> | null = null;
      if (productTypeOf(i) === undefined) {
        if (!budgets.take('getListingsItem')) {
          outcomes.push({ status: 'not_applied' });
          continue;
        }
        res = await readItem(i);
        budgets.after('getListingsItem', res);
        if (res.ok) res = null;
        else if (res.status === 404) res = { ...res, failure: 'permanent', message: `${i.external.seller_sku} is not a listing of this seller in ${i.external.marketplace_id}` };
      }
      res ??= await api.call<SubmissionResponse>('patchListingsItem', {
        method: 'PATCH',
        path: `${LISTINGS}/${segment(api.sellerId)}/${segment(i.external.seller_sku!)}`,
        query: { marketplaceIds: [i.external.marketplace_id!], includedData: ['issues'] },
        body: { productType: productTypeOf(i) ?? AMAZON_PRODUCT_TYPE_DEFAULT, patches: quantityPatches(i.quantity) },
      });
      if (res.budget) budget = res.budget;
      if (!res.ok) {
        // A request Amazon will never take as it is (400, 404): this item only.
        if (res.failure === 'permanent') {
          outcomes.push({ status: 'rejected', reason: res.message });
          continue;
        }
        const failure: CallFailure = { ok: false, failure: res.failure, retryAfterMs: res.retryAfterMs, message: res.message, ...(budget ? { budget } : {}) };
        for (let j = k; j < items.length; j++) outcomes.push({ status: 'not_applied' });
        return { outcomes, failure, ...(budget ? { budget } : {}) };
      }
      const answer = res.data as SubmissionResponse;
      const blocking = answer.status === 'INVALID' ? (blockingIssue(answer.issues) ?? answer.issues?.find((x) => x.severity === 'ERROR') ?? { code: 'INVALID', message: 'the submission was not valid' }) : null;
      if (blocking) {
        outcomes.push({ status: 'rejected', reason: describeIssue(blocking) });
      } else {
        remember(i, submissionId);
        outcomes.push({ status: 'submitted', submissionId });
      }
    }
    return { outcomes, failure: null, ...(budget ? { budget } : {}) };
  }

  return {
    /**
     * A feed's worth when a feed could go now, else one burst of patches: the dispatcher claims
     * this many rows a round, and claiming thousands only to hand most back would churn the outbox.
     */
    get maxBatch() {
      return clock.now() >= feedsPausedUntil && feedBudgetReady(budgets) ? AMAZON_FEED_ITEMS_PER_PUSH_MAX : patchesPerPush;
    },
    bucket: patch,
    // Read-backs and submission checks search (20 listings a call); getListingsItem is left to
    // the product-type lookups, which the connector budgets itself.
    budgets: { specs, push: 'patchListingsItem', read: 'searchListingsItems', submission: 'searchListingsItems' },
    // The dispatcher charges one call's cost before it knows the batch: one burst of patches.
    pushCost: (n) => Math.min(n, patchesPerPush),
    readCost: (n) => searches(n),
    submissionCost: () => searches(patchesPerPush),
    submissionPollMs: settings.submission_poll_seconds !== undefined ? settings.submission_poll_seconds * 1000 : AMAZON_SUBMISSION_POLL_MS,

    async push(items: PushItem[]): Promise<PushResult> {
      const outcomes: (ItemOutcome | null)[] = items.map((i) => {
        if (!i.external.seller_sku || !i.external.marketplace_id) return { status: 'rejected', reason: 'an Amazon listing needs seller_sku and marketplace_id to be pushed' };
        // A retry of an intent already submitted: the same submission, not a second patch.
        const known = intents.get(intentOf(i));
        return known ? { status: 'submitted', submissionId: known } : null;
      });
      let todo = items.map((i, k) => ({ i, k })).filter(({ k }) => outcomes[k] === null);
      let budget: BudgetReport | undefined;

      // A large batch of one marketplace goes as a feed (the first item's marketplace: the most urgent).
      const market = todo[0]?.i.external.marketplace_id;
      const forFeed = todo.filter(({ i }) => i.external.marketplace_id === market && productTypeOf(i) !== undefined);
      if (forFeed.length >= feedMinItems && clock.now() >= feedsPausedUntil && feedBudgetReady(budgets)) {
        // Messages in SKU order; the report names failed messages by SKU, or by messageId through
        // the SKUs remembered here (a report that names neither pushes those listings again).
        const sorted = [...forFeed].sort((a, b) => (a.i.external.seller_sku! < b.i.external.seller_sku! ? -1 : a.i.external.seller_sku! > b.i.external.seller_sku! ? 1 : 0));
        const sent = await submitFeed(api, budgets, market!, buildFeed(api.sellerId, sorted.map(({ i }) => ({ item: i, productType: productTypeOf(i)! }))));
        if (sent.ok) {
          const submissionId = `feed:${clock.now()}:${sent.feedId}`;
          feedSkus.set(sent.feedId, sorted.map(({ i }) => i.external.seller_sku!));
          for (const { i, k } of sorted) {
            remember(i, submissionId);
            outcomes[k] = { status: 'submitted', submissionId };
          }
          todo = todo.filter(({ k }) => outcomes[k] === null);
        } else if (sent.failure === 'auth') {
          return { ok: false, failure: 'auth', retryAfterMs: null, message: sent.message };
        }
        // Any other failure of the feed: this call patches what it can instead.
      }

      const patching = todo.slice(0, patchesPerPush);
      for (const { k } of todo.slice(patchesPerPush)) outcomes[k] = { status: 'not_applied' };
      if (patching.length > 0) {
        const done = await patchAll(patching.map(({ i }) => i));
        budget = done.budget;
        patching.forEach(({ k }, j) => (outcomes[k] = done.outcomes[j]!));
        // Nothing at all went through: the call failed as a whole (the dispatcher waits, backs off or pauses).
        if (done.failure && outcomes.every((o) => o === null || o.status === 'not_applied')) return done.failure;
      }
      return { ok: true, outcomes: outcomes as ItemOutcome[], ...(budget ? { budget } : {}) };
    },

    async checkSubmission(submissionId: string, items: PushItem[]): Promise<SubmissionResult> {
      const s = parseSubmission(submissionId);
      if (!s) return { ok: true, state: 'done', outcomes: items.map(() => ({ status: 'not_applied' })) };
      if (s.path === 'feed') {
        const result = await checkFeed(api, budgets, s.ref, items, feedSkus.get(s.ref));
        if (result.ok && result.state === 'done') {
          feedSkus.delete(s.ref);
          if (result.outcomes.every((o) => o.status === 'not_applied')) feedsPausedUntil = clock.now() + AMAZON_FEED_FATAL_COOLDOWN_MS;
        }
        return result;
      }
      // A patch: read the listings back (the dispatcher charged one check's searches).
      const read = await search(items);
      if (!read.ok) return { ok: false, failure: read.failure, retryAfterMs: read.retryAfterMs, message: read.message, ...(read.budget ? { budget: read.budget } : {}) };
      const budget = read.budget;
      const outcomes = items.map((i): ItemOutcome | null => {
        const found = read.found.get(typeKey(i));
        if (!found) return { status: 'rejected', reason: `${i.external.seller_sku} is not a listing of this seller in ${i.external.marketplace_id}` };
        if (merchantQuantity(found.fulfillmentAvailability) === i.quantity) return { status: 'acknowledged' };
        const blocking = blockingIssue(found.issues);
        return blocking ? { status: 'rejected', reason: describeIssue(blocking) } : null;
      });
      const settled = clock.now() - s.at >= AMAZON_PATCH_APPLY_MS;
      if (outcomes.some((o) => o === null) && !settled) return { ok: true, state: 'processing', ...(budget ? { budget } : {}) };
      return { ok: true, state: 'done', outcomes: outcomes.map((o) => o ?? { status: 'not_applied' }), ...(budget ? { budget } : {}) };
    },

    async readBack(items: PushItem[]): Promise<ReadBackResult> {
      const known = items.filter((i) => i.external.seller_sku && i.external.marketplace_id);
      const read = await search(known);
      if (!read.ok) return { ok: false, message: read.message, failure: read.failure, retryAfterMs: read.retryAfterMs };
      const shown = items.map((i) => {
        const found = i.external.seller_sku && i.external.marketplace_id ? read.found.get(typeKey(i)) : undefined;
        return found ? merchantQuantity(found.fulfillmentAvailability) : null;
      });
      return { ok: true, shown, ...(read.budget ? { budget: read.budget } : {}) };
    },
  };
}
