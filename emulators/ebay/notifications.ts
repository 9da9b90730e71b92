// eBay's Notification API, as far as ORDER_CONFIRMATION needs it: destinations (an endpoint and a
// verification token, checked by the endpoint challenge when created), subscriptions of a topic
// to a destination, the public key a notification is verified with, and signed delivery.
//
// Signature, as eBay's own verifier (github eBay/event-notification-nodejs-sdk, lib/validator.js)
// checks it: X-EBAY-SIGNATURE is base64 of JSON {alg:"ecdsa", kid, signature, digest:"SHA1"};
// `signature` is the base64 DER ECDSA signature (SHA-1, Node's 'ssl3-sha1') over
// JSON.stringify(parsed body); getPublicKey(kid) answers {algorithm:"ECDSA", digest:"SHA1", key}
// with the PEM on one line, as the SDK's formatKey expects. The SDK's own test fixture shows
// digest "SHA1" in both places (test/test.json).
//
// Challenge: createDestination GETs `endpoint?challenge_code=…` and wants 200 with
// {"challengeResponse": hex SHA-256 of challengeCode + verificationToken + endpoint}
// (the SDK's generateChallengeResponse; the envelope is unconfirmed — README).

import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type Random, randomUuid, WebhookSender } from '../kit/index.ts';
import { detail, EbayApiError, NOTIFICATION } from './errors.ts';
import { type ApiRequest, type HttpAnswer, isObject } from './http-answer.ts';
import { iso } from './time.ts';

export const TOPICS = ['ORDER_CONFIRMATION', 'ITEM_MARKED_SHIPPED'] as const;
export type Topic = (typeof TOPICS)[number];
const NAME_LENGTH_MAX = 64;
/** eBay: 32 to 80 characters of letters, digits, underscore and hyphen. */
const VERIFICATION_TOKEN = /^[A-Za-z0-9_-]{32,80}$/;
const BASE = '/commerce/notification/v1';

export interface Destination {
  destinationId: string;
  name: string;
  status: 'ENABLED' | 'DISABLED';
  endpoint: string;
  verificationToken: string;
}

export interface Subscription {
  subscriptionId: string;
  topicId: Topic;
  status: 'ENABLED' | 'DISABLED';
  destinationId: string;
  creationDate: number;
  schemaVersion: string;
}

export interface NotificationsOptions {
  now: () => number;
  ids: Random;
  sender: WebhookSender;
  /** How the emulator reaches an endpoint for its challenge. */
  fetch: typeof fetch;
  challengeTimeoutMs: number;
}

const notifErr = (status: number, errorId: number, message: string) => new EbayApiError(status, detail(errorId, NOTIFICATION, message));

export class Notifications {
  readonly keyId: string;
  private readonly privateKey: KeyObject;
  private readonly publicKeyPem: string;
  readonly destinations = new Map<string, Destination>();
  readonly subscriptions = new Map<string, Subscription>();
  challenges = { passed: 0, failed: 0 };

  constructor(private readonly o: NotificationsOptions) {
    // A P-256 key pair per emulator: the verifier fetches its public half by kid.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.privateKey = privateKey;
    this.publicKeyPem = (publicKey.export({ type: 'spki', format: 'pem' }) as string).replace(/\n/g, '');
    this.keyId = randomUuid(o.ids);
  }

  /** The X-EBAY-SIGNATURE header value for a body. */
  signature(body: string): string {
    const signature = createSign('sha1').update(JSON.stringify(JSON.parse(body))).sign(this.privateKey, 'base64');
    return Buffer.from(JSON.stringify({ alg: 'ecdsa', kid: this.keyId, signature, digest: 'SHA1' })).toString('base64');
  }

  getPublicKey(r: ApiRequest): HttpAnswer {
    if (r.params.public_key_id !== this.keyId) throw notifErr(404, 195001, 'The specified key id is invalid.');
    return { status: 200, body: { algorithm: 'ECDSA', digest: 'SHA1', key: this.publicKeyPem } };
  }

  async createDestination(r: ApiRequest): Promise<HttpAnswer> {
    const d = await this.addDestination(isObject(r.body) ? r.body : {});
    return { status: 201, headers: { Location: `${r.origin}${BASE}/destination/${d.destinationId}` }, body: {} };
  }

  /** A destination from a DestinationRequest, after its endpoint passes the challenge (an EbayApiError otherwise). */
  async addDestination(b: Record<string, unknown>): Promise<Destination> {
    const name = b.name;
    if (name !== undefined && (typeof name !== 'string' || name.length > NAME_LENGTH_MAX || /[<>]/.test(name))) throw notifErr(400, 195016, 'Invalid name. Markups or lengths greater than 64 not supported');
    const status = b.status;
    if (status !== 'ENABLED' && status !== 'DISABLED') throw notifErr(400, 195018, 'Invalid or missing destination status. Supported values:[ENABLED,DISABLED]');
    const config = isObject(b.deliveryConfig) ? b.deliveryConfig : {};
    const endpoint = config.endpoint;
    if (typeof endpoint !== 'string' || !isHttpUrl(endpoint)) throw notifErr(400, 195017, 'Invalid or missing endpoint.');
    const token = config.verificationToken;
    if (typeof token !== 'string' || !VERIFICATION_TOKEN.test(token)) throw notifErr(400, 195019, 'Invalid or missing verification token for this endpoint.');
    if ([...this.destinations.values()].some((d) => d.endpoint === endpoint)) throw notifErr(409, 195021, 'Destination exists for this endpoint');
    if (!(await this.challenge(endpoint, token))) throw notifErr(409, 195020, 'Challenge verification failed for requested endpoint');
    const d: Destination = { destinationId: randomUuid(this.o.ids), name: typeof name === 'string' ? name : '', status, endpoint, verificationToken: token };
    this.destinations.set(d.destinationId, d);
    if (d.status === 'ENABLED') this.wire();
    return d;
  }

