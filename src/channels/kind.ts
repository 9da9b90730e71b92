// The contract of a channel kind: everything truestock needs to know about one kind of channel
// (Shopify, Amazon, a POS, …), declared once in `src/channels/<kind>/` and listed in
// `registry.ts`. The rest of the code is kind-agnostic: it asks the registry, never names a kind.
// docs/channels.md tells someone writing a kind what to implement and how the conformance kit
// checks it.

import type { Clock } from '../app/clock.ts';
import type { StockFileFormat } from '../app/stock-file.ts';
import type { ChannelEvent, ChannelMapping } from '../domain/channel-event.ts';
import type { Refusal } from '../domain/errors.ts';
import type { ListingIdentity } from '../domain/listing-rules.ts';
import type { BudgetReport, Connector, Failure } from '../sync/connector.ts';
import type { DemoStorefrontFactory } from './demo-storefront.ts';

export type Settings = Record<string, unknown>;

/** What a kind can do; the conformance kit checks each capability a kind claims. */
export interface Capabilities {
  /** Pushes carry what we believe the channel shows, and the channel refuses when it differs. */
  compareAndSet: boolean;
  /** Pushes may be accepted now and applied later (feeds, `ACCEPTED`), followed by `checkSubmission`. */
  asyncSubmissions: boolean;
  /** The channel can say what it shows now (drift checks, lost answers). */
  readBack: boolean;
  /** The channel sends signed webhooks to `/v1/channels/{id}/webhooks`. */
  webhooks: boolean;
  /** Orders (and other events) are polled on a schedule. */
  polling: boolean;
}

export interface SettingsSpec {
  /**
   * Check the kind's own settings when a channel is created or changed (null: fine). Settings a
   * connection needs may still be missing here — a channel can be set up before its credentials —
   * `connect()` says what is missing.
   */
  check(settings: Settings, field: string): Refusal | null;
  /** Names of settings that hold credentials: stored, used, never shown. */
  readonly secrets: readonly string[];
  /** The account behind a channel (two channels of one kind and account are one storefront seen twice). */
  account?(settings: Settings): string | null;
}

/** What `connect()` and inbound calls may use from outside: the clock, and fetch (tests give an emulator's). */
export interface ConnectEnv {
  clock: Clock;
  fetch: typeof fetch;
}

/** A webhook delivery as received: the exact bytes, the headers (lower-case names) and the URL. */
export interface Delivery {
  raw: Buffer;
  headers: Readonly<Record<string, string | undefined>>;
  /** The URL the channel called, as configured on the channel (some kinds sign it). */
  url: string;
}

export type Verified = {
  ok: true;
  /** The channel's id of this delivery: redeliveries of it are answered and not applied again. */
  deliveryId: string;
  /** What the channel says the delivery is about (a topic, an event type), for receipts and logs. */
  topic: string;
  /** The channel's id of the change reported, when it has one beside the delivery id. */
  eventId: string | null;
  /** When the channel sent or triggered it (ms), for the measured inbound lag. */
  sentAt: number | null;
};

/** `missing`: not a delivery of this kind at all; `forged`: the proof does not hold. Both answer the same 401 (webhook-routes.ts); the difference is logged and counted. */
export type VerifyFailed = { ok: false; problem: 'missing' | 'forged'; field: string; detail: string };

export type Parsed = { ok: true; events: ChannelEvent[] } | { ok: false; ignored: string };

/** What a kind's webhook may use beyond the delivery: the channel's settings, the clock and fetch (a signing key or the order a notification names, fetched from the channel). */
export interface WebhookEnv extends ConnectEnv {
  settings: Settings;
  /**
   * Draw `cost` tokens from the channel's budget (its read budget unless named) before a call the
   * delivery needs, so reads caused by webhooks share the channel's limit with pushes and polls;
   * false when the tokens will not be there soon (throw: the delivery is answered 503 and the
   * channel delivers it again). Absent (tests, a process that does not push): no budget kept.
   */
  spend?(cost: number, budget?: string): Promise<boolean>;
}

/** The answer to a channel's check of the webhook address (eBay's `challenge_code` GET). */
export interface ChallengeAnswer {
  status: number;
  body: unknown;
}

export interface WebhookSpec {
  /** Is this delivery from the channel? Checks the kind's headers, signature and account, in constant time. */
  verify(delivery: Delivery, settings: Settings): Verified | VerifyFailed;
  /** The normalized events of a verified delivery (its parsed JSON body), or why it is ignored. */
  parse(delivery: Verified, body: unknown): Parsed;
  /**
   * A kind whose proof needs the channel (a public key fetched by id) verifies here, through
   * `env`; the route calls this instead of `verify` when the kind has it.
   */
  verifyWith?(delivery: Delivery, settings: Settings, env: ConnectEnv): Promise<Verified | VerifyFailed>;
  /**
   * A kind that reads what a delivery names from the channel (the order a notification names
   * without carrying it: eBay, Square) parses here instead of `parse`. Rejects when the channel
   * cannot be read now: the delivery is answered 503 and the channel delivers it again.
   */
  parseWith?(delivery: Verified, body: unknown, env: WebhookEnv): Promise<Parsed>;
  /**
   * A channel that checks the webhook address before it delivers (a GET with a challenge): the
   * answer for the query it sent, the address it called (`url`, no query) and the channel's
   * settings; null when the query is not the kind's challenge (404).
   */
  challenge?(query: Readonly<Record<string, string | undefined>>, url: string, settings: Settings): ChallengeAnswer | null;
  /** The JSON Schema of the body `challenge` answers 200 with, for the API document; required with `challenge`. */
  challengeAnswer?: Record<string, unknown>;
}

