// Pushing merchant-fulfilled quantities to Amazon and reading them back (channels.md §2).
//
// Amazon applies every listing change later: `patchListingsItem` answers ACCEPTED (queued, not
// applied) and a feed is processed minutes after it was created. So a push answers `submitted`,
// and `checkSubmission` settles it when Amazon shows the number: a patch by reading the listing
// back (`getListingsItem` with fulfillmentAvailability), a feed by its processing report. An
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
import { amazonBudgetSpecs, OperationBudgets, segment, type SpAnswer, type SpApi } from './sp-api.ts';

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
/** Push intents remembered for retries (one entry per listing version submitted). */
export const AMAZON_INTENTS_REMEMBERED_MAX = 20_000;

const LISTINGS = '/listings/2021-08-01/items';

type SubmissionResponse = { sku: string; status: 'ACCEPTED' | 'INVALID' | 'VALID'; submissionId: string; issues?: ListingIssue[] };
type ListingsItem = { sku: string; summaries?: { marketplaceId?: string; productType?: string }[]; fulfillmentAvailability?: unknown; issues?: ListingIssue[] };

/** A submission id names its path and when it was made: `patch:<ms>:<n>` or `feed:<ms>:<feedId>`. */
function parseSubmission(id: string): { path: 'patch' | 'feed'; at: number; ref: string } | null {
  const m = /^(patch|feed):(\d+):(.+)$/.exec(id);
  return m ? { path: m[1] as 'patch' | 'feed', at: Number(m[2]), ref: m[3]! } : null;
}

export function amazonConnector(api: SpApi, settings: AmazonSettings, clock: Clock): Connector {
  const specs = amazonBudgetSpecs(settings);
  const patch = specs.patchListingsItem;
  const read = specs.getListingsItem;
  /** Patches per push call: one burst of the patch budget. */
  const patchesPerPush = Math.max(1, Math.floor(patch.capacity));
  /** Read-backs per submission check: one patch call's items, within the read budget's burst. */
  const readsPerCheck = Math.max(1, Math.min(patchesPerPush, Math.floor(read.capacity)));
  const feedMinItems = settings.feed_min_items ?? Math.max(patchesPerPush + 1, Math.ceil(patch.refillPerSecond * AMAZON_FEED_WORTH_SECONDS));
  /** Product types learned per listing (`marketplace|sku`). */
  const productTypes = new Map<string, string>();
  const typeKey = (i: PushItem) => `${i.external.marketplace_id}|${i.external.seller_sku}`;
  const productTypeOf = (i: PushItem) => settings.product_type ?? productTypes.get(typeKey(i));
  const budgets = new OperationBudgets(specs, () => clock.now());
  /**
   * Product-type lookups before a first patch: at most half of getListingsItem's usage plan, so
   * they leave room for the read-backs the dispatcher budgets on the same operation.
   */
  const lookups = new OperationBudgets({ ...specs, getListingsItem: { capacity: Math.max(1, Math.floor(read.capacity / 2)), refillPerSecond: read.refillPerSecond / 2 } }, () => clock.now());
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
  const readItem = async (i: PushItem) => {
    const res = await api.call<ListingsItem>('getListingsItem', {
      method: 'GET',
      path: `${LISTINGS}/${segment(api.sellerId)}/${segment(i.external.seller_sku!)}`,
      query: { marketplaceIds: [i.external.marketplace_id!], includedData: ['summaries', 'fulfillmentAvailability', 'issues'] },
    });
    const learned = res.ok ? res.data.summaries?.find((x) => x.marketplaceId === i.external.marketplace_id)?.productType : undefined;
    if (learned) {
      if (productTypes.size >= AMAZON_INTENTS_REMEMBERED_MAX) productTypes.delete(productTypes.keys().next().value!);
      productTypes.set(typeKey(i), learned);
    }
    return res;
  };

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
        if (!lookups.take('getListingsItem')) {
          outcomes.push({ status: 'not_applied' });
          continue;
        }
        res = await readItem(i);
        if (!res.ok && res.failure === 'throttled') lookups.after('getListingsItem', res);
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
    budgets: { specs, push: 'patchListingsItem', read: 'getListingsItem', submission: 'getListingsItem' },
    // The dispatcher charges one call's cost before it knows the batch: one burst of patches.
    pushCost: (n) => Math.min(n, patchesPerPush),
    readCost: (n) => n,
    submissionCost: () => readsPerCheck,
    ...(settings.submission_poll_seconds !== undefined ? { submissionPollMs: settings.submission_poll_seconds * 1000 } : {}),

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
      // A patch: read each listing back (the dispatcher charged one check's reads).
      const outcomes: (ItemOutcome | null)[] = [];
      let budget: BudgetReport | undefined;
      for (const i of items.slice(0, readsPerCheck)) {
        const res = await readItem(i);
        if (res.budget) budget = res.budget;
        if (!res.ok) {
          if (res.status === 404) outcomes.push({ status: 'rejected', reason: `${i.external.seller_sku} is not a listing of this seller in ${i.external.marketplace_id}` });
          else return { ok: false, failure: res.failure, retryAfterMs: res.retryAfterMs, message: res.message, ...(budget ? { budget } : {}) };
          continue;
        }
        const blocking = blockingIssue(res.data.issues);
        if (merchantQuantity(res.data.fulfillmentAvailability) === i.quantity) outcomes.push({ status: 'acknowledged' });
        else if (blocking) outcomes.push({ status: 'rejected', reason: describeIssue(blocking) });
        else outcomes.push(null);
      }
      // Items beyond one check's reads (not made by this connector) are looked at by a later push.
      while (outcomes.length < items.length) outcomes.push({ status: 'not_applied' });
      const settled = clock.now() - s.at >= AMAZON_PATCH_APPLY_MS;
      if (outcomes.some((o) => o === null) && !settled) return { ok: true, state: 'processing', ...(budget ? { budget } : {}) };
      return { ok: true, state: 'done', outcomes: outcomes.map((o) => o ?? { status: 'not_applied' }), ...(budget ? { budget } : {}) };
    },

    async readBack(items: PushItem[]): Promise<ReadBackResult> {
      const shown: (number | null)[] = [];
      let budget: BudgetReport | undefined;
      for (const i of items) {
        if (!i.external.seller_sku || !i.external.marketplace_id) {
          shown.push(null);
          continue;
        }
        const res = await readItem(i);
        if (res.budget) budget = res.budget;
        if (!res.ok) {
          if (res.status === 404) shown.push(null);
          else return { ok: false, message: res.message, failure: res.failure, retryAfterMs: res.retryAfterMs };
          continue;
        }
        shown.push(merchantQuantity(res.data.fulfillmentAvailability));
      }
      return { ok: true, shown, ...(budget ? { budget } : {}) };
    },
  };
}
