// A scripted stand-in for Login with Amazon and SP-API, for the connector's unit tests: small,
// synchronous to reason about, on a manual clock. Every SP-API request the connector sends is
// checked against Amazon's official model (test/support/spec-validator.ts) and every feed file
// against listings-feed-schema-v2.json; what it answers is checked too, so a test cannot pass on
// an answer Amazon would never give. Failures are collected in `invalid` for the test to assert empty.
// (The full emulator, emulators/amazon, runs under the conformance kit.)

import { ManualClock } from '../../app/clock.ts';
import { TokenBucket } from '../../sync/limiter.ts';
import { type ApiModel, loadApiModel, loadJsonSchema } from '../../../test/support/spec-validator.ts';

const SPECS = new URL('../../../../shared/specs/amazon-sp-api/', import.meta.url).pathname;
const models: Record<string, ApiModel> = {
  listings: loadApiModel(`${SPECS}listingsItems_2021-08-01.json`),
  feeds: loadApiModel(`${SPECS}feeds_2021-06-30.json`),
};
const MODEL_BY_PREFIX: [string, string][] = [
  ['/listings/', 'listingsItems_2021-08-01.json'],
  ['/feeds/', 'feeds_2021-06-30.json'],
  ['/orders/', 'orders_2026-01-01.json'],
  ['/fba/inventory/', 'fbaInventory.json'],
];
const loaded = new Map<string, ApiModel>();
const modelOf = (path: string): ApiModel | null => {
  const file = MODEL_BY_PREFIX.find(([prefix]) => path.startsWith(prefix))?.[1];
  if (!file) return null;
  if (!loaded.has(file)) loaded.set(file, loadApiModel(`${SPECS}${file}`));
  return loaded.get(file)!;
};

/**
 * A fetch that checks, before passing it on, every SP-API request against Amazon's model of its
 * operation and every JSON feed file uploaded against listings-feed-schema-v2.json; what fails
 * is added to `invalid` (the test asserts it empty). Token and document calls pass unchecked
 * beyond the feed file.
 */
export function validatingFetch(inner: typeof fetch, invalid: string[]): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const text = req.body ? await req.clone().text() : '';
    const model = modelOf(url.pathname);
    if (model) {
      const body = text === '' ? undefined : (JSON.parse(text) as unknown);
      const check = model.validateRequest({ method: req.method, url: url.pathname + url.search, body });
      for (const e of check.errors) invalid.push(`request ${req.method} ${url.pathname}: ${e}`);
      if (!req.headers.get('x-amz-access-token')) invalid.push(`request ${req.method} ${url.pathname}: no x-amz-access-token`);
    } else if (req.method === 'PUT' && text.startsWith('{')) {
      const doc = JSON.parse(text) as { messages?: unknown };
      if (doc.messages !== undefined) for (const e of feedSchema.validate(doc, 'feed')) invalid.push(e);
    }
    return inner(req);
  };
}
export const feedSchema = loadJsonSchema(`${SPECS}listings-feed-schema-v2.json`);
export const reportSchema = loadJsonSchema(`${SPECS}listings-feed-processing-report-schema-v2.json`);

export const BASE = 'https://sp.example';
export const LWA = 'https://lwa.example/auth/o2/token';
const DOCS = 'https://docs.example';

export interface Seen {
  op: string;
  method: string;
  url: URL;
  body: unknown;
  token: string | null;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
/** A scripted answer for the next call of an operation (instead of the default behaviour). */
type Script = Answer | 'reset';

export class FakeAmazon {
  readonly clock = new ManualClock(Date.UTC(2026, 11, 5, 9, 0, 0));
  readonly seen: Seen[] = [];
  readonly invalid: string[] = [];
  /** seller SKU → merchant-fulfilled quantity Amazon shows. */
  readonly shown = new Map<string, number>();
  /** seller SKU → the listing's product type (a patch naming another is INVALID; absent: LUGGAGE). */
  readonly types = new Map<string, string>();
  /** seller SKU → issues Amazon reports on the listing. */
  readonly issues = new Map<string, { code: string; message: string; severity: 'ERROR' | 'WARNING'; attributeNames?: string[]; categories: string[] }[]>();
  /** Patches accepted and not yet applied (applied by `apply()`). */
  readonly queued: { sku: string; quantity: number }[] = [];
  readonly scripts = new Map<string, Script[]>();
  /** Feeds by id: their file, state and the report. */
  readonly feeds = new Map<string, { file: unknown; status: string; reportId?: string }>();
  readonly documents = new Map<string, string>();
  /** The rate `x-amzn-RateLimit-Limit` reports, per operation (absent: no header). */
  readonly rateHeader = new Map<string, string>();
  /** Usage plans the fake enforces (429 QuotaExceeded when empty), per operation. */
  readonly limits = new Map<string, TokenBucket>();
  throttled = 0;
  tokenSeconds = 3_600;
  tokensIssued = 0;
  refreshRefused = false;
  /** Tokens SP-API accepts (LWA adds each it issues; a test may revoke them). */
  readonly live = new Set<string>();
  private n = 0;

