// Webhook subscriptions (notifications.json) and the deliveries they cause. Off until the seller
// subscribes. PO_CREATED and PO_LINE_AUTOCANCELLED (the legacy events) and ORDER_UPDATES (their
// successor, with payload.subEventType, which adds FRAUD_CANCEL) are delivered through the kit's WebhookSender — retries,
// fault switches, duplicates keeping their `source.eventId` — and authenticated as the
// subscription's authDetails say: HMAC (HMAC-SHA256 of the raw body keyed with clientSecret,
// base64 unless told hex) or BASIC_AUTH (`Basic base64(userName:password)`), each in the header
// authHeaderName. OAUTH is refused at subscription time: not emulated.

import { createHmac } from 'node:crypto';
import { checkAddress, checkFaults, type DeliveryFaults, type KitScheduler, NO_FAULTS, type Random, WebhookSender } from '../kit/index.ts';
import { badContent, contentNotFound } from './errors.ts';
import { orderRecord } from './order-view.ts';
import type { OrderEvent, OrderLine, PurchaseOrder } from './orders.ts';
import { lineQuantity } from './orders.ts';

export const EVENT_TYPES = [
  { resourceName: 'ORDER', eventType: 'PO_CREATED', eventVersion: 'V1', description: 'Notification for new purchase order created' },
  { resourceName: 'ORDER', eventType: 'PO_LINE_AUTOCANCELLED', eventVersion: 'V1', description: 'Notification for purchase order line auto-cancelled' },
  { resourceName: 'ORDER', eventType: 'ORDER_UPDATES', eventVersion: 'V1', description: 'Order lifecycle updates; the concrete update is payload.subEventType' },
  { resourceName: 'ITEM', eventType: 'OFFER_UNPUBLISHED', eventVersion: 'V1', description: 'Notification for unpublished offers (never sent by the emulator)' },
  { resourceName: 'PRICE', eventType: 'BUY_BOX_CHANGED', eventVersion: 'V1', description: 'Notification for change in buy box (never sent by the emulator)' },
  { resourceName: 'REPORTS', eventType: 'REPORT_STATUS', eventVersion: 'V1', description: 'Notification for report status (never sent by the emulator)' },
] as const;

export type HmacEncoding = 'base64' | 'hex';
const AUTH_METHODS = ['BASIC_AUTH', 'HMAC'];
const DEFAULT_AUTH_HEADER = 'Authorization';

export interface AuthDetails {
  authMethod?: string;
  userName?: string;
  password?: string;
  authHeaderName?: string;
  clientSecret?: string;
  clientId?: string;
  authUrl?: string;
}

export interface Subscription {
  subscriptionId: string;
  eventType: string;
  eventVersion: string;
  resourceName: string;
  eventUrl: string;
  status: 'ACTIVE' | 'INACTIVE';
  authDetails?: AuthDetails;
  headers?: Record<string, string>;
  sender: WebhookSender;
}

export interface NotificationOptions {
  partnerId: string;
  scheduler: KitScheduler;
  random: Random;
  newId: () => string;
  retry: { attempts: number; baseDelayMs: number };
  timeoutMs: number;
  hmacEncoding: () => HmacEncoding;
  downForMs: () => number;
  fetch?: typeof fetch;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The headers that authenticate a delivery of `body`, as `auth` says. */
export function deliveryAuthHeaders(auth: AuthDetails | undefined, body: string, encoding: HmacEncoding): Record<string, string> {
  if (!auth?.authMethod) return {};
  const header = auth.authHeaderName || DEFAULT_AUTH_HEADER;
  if (auth.authMethod === 'HMAC') return { [header]: createHmac('sha256', auth.clientSecret ?? '').update(body).digest(encoding) };
  if (auth.authMethod === 'BASIC_AUTH') return { [header]: `Basic ${Buffer.from(`${auth.userName ?? ''}:${auth.password ?? ''}`).toString('base64')}` };
  return {};
}

export class Notifications {
  readonly subscriptions = new Map<string, Subscription>();
  private retired: WebhookSender[] = [];
  private faults: Partial<DeliveryFaults> = {};

  constructor(private readonly o: NotificationOptions) {}

  /** POST /v3/webhooks/subscriptions: every record checked before any is created. */
  create(body: unknown): Subscription[] {
    const events = isObject(body) ? body.events : undefined;
    if (!Array.isArray(events) || events.length === 0) throw badContent('events', 'events must list at least one subscription.');
    const records = events.map((raw, i) => this.checkRecord(raw, `events[${i}]`));
    for (const r of records) {
      const taken = [...this.subscriptions.values()].find((s) => s.eventType === r.eventType && s.eventUrl === r.eventUrl);
      if (taken) throw badContent('eventType', `${r.eventType} to ${r.eventUrl} is subscribed already (${taken.subscriptionId}); PATCH it.`);
    }
    return records.map((r) => {
      const sub = { ...r, subscriptionId: this.o.newId() } as Subscription;
      sub.sender = this.newSender(r.eventUrl, r.eventType, sub);
      this.subscriptions.set(sub.subscriptionId, sub);
      return sub;
    });
  }

