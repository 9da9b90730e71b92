// eBay notifications in (Notification API; channels.md §4): ORDER_CONFIRMATION as the faster
// path beside the order poll, and the endpoint challenge eBay sends before it delivers.
//
// Verification follows eBay's own SDK (`event-notification-nodejs-sdk`, lib/validator.js). That
// package is not used: it brings express and axios 0.21 and fetches keys with its own client and
// clock. Its algorithm, on node:crypto:
// 1. `X-EBAY-SIGNATURE` is base64 of JSON `{alg, kid, signature, digest}`;
// 2. the public key of `kid` comes from `GET /commerce/notification/v1/public_key/{kid}` (an
//    application token), cached for an hour on the injected clock, concurrent fetches joined;
// 3. the ECDSA signature (base64, DER) is checked over `JSON.stringify(parsed body)` — the SDK
//    verifies the re-serialised body, not the raw bytes, so whitespace outside strings is not
//    covered (every value is). The SDK always hashes with SHA-1 (`ssl3-sha1`); the header's
//    `digest` says which, and SHA1 or SHA256 is taken as it says.
// A key eBay cannot give now (down, throttled) answers 503 so eBay delivers again; a key it does
// not know is a forgery.
//
// A verified ORDER_CONFIRMATION names an order (`data.orderId`): parse reads that order through
// `getOrder` and reports it exactly as the poll would (order-facts.ts), so the notification and
// the poll are one event, deduplicated on eBay's order and line ids. The delivery itself is
// deduplicated on `notification.notificationId` (eBay re-sends the topic when checkout flips back
// to complete: the same order, applied once). If the order cannot be read now, the notification
// is ignored and the poll brings the order.
//
// The challenge: `GET …/webhooks?challenge_code=X` is answered 200 with
// `{"challengeResponse": hex(SHA-256(X + verification_token + endpoint_url))}` (the envelope is
// unconfirmed in channels.md; it is what eBay's SDK and its documentation page send).

import { createHash, createPublicKey, type KeyObject, verify as verifySignature } from 'node:crypto';
import type { Clock } from '../../app/clock.ts';
import { TruestockError } from '../../domain/errors.ts';
import type { ChallengeAnswer, ConnectEnv, Delivery, Parsed, Settings, Verified, VerifyFailed, WebhookEnv, WebhookSpec } from '../kind.ts';
import { ebayApi, FULFILLMENT, NOTIFICATION, segment } from './api.ts';
import { isObject, orderEvent, str, time } from './order-facts.ts';
import { ebaySettings } from './settings.ts';
import { EBAY_BUDGET_FULFILLMENT } from './push.ts';

export const SIGNATURE_HEADER = 'x-ebay-signature';
const SIGNATURE_SPELLING = 'X-EBAY-SIGNATURE';
export const ORDER_CONFIRMATION = 'ORDER_CONFIRMATION';
/** How long a fetched public key is used (eBay's SDK caches for about an hour). */
export const EBAY_PUBLIC_KEY_CACHE_MS = 3_600_000;
/** A notification larger than this is not one (eBay's are a few kilobytes). */
const NOTIFICATION_BYTES_MAX = 262_144;
const DIGESTS: Readonly<Record<string, string>> = { SHA1: 'sha1', SHA256: 'sha256' };

type KeyAnswer = { ok: true; key: KeyObject } | { ok: false; unknown: boolean; message: string };

/** Public keys by API and kid, per fetch and clock (tests with their own never share). */
const keyCache = new WeakMap<typeof fetch, WeakMap<Clock, Map<string, { at: number; answer: Promise<KeyAnswer> }>>>();

/** eBay's key text (PEM with or without line breaks, or bare base64 DER) as a key. */
export function publicKeyOf(text: string): KeyObject {
  const body = text.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  return createPublicKey({ key: Buffer.from(body, 'base64'), format: 'der', type: 'spki' });
}