  getDestination(r: ApiRequest): HttpAnswer {
    const d = this.destinations.get(r.params.destination_id!);
    if (!d) throw notifErr(404, 195022, 'Invalid or missing destination id.');
    // The model types Destination.deliveryConfig as a string (eBay sends an object), so the
    // emulator leaves it out rather than answer off the model; the control state shows the endpoint.
    return { status: 200, body: { destinationId: d.destinationId, name: d.name, status: d.status } };
  }

  createSubscription(r: ApiRequest): HttpAnswer {
    const s = this.addSubscription(isObject(r.body) ? r.body : {});
    return { status: 201, headers: { Location: `${r.origin}${BASE}/subscription/${s.subscriptionId}` }, body: {} };
  }

  /** A subscription from a CreateSubscriptionRequest (an EbayApiError when the model's checks fail). */
  addSubscription(b: Record<string, unknown>): Subscription {
    if (typeof b.topicId !== 'string' || !(TOPICS as readonly string[]).includes(b.topicId)) throw notifErr(400, 195027, 'Invalid or missing topic id.');
    if (b.status !== 'ENABLED' && b.status !== 'DISABLED') throw notifErr(400, 195006, 'Invalid or missing subscription status.');
    const d = typeof b.destinationId === 'string' ? this.destinations.get(b.destinationId) : undefined;
    if (!d) throw notifErr(400, 195007, 'Invalid or missing destination id.');
    const payload = isObject(b.payload) ? b.payload : {};
    if (payload.schemaVersion !== '1.0') throw notifErr(400, 195008, 'Invalid or missing schema version. Please refer to /topic/{topic_id} for supported schema versions.');
    if (payload.format !== 'JSON') throw notifErr(400, 195009, 'Specified format is not supported for the topic.');
    if (payload.deliveryProtocol !== 'HTTPS') throw notifErr(400, 195010, 'Invalid or missing protocol');
    if ([...this.subscriptions.values()].some((s) => s.topicId === b.topicId && s.destinationId === d.destinationId)) throw notifErr(409, 195012, 'Subscription already exists');
    if (b.status === 'ENABLED' && d.status !== 'ENABLED') throw notifErr(409, 195015, 'The subscription cannot be enabled since the destination is not enabled.');
    const s: Subscription = { subscriptionId: randomUuid(this.o.ids), topicId: b.topicId as Topic, status: b.status, destinationId: d.destinationId, creationDate: this.o.now(), schemaVersion: '1.0' };
    this.subscriptions.set(s.subscriptionId, s);
    this.wire();
    return s;
  }

  getSubscription(r: ApiRequest): HttpAnswer {
    const s = this.subscriptions.get(r.params.subscription_id!);
    if (!s) throw notifErr(404, 195013, 'Invalid subscription Id.');
    return {
      status: 200,
      body: { subscriptionId: s.subscriptionId, topicId: s.topicId, status: s.status, destinationId: s.destinationId, creationDate: iso(s.creationDate), payload: { format: 'JSON', schemaVersion: s.schemaVersion, deliveryProtocol: 'HTTPS' } },
    };
  }

  /** One notification: a delivery to every enabled subscription of the topic. Returns its notificationId. */
  publish(topic: Topic, data: Record<string, unknown>, at: number): string {
    const notificationId = `${randomUuid(this.o.ids)}_${randomUuid(this.o.ids)}`;
    const body = {
      metadata: { topic, schemaVersion: '1.0', deprecated: false },
      notification: { notificationId, eventDate: iso(at), publishDate: iso(this.o.now()), publishAttemptCount: 1, data },
    };
    this.o.sender.send(topic, JSON.stringify(body), at);
    return notificationId;
  }

  /** Checks an endpoint the way eBay does before it delivers there. */
  async challenge(endpoint: string, verificationToken: string): Promise<boolean> {
    const code = randomUuid(this.o.ids).replace(/-/g, '');
    const expected = createHash('sha256').update(code).update(verificationToken).update(endpoint).digest('hex');
    const url = `${endpoint}${endpoint.includes('?') ? '&' : '?'}challenge_code=${encodeURIComponent(code)}`;
    let ok = false;
    try {
      const res = await this.o.fetch(url, { method: 'GET', headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(this.o.challengeTimeoutMs) });
      const text = await res.text();
      const body: unknown = res.status === 200 ? JSON.parse(text) : undefined;
      ok = isObject(body) && body.challengeResponse === expected;
    } catch {
      ok = false;
    }
    if (ok) this.challenges.passed++;
    else this.challenges.failed++;
    return ok;
  }

  // The kit's sender learns each enabled (topic, endpoint) pair once.
  private readonly wired = new Set<string>();
  private wire(): void {
    for (const s of this.subscriptions.values()) {
      const d = this.destinations.get(s.destinationId);
      if (!d || s.status !== 'ENABLED' || d.status !== 'ENABLED') continue;
      const key = `${s.topicId} ${d.endpoint}`;
      if (this.wired.has(key)) continue;
      this.wired.add(key);
      this.o.sender.subscribe(d.endpoint, [s.topicId]);
    }
  }
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