  /** A subscription record checked as create would, without keeping it (POST /v3/webhooks/test). */
  probe(raw: unknown): Omit<Subscription, 'subscriptionId' | 'sender'> {
    return this.checkRecord(isObject(raw) ? { status: 'ACTIVE', ...raw } : raw, 'body');
  }

  update(subscriptionId: string, body: unknown): Subscription {
    const sub = this.require(subscriptionId);
    if (!isObject(body)) throw badContent('body', 'The body must be a JSON object.');
    const merged = this.checkRecord({ ...this.view(sub), ...body }, 'body');
    const urlChanged = merged.eventUrl !== sub.eventUrl || merged.eventType !== sub.eventType;
    Object.assign(sub, merged);
    if (urlChanged) {
      this.retired.push(sub.sender);
      sub.sender = this.newSender(sub.eventUrl, sub.eventType, sub);
    }
    return sub;
  }

  delete(subscriptionId: string): void {
    const sub = this.require(subscriptionId);
    this.retired.push(sub.sender);
    this.subscriptions.delete(subscriptionId);
  }

  require(subscriptionId: string): Subscription {
    const s = this.subscriptions.get(subscriptionId);
    if (!s) throw contentNotFound('subscriptionId', `No subscription ${subscriptionId}.`);
    return s;
  }

  view(s: Subscription): Json {
    return {
      eventType: s.eventType,
      subscriptionId: s.subscriptionId,
      partnerId: this.o.partnerId,
      eventVersion: s.eventVersion,
      resourceName: s.resourceName,
      eventUrl: s.eventUrl,
      status: s.status,
      ...(s.authDetails ? { authDetails: { ...s.authDetails } } : {}),
      ...(s.headers ? { headers: { ...s.headers } } : {}),
    };
  }

  /** An order event: the legacy event and ORDER_UPDATES to every ACTIVE subscription of each. */
  orderEvent(order: PurchaseOrder, event: OrderEvent, lines: OrderLine[], at: number): void {
    const eventTime = new Date(at).toISOString();
    for (const sub of this.subscriptions.values()) {
      if (sub.status !== 'ACTIVE') continue;
      let body: Json;
      // FRAUD_CANCEL exists only as an ORDER_UPDATES sub-event; the other two also as legacy events.
      if (sub.eventType === event) body = { source: { eventType: event, eventTime, eventId: this.o.newId() }, payload: legacyPayload(this.o.partnerId, order, event, lines) };
      else if (sub.eventType === 'ORDER_UPDATES') {
        body = { source: { eventType: 'ORDER_UPDATES', eventFilters: null, eventTime, eventId: this.o.newId() }, payload: { meta: { subEventType: event }, subEventType: event, partnerId: this.o.partnerId, order: orderRecord(order) } };
      } else continue;
      sub.sender.send(sub.eventType, JSON.stringify(body), at);
    }
  }

  setFaults(f: Partial<DeliveryFaults>): DeliveryFaults {
    checkFaults(f);
    this.faults = { ...this.faults, ...f };
    for (const s of this.senders()) s.faults.set(this.faults);
    return { ...NO_FAULTS, ...this.faults };
  }

  resetFaults(): void {
    this.faults = {};
    for (const s of this.senders()) s.faults.set(NO_FAULTS);
  }

  counters(): { notificationsSent: number; notificationsAttempts: number; notificationsFailed: number; notificationsDropped: number; notificationsDuplicated: number } {
    const all = this.senders();
    const sum = (k: 'sent' | 'attempts' | 'failed' | 'dropped' | 'duplicated') => all.reduce((n, s) => n + s.counters[k], 0);
    return { notificationsSent: sum('sent'), notificationsAttempts: sum('attempts'), notificationsFailed: sum('failed'), notificationsDropped: sum('dropped'), notificationsDuplicated: sum('duplicated') };
  }

  async flush(): Promise<void> {
    await Promise.all(this.senders().map((s) => s.flush()));
  }

  close(): void {
    for (const s of this.senders()) s.close();
  }

  private senders(): WebhookSender[] {
    return [...this.retired, ...[...this.subscriptions.values()].map((s) => s.sender)];
  }