function cachedKey(settings: Settings, env: ConnectEnv, kid: string): Promise<KeyAnswer> {
  let byClock = keyCache.get(env.fetch);
  if (!byClock) keyCache.set(env.fetch, (byClock = new WeakMap()));
  let byKid = byClock.get(env.clock);
  if (!byKid) byClock.set(env.clock, (byKid = new Map()));
  const name = `${String(settings.endpoint ?? '')}|${kid}`;
  const now = env.clock.now();
  const held = byKid.get(name);
  if (held && now - held.at < EBAY_PUBLIC_KEY_CACHE_MS) return held.answer;
  const answer = fetchKey(settings, env, kid).then((a) => {
    // Only keys are kept: a failed fetch is asked again by the next delivery.
    if (!a.ok) byKid.delete(name);
    return a;
  });
  byKid.set(name, { at: now, answer });
  return answer;
}

async function fetchKey(settings: Settings, env: ConnectEnv, kid: string): Promise<KeyAnswer> {
  const s = ebaySettings(settings);
  if ('code' in s) return { ok: false, unknown: true, message: s.detail };
  const res = await ebayApi(s, env).call<{ key?: unknown; algorithm?: unknown }>({ method: 'GET', path: `${NOTIFICATION}/public_key/${segment(kid)}`, token: 'app' });
  if (!res.ok) return { ok: false, unknown: res.status === 404 || res.status === 400, message: `getPublicKey ${kid}: ${res.message}` };
  const text = str(res.data?.key);
  if (text === null) return { ok: false, unknown: true, message: `getPublicKey ${kid} answered no key` };
  try {
    return { ok: true, key: publicKeyOf(text) };
  } catch (err) {
    return { ok: false, unknown: true, message: `getPublicKey ${kid} answered a key truestock cannot read: ${String(err)}` };
  }
}

interface SignatureHeader {
  alg: string;
  kid: string;
  signature: string;
  digest: string;
}