  /** Enforce a usage plan on `op`, as Amazon does. */
  enforce(op: string, rate: number, burst: number): void {
    this.limits.set(op, new TokenBucket({ capacity: burst, refillPerSecond: rate }, this.clock.now()));
  }

  script(op: string, ...answers: Script[]): void {
    this.scripts.set(op, [...(this.scripts.get(op) ?? []), ...answers]);
  }

  /** Amazon applies every accepted patch. */
  apply(): void {
    for (const q of this.queued.splice(0)) this.shown.set(q.sku, q.quantity);
  }

  typeOf(sku: string): string {
    return this.types.get(sku) ?? 'LUGGAGE';
  }

  calls(op: string): Seen[] {
    return this.seen.filter((s) => s.op === op);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const text = req.body ? await req.text() : '';
    if (req.url === LWA) return this.lwa(text);
    if (url.origin === DOCS) return this.document(req.method, url.pathname.slice(1), text);
    const body = text === '' ? undefined : (JSON.parse(text) as unknown);
    const model = url.pathname.startsWith('/feeds/') ? models.feeds! : models.listings!;
    const check = model.validateRequest({ method: req.method, url: url.pathname + url.search, body });
    for (const e of check.errors) this.invalid.push(`request ${req.method} ${url.pathname}: ${e}`);
    const op = check.operationId ?? 'unknown';
    const token = req.headers.get('x-amz-access-token');
    this.seen.push({ op, method: req.method, url, body, token });
    const scripted = this.scripts.get(op)?.shift();
    if (scripted === 'reset') throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    let answer: Answer;
    const limit = this.limits.get(op);
    if (scripted) answer = scripted;
    else if (limit && limit.tryTake(1, this.clock.now()) !== 0) {
      this.throttled++;
      answer = { status: 429, body: { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] } };
    }
    else if (token === null || !this.live.has(token)) answer = { status: 403, body: { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: 'The access token you provided has expired.' }] } };
    else answer = this.answer(op, url, body);
    if (answer.status !== 429 || answer.body !== undefined) {
      for (const e of model.validateResponse({ operationId: op, status: answer.status, body: answer.body })) this.invalid.push(`answer ${op} ${answer.status}: ${e}`);
    }
    const rate = this.rateHeader.get(op);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json', ...(rate && answer.status !== 429 ? { 'x-amzn-RateLimit-Limit': rate } : {}), ...answer.headers },
    });
  };

  private lwa(form: string): Response {
    const p = new URLSearchParams(form);
    if (p.get('grant_type') !== 'refresh_token' || !p.get('client_id') || !p.get('client_secret')) this.invalid.push(`LWA form: ${form}`);
    if (this.refreshRefused || p.get('refresh_token') !== 'Atzr|refresh') {
      return Response.json({ error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : refresh_token' }, { status: 400 });
    }
    const token = `Atza|token-${++this.tokensIssued}`;
    this.live.add(token);
    return Response.json({ access_token: token, token_type: 'bearer', expires_in: this.tokenSeconds, refresh_token: 'Atzr|refresh' });
  }

  private document(method: string, id: string, text: string): Response {
    if (method === 'PUT') {
      this.documents.set(id, text);
      const errors = feedSchema.validate(JSON.parse(text), 'feed');
      for (const e of errors) this.invalid.push(e);
      return new Response(null, { status: 200 });
    }
    const doc = this.documents.get(id);
    return doc === undefined ? new Response('expired', { status: 403 }) : new Response(doc, { status: 200 });
  }

  private answer(op: string, url: URL, body: unknown): Answer {
    const sku = decodeURIComponent(url.pathname.split('/')[5] ?? '');
    switch (op) {
      case 'patchListingsItem': {
        if (!this.shown.has(sku)) return { status: 200, body: { sku, status: 'INVALID', submissionId: `sub-${++this.n}`, issues: [{ code: '4000001', message: 'SKU not found', severity: 'ERROR', categories: [] }] } };
        const type = (body as { productType: string }).productType;
        if (type !== this.typeOf(sku)) return { status: 200, body: { sku, status: 'INVALID', submissionId: `sub-${++this.n}`, issues: [{ code: '90000', message: `product type ${type} is not the listing's`, severity: 'ERROR', categories: ['INVALID_ATTRIBUTE'] }] } };
        const q = (body as { patches: { value: { quantity: number }[] }[] }).patches[0]!.value[0]!.quantity;
        this.queued.push({ sku, quantity: q });
        return { status: 200, body: { sku, status: 'ACCEPTED', submissionId: `sub-${++this.n}`, issues: [] } };
      }
      case 'getListingsItem': {
        if (!this.shown.has(sku)) return { status: 404, body: { errors: [{ code: 'NOT_FOUND', message: `SKU '${sku}' not found in marketplace ATVPDKIKX0DER` }] } };
        const at = new Date(this.clock.now()).toISOString();
        const summaries = [{ marketplaceId: url.searchParams.get('marketplaceIds')!, productType: this.typeOf(sku), status: ['BUYABLE'], createdDate: at, lastUpdatedDate: at }];
        return { status: 200, body: { sku, summaries, fulfillmentAvailability: [{ fulfillmentChannelCode: 'DEFAULT', quantity: this.shown.get(sku)! }], issues: this.issues.get(sku) ?? [] } };
      }
      case 'searchListingsItems': {
        const skus = url.searchParams.get('identifiers')?.split(',') ?? [...this.shown.keys()];
        const at = new Date(this.clock.now()).toISOString();
        const marketplaceId = url.searchParams.get('marketplaceIds')!;
        const items = skus.filter((s) => this.shown.has(s)).map((s) => ({
          sku: s,
          summaries: [{ marketplaceId, productType: this.typeOf(s), status: ['BUYABLE'], createdDate: at, lastUpdatedDate: at }],
          fulfillmentAvailability: [{ fulfillmentChannelCode: 'DEFAULT', quantity: this.shown.get(s)! }],
          issues: this.issues.get(s) ?? [],
        }));
        return { status: 200, body: { numberOfResults: items.length, items } };
      }
      case 'createFeedDocument': {
        const id = `doc-${++this.n}`;
        return { status: 201, body: { feedDocumentId: id, url: `${DOCS}/${id}` } };
      }
      case 'createFeed': {
        const id = `feed-${++this.n}`;
        const input = (body as { inputFeedDocumentId: string }).inputFeedDocumentId;
        this.feeds.set(id, { file: JSON.parse(this.documents.get(input) ?? 'null'), status: 'IN_QUEUE' });
        return { status: 202, body: { feedId: id } };
      }
      case 'getFeed': {
        const id = decodeURIComponent(url.pathname.split('/').pop()!);
        const f = this.feeds.get(id)!;
        return { status: 200, body: { feedId: id, feedType: 'JSON_LISTINGS_FEED', createdTime: new Date(this.clock.now()).toISOString(), processingStatus: f.status, ...(f.reportId ? { resultFeedDocumentId: f.reportId } : {}) } };
      }
      case 'getFeedDocument': {
        const id = decodeURIComponent(url.pathname.split('/').pop()!);
        return { status: 200, body: { feedDocumentId: id, url: `${DOCS}/${id}` } };
      }
      default:
        return { status: 400, body: { errors: [{ code: 'InvalidInput', message: `not scripted: ${op}` }] } };
    }
  }

  /**
   * Amazon processes feed `id`: every message applied except those of `failing` SKUs, which get
   * an ERROR issue; the report lists the listings' availability after it (as `includedData` asks).
   */
  finishFeed(id: string, failing: ReadonlySet<string> = new Set(), opts: { skuInIssues?: boolean } = {}): void {
    const f = this.feeds.get(id)!;
    const messages = (f.file as { messages: { messageId: number; sku: string; productType: string; patches: { value: { quantity: number }[] }[] }[] }).messages;
    const issues = [];
    for (const m of messages) {
      if (m.productType !== this.typeOf(m.sku)) this.invalid.push(`feed message ${m.messageId} names product type ${m.productType}, the listing has ${this.typeOf(m.sku)}`);
      if (failing.has(m.sku)) issues.push({ messageId: m.messageId, ...(opts.skuInIssues === false ? {} : { sku: m.sku }), code: '90220', severity: 'ERROR', message: "'fulfillment_availability' is invalid", attributeName: 'fulfillment_availability' });
      else this.shown.set(m.sku, m.patches[0]!.value[0]!.quantity);
    }
    const report = {
      header: { sellerId: 'A1SELLER', version: '2.0', feedId: id },
      issues,
      summary: { errors: issues.length, warnings: 0, messagesProcessed: messages.length, messagesAccepted: messages.length - issues.length, messagesInvalid: issues.length },
      items: messages.filter((m) => !failing.has(m.sku)).map((m) => ({ sku: m.sku, fulfillmentAvailability: [{ fulfillmentChannelCode: 'DEFAULT', quantity: this.shown.get(m.sku) }] })),
    };
    for (const e of reportSchema.validate(report, 'report')) this.invalid.push(e);
    const reportId = `report-${++this.n}`;
    this.documents.set(reportId, JSON.stringify(report));
    f.status = 'DONE';
    f.reportId = reportId;
  }
}

/** Settings of a channel on the fake. */
export const fakeSettings = (extra: Record<string, unknown> = {}) => ({
  seller_id: 'A1SELLER',
  client_id: 'amzn1.application-oa2-client.test',
  client_secret: 'secret',
  refresh_token: 'Atzr|refresh',
  endpoint: BASE,
  lwa_url: LWA,
  ...extra,
});