  private newSender(address: string, eventType: string, sub: Subscription): WebhookSender {
    const sender = new WebhookSender({
      // Read at each attempt: a PATCH of authDetails applies to what is still being retried.
      sign: (body) => ({ ...(sub.headers ?? {}), ...deliveryAuthHeaders(sub.authDetails, body, this.o.hmacEncoding()) }),
      retry: this.o.retry,
      timeoutMs: this.o.timeoutMs,
      scheduler: this.o.scheduler,
      random: this.o.random,
      newId: this.o.newId,
      downForMs: this.o.downForMs,
      ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
    });
    sender.faults.set(this.faults);
    sender.subscribe(address, [eventType]);
    return sender;
  }

  private checkRecord(raw: unknown, at: string): Omit<Subscription, 'subscriptionId' | 'sender'> {
    const r = isObject(raw) ? raw : {};
    for (const k of ['eventType', 'eventVersion', 'resourceName', 'eventUrl', 'status']) {
      if (typeof r[k] !== 'string' || r[k] === '') throw badContent(`${at}.${k}`, `${k} is required.`);
    }
    const type = EVENT_TYPES.find((e) => e.eventType === r.eventType);
    if (!type) throw badContent(`${at}.eventType`, `eventType ${String(r.eventType)} is not one of ${EVENT_TYPES.map((e) => e.eventType).join(', ')}.`);
    if (r.resourceName !== type.resourceName) throw badContent(`${at}.resourceName`, `${type.eventType} belongs to resourceName ${type.resourceName}.`);
    if (r.eventVersion !== type.eventVersion) throw badContent(`${at}.eventVersion`, `${type.eventType} has eventVersion ${type.eventVersion}.`);
    if (r.status !== 'ACTIVE' && r.status !== 'INACTIVE') throw badContent(`${at}.status`, 'status must be ACTIVE or INACTIVE.');
    try {
      checkAddress(r.eventUrl as string);
    } catch (err) {
      throw badContent(`${at}.eventUrl`, (err as Error).message);
    }
    let authDetails: AuthDetails | undefined;
    if (r.authDetails !== undefined && r.authDetails !== null) {
      if (!isObject(r.authDetails)) throw badContent(`${at}.authDetails`, 'authDetails must be an object.');
      const a = r.authDetails as AuthDetails;
      if (!AUTH_METHODS.includes(String(a.authMethod))) throw badContent(`${at}.authDetails.authMethod`, `authMethod must be one of ${AUTH_METHODS.join(', ')} (OAUTH is not emulated).`);
      if (a.authMethod === 'HMAC' && !(typeof a.clientSecret === 'string' && a.clientSecret !== '')) throw badContent(`${at}.authDetails.clientSecret`, 'HMAC needs clientSecret.');
      if (a.authMethod === 'BASIC_AUTH' && !(typeof a.userName === 'string' && typeof a.password === 'string')) throw badContent(`${at}.authDetails.userName`, 'BASIC_AUTH needs userName and password.');
      authDetails = { ...a };
    }
    let headers: Record<string, string> | undefined;
    if (r.headers !== undefined && r.headers !== null) {
      if (!isObject(r.headers) || !Object.values(r.headers).every((v) => typeof v === 'string')) throw badContent(`${at}.headers`, 'headers must map names to strings.');
      headers = { ...(r.headers as Record<string, string>) };
    }
    return { eventType: type.eventType, eventVersion: type.eventVersion, resourceName: type.resourceName, eventUrl: r.eventUrl as string, status: r.status, ...(authDetails ? { authDetails } : {}), ...(headers ? { headers } : {}) };
  }
}

/** The legacy PO_CREATED / PO_LINE_AUTOCANCELLED payload (developer.walmart.com event pages). */
function legacyPayload(partnerId: string, o: PurchaseOrder, event: OrderEvent, lines: OrderLine[]): Json {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    partnerId,
    purchaseOrderId: o.purchaseOrderId,
    customerOrderId: o.customerOrderId,
    orderDate: iso(o.orderDate),
    estimatedDeliveryDate: iso(o.estimatedDeliveryDate),
    estimatedShipDate: iso(o.estimatedShipDate),
    orderLines: lines.map((l) => ({
      lineNumber: l.lineNumber,
      sku: l.sku,
      productName: l.productName,
      quantity: { unitOfMeasure: 'EACH', measurementValue: String(event === 'PO_CREATED' ? l.quantity : lineQuantity(l, 'Cancelled')) },
      status: event === 'PO_CREATED' ? 'CREATED' : 'CANCELLED',
      statusDate: iso(l.statusDate),
      shippingProgramType: 'THREE_DAY',
      shippingMethod: 'Value',
      ...(event !== 'PO_CREATED' && l.cancellationReason ? { cancellationReason: l.cancellationReason } : {}),
    })),
  };
}