export interface PollEnv extends ConnectEnv {
  settings: Settings;
  /** Where the last poll stopped (the kind's own cursor), or null on the first poll. */
  cursor: string | null;
  /** The first poll reads from here (ms): what happened before the channel was connected is not ours. */
  since: number;
  /** Draw `cost` tokens from the channel's budget (shared with pushes); false when it can never fit. */
  spend(cost: number, budget?: string): Promise<boolean>;
  /** What the channel reported about a budget. */
  observe(report: BudgetReport): void;
}

/** One page of a poll: its events (applied before the cursor moves), and the cursor after them. */
export type PollPage =
  | { ok: true; events: ChannelEvent[]; cursor: string }
  | { ok: false; failure: Failure; retryAfterMs: number | null; message: string };

export interface PollSpec {
  /** How often a channel is polled when its settings (`poll_seconds`) do not say. */
  readonly defaultIntervalSeconds: number;
  /** Pages of changes since `env.cursor`, oldest first; the scheduler stops reading after a failed page. */
  pages(env: PollEnv): AsyncIterable<PollPage>;
}

export interface Inbound {
  /** How the channel's locations map to truestock's (from its settings). */
  mapping(settings: Settings): ChannelMapping;
  webhook?: WebhookSpec;
  poll?: PollSpec;
}

/** An order placed for a channel, as its kind's terms see it. */
export interface OrderToCheck {
  lines: readonly { sku: string; quantity: number; unitsPerCase: number | null }[];
  customer: string | null;
  /** `YYYY-MM-DD` as the client sent it (unchecked), or null. */
  requestedShipDate: string | null;
}

/** Terms of trade a kind puts on orders placed for its channels (`POST /v1/allocations`). */
export interface OrderTerms {
  /** Refuse an order the channel's terms do not allow (null: fine); `today` is `YYYY-MM-DD` (UTC). */
  check(order: OrderToCheck, settings: Settings, today: string): Refusal | null;
  /**
   * What a line of an item the channel ring-fences gets beyond its fence: `backorder` — it takes
   * from the fence only and the rest is backordered, so consumer channels keep their stock.
   * (Without terms, the rest comes from the shared pool like any order's.)
   */
  readonly beyondFence: 'backorder';
}

export interface ChannelKindSpec {
  /** The kind's name as stored on channels (lower case, e.g. shopify). */
  readonly name: string;
  /** How people call it (`Shopify`). */
  readonly label: string;
  /** A listing's identifiers on this kind. */
  readonly listing: ListingIdentity;
  readonly settings: SettingsSpec;
  /**
   * Default lags, before truestock measures them: how late this channel's sales reach us
   * (`inboundSeconds`: webhooks in seconds, polled orders in minutes), and how late it shows a
   * number we push (`outboundSeconds`: its own processing). They feed the adaptive buffers.
   */
  readonly lags: { inboundSeconds: number; outboundSeconds: number };
  /** The precision of the channel's timestamps (whole seconds: 1,000). */
  readonly timeResolutionMs: number;
  readonly capabilities: Capabilities;
  /**
   * Where the kind's channels sell from when their rules name no locations: `mapped` — only the
   * locations their settings map (a store's POS sells its own shelf, so its number is that
   * location's available, never the network's). Absent: every location, as rules default.
   */
  readonly defaultLocations?: 'mapped';
  /**
   * The locations a listing sells from by its own identifiers (a Walmart listing naming its ship
   * node: that node's location), when its channel's rule names no locations; null: as the rule
   * (and `defaultLocations`) say. Absent: listings never narrow their rule.
   */
  listingLocations?(external: Readonly<Record<string, string>>, settings: Settings): readonly string[] | null;
  /** A connector for a channel's settings, or what is missing. Absent: the kind's numbers are served, not pushed. */
  connect?(settings: Settings, env: ConnectEnv): Connector | Refusal;
  /** Events in: webhooks, polls, and the location mapping. Absent: the kind reports nothing back. */
  readonly inbound?: Inbound;
  /** Terms orders placed for the kind's channels must meet. Absent: none. */
  readonly orders?: OrderTerms;

  // Extras outside sync; absent when the kind has none.
  /** The kind's own inventory export, importable as counted stock (`stock import --format <kind>`). */
  readonly stockFile?: StockFileFormat;
  /** Emulated storefronts for the demo (`npm start`); loaded when the demo runs, never with the registry. */
  demo?(): Promise<DemoStorefrontFactory>;
}