function readHeader(value: string): SignatureHeader | null {
  try {
    const h = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>;
    const alg = str(h.alg);
    const kid = str(h.kid);
    const signature = str(h.signature);
    if (alg === null || kid === null || signature === null) return null;
    return { alg, kid, signature, digest: str(h.digest) ?? 'SHA1' };
  } catch {
    return null;
  }
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Is a delivery an eBay notification for this channel, signed with eBay's key? */
export async function verifyEbayNotification(d: Delivery, settings: Settings, env?: ConnectEnv): Promise<Verified | VerifyFailed> {
  const value = d.headers[SIGNATURE_HEADER];
  if (value === undefined) return { ok: false, problem: 'missing', field: SIGNATURE_SPELLING, detail: `an eBay notification carries ${SIGNATURE_SPELLING}` };
  const forged = (detail: string, field = SIGNATURE_SPELLING): VerifyFailed => ({ ok: false, problem: 'forged', field, detail });
  const header = readHeader(value);
  if (!header) return forged(`${SIGNATURE_SPELLING} is not base64 of {alg, kid, signature, digest}`);
  const digest = DIGESTS[header.digest.toUpperCase()];
  if (header.alg.toLowerCase() !== 'ecdsa' || !digest) return forged(`${SIGNATURE_SPELLING} names ${header.alg}/${header.digest}; eBay signs with ECDSA over SHA1 or SHA256`);
  const body = d.raw.length <= NOTIFICATION_BYTES_MAX ? parseJson(d.raw) : undefined;
  const metadata = isObject(body) && isObject(body.metadata) ? body.metadata : null;
  const notification = isObject(body) && isObject(body.notification) ? body.notification : null;
  const topic = str(metadata?.topic);
  const notificationId = str(notification?.notificationId);
  if (topic === null || notificationId === null) return { ok: false, problem: 'missing', field: 'notification.notificationId', detail: 'the body is not an eBay notification (metadata.topic and notification.notificationId)' };
  if (!env) return forged('the public key cannot be fetched here');
  const key = await cachedKey(settings, env, header.kid);
  if (!key.ok) {
    if (key.unknown) return forged(`eBay has no public key ${header.kid}: ${key.message}`);
    // eBay's key service is busy or down: not the sender's fault — answered 503, eBay delivers again.
    throw TruestockError.of('busy', `the eBay public key ${header.kid} cannot be fetched now (${key.message})`);
  }
  let good = false;
  try {
    good = verifySignature(digest, Buffer.from(JSON.stringify(body), 'utf8'), key.key, Buffer.from(header.signature, 'base64'));
  } catch {
    good = false;
  }
  if (!good) return forged('the signature does not match the notification and eBay\'s public key');
  const data = isObject(notification!.data) ? notification!.data : {};
  return { ok: true, deliveryId: notificationId, topic, eventId: str(data.orderId), sentAt: time(notification!.publishDate) ?? time(notification!.eventDate) };
}

/** A verified notification's events: the order an ORDER_CONFIRMATION names, read as the poll reads it. */
export async function parseEbayNotification(delivery: Verified, body: unknown, env?: WebhookEnv): Promise<Parsed> {
  const metadata = isObject(body) && isObject(body.metadata) ? body.metadata : null;
  if (!metadata || metadata.topic !== delivery.topic) return { ok: false, ignored: 'the body is not the notification that was verified' };
  if (delivery.topic !== ORDER_CONFIRMATION) return { ok: false, ignored: `notification topic ${delivery.topic} is not one truestock uses` };
  const orderId = delivery.eventId;
  if (orderId === null) return { ok: false, ignored: 'unreadable ORDER_CONFIRMATION: data.orderId is missing' };
  const s = env ? ebaySettings(env.settings) : null;
  if (!env || !s || 'code' in s) return { ok: false, ignored: `order ${orderId} cannot be read here: the poll brings it` };
  // The read shares the Fulfillment budget with the order poll; none soon: eBay delivers again.
  if (env.spend && !(await env.spend(1, EBAY_BUDGET_FULFILLMENT))) throw new Error(`no Fulfillment budget to read order ${orderId} now`);
  const res = await ebayApi(s, env).call<unknown>({ method: 'GET', path: `${FULFILLMENT}/order/${segment(orderId)}` });
  // Destinations are the application's: a notification about another seller's order reaches
  // every channel of the app, and this seller's token cannot read it (404).
  if (!res.ok && res.status === 404) return { ok: false, ignored: `order ${orderId} is not one of this seller's orders` };
  if (!res.ok) return { ok: false, ignored: `order ${orderId} could not be read now (${res.message}): the poll brings it` };
  const read = orderEvent(res.data);
  if (typeof read === 'string') return { ok: false, ignored: `unreadable order ${orderId}: ${read}` };
  return { ok: true, events: [read.event] };
}

/** eBay's challenge answer: hex SHA-256 of challenge code, verification token and endpoint URL. */
export function challengeResponse(code: string, verificationToken: string, endpointUrl: string): string {
  return createHash('sha256').update(code).update(verificationToken).update(endpointUrl).digest('hex');
}

export function answerChallenge(query: Readonly<Record<string, string | undefined>>, url: string, settings: Settings): ChallengeAnswer | null {
  const code = query.challenge_code;
  if (typeof code !== 'string' || code === '') return null;
  const token = settings.verification_token;
  if (typeof token !== 'string' || token === '') return null;
  const endpoint = typeof settings.endpoint_url === 'string' && settings.endpoint_url !== '' ? settings.endpoint_url : url;
  return { status: 200, body: { challengeResponse: challengeResponse(code, token, endpoint) } };
}

export const ebayNotifications: WebhookSpec = {
  // Without the channel at hand no eBay signature can be checked (its key is fetched by id).
  verify: (d) => (d.headers[SIGNATURE_HEADER] === undefined
    ? { ok: false, problem: 'missing', field: SIGNATURE_SPELLING, detail: `an eBay notification carries ${SIGNATURE_SPELLING}` }
    : { ok: false, problem: 'forged', field: SIGNATURE_SPELLING, detail: 'an eBay signature is checked with the public key eBay gives for its kid (verifyWith)' }),
  parse: () => ({ ok: false, ignored: 'an ORDER_CONFIRMATION is read through the order it names (parseWith)' }),
  verifyWith: verifyEbayNotification,
  parseWith: parseEbayNotification,
  challenge: answerChallenge,
  challengeAnswer: {
    type: 'object',
    description: "eBay's endpoint check (a GET with challenge_code)",
    properties: { challengeResponse: { type: 'string', description: 'hex(SHA-256(challenge_code + verification_token + endpoint_url))' } },
    required: ['challengeResponse'],
  },
};
