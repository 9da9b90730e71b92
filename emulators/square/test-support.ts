// Test helpers: an emulator on a fake clock reached through the kit's in-process fetch, and a
// `call` that validates every inventory request it sends and every answer it gets against
// Square's official model (../shared/specs/square/inventory-subset.api.json, via
// test/support/spec-validator.ts). Orders are not in that model: their answers are parsed with
// the official `square` SDK's own serializers, unknown keys refused.
//
// The model declares only 200 answers. An error answer's status cannot be checked against it;
// its body is (the 200 schemas carry `errors: Error[]`, whose category and code are enums), and
// the test asserts the status itself.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialization } from 'square';
import { expect } from 'vitest';
import { inProcessFetch, ManualKitScheduler } from '../kit/index.ts';
import { type ApiModel, loadApiModel } from '../../test/support/spec-validator.ts';
import { createSquareEmulator, type SquareEmulator } from './emulator.ts';
import type { SquareEmulatorOptions } from './types.ts';

export const MODEL_PATH = new URL('../../../shared/specs/square/inventory-subset.api.json', import.meta.url).pathname;
export const ORIGIN = 'http://connect.squareup.emulated';
export const START = Date.parse('2026-11-23T10:00:00Z');
export const LOCATION = 'LSTORE000001';
export const SQUARE_VERSION = '2026-05-20';

export const model = (): ApiModel => loadApiModel(MODEL_PATH);

let eventModelPath: string | undefined;
/**
 * The official model with one extra operation whose request body is the model's own
 * InventoryCountUpdatedEvent schema: the validator checks a webhook body as the request it is.
 */
export function eventModel(): ApiModel {
  if (!eventModelPath) {
    const doc = JSON.parse(readFileSync(MODEL_PATH, 'utf8')) as { paths: Record<string, unknown> };
    doc.paths['/webhooks/inventory.count.updated'] = {
      post: {
        operationId: 'InventoryCountUpdatedWebhook',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/InventoryCountUpdatedEvent' } } } },
        responses: { '200': { description: 'acknowledged' } },
      },
    };
    eventModelPath = join(mkdtempSync(join(tmpdir(), 'square-event-model-')), 'inventory-with-event.api.json');
    writeFileSync(eventModelPath, JSON.stringify(doc));
  }
  return loadApiModel(eventModelPath);
}

export function expectValidCountEvent(body: unknown): void {
  const check = eventModel().validateRequest({ method: 'POST', url: '/webhooks/inventory.count.updated', body });
  expect(check.errors, JSON.stringify(body)).toEqual([]);
}

const STRICT = { unrecognizedObjectKeys: 'fail', allowUnrecognizedEnumValues: false, skipValidation: false } as const;

/** Parses an order with the SDK's serializer (strict: unknown keys and wrong types fail). */
export function expectSdkOrder(raw: unknown): void {
  const r = serialization.Order.parse(raw, STRICT);
  expect(r.ok ? [] : r.errors, JSON.stringify(raw)).toEqual([]);
}

export function expectSdkEvent(raw: unknown, type: 'order.created' | 'order.updated'): void {
  const schema = type === 'order.created' ? serialization.OrderCreatedEvent : serialization.OrderUpdatedEvent;
  const r = schema.parse(raw, STRICT);
  expect(r.ok ? [] : r.errors, JSON.stringify(raw)).toEqual([]);
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export interface Harness {
  square: SquareEmulator;
  scheduler: ManualKitScheduler;
  fetch: typeof fetch;
  /**
   * An API call with the emulator's token, validated both ways: inventory calls against the
   * model, order reads with the SDK. `schemaInvalid`: the request is meant to break the model.
   */
  call(method: string, path: string, o?: { query?: Record<string, string>; body?: unknown; token?: string | null; schemaInvalid?: boolean; headers?: Record<string, string> }): Promise<Answer>;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Adds a catalog object (price 500 cents) and, if given, a starting IN_STOCK count by hand. */
  seed(id: string, count?: number): Promise<void>;
  close(): Promise<void>;
}

export async function harness(options: SquareEmulatorOptions = {}): Promise<Harness> {
  const scheduler = new ManualKitScheduler(START);
  const square = createSquareEmulator({ scheduler, ...options });
  const f = inProcessFetch(square.handler, { origin: ORIGIN });
  const h: Harness = {
    square,
    scheduler,
    fetch: f,
    async call(method, path, o = {}) {
      const url = `${ORIGIN}${path}${o.query ? `?${new URLSearchParams(o.query).toString()}` : ''}`;
      const isOrders = path.startsWith('/v2/orders');
      let operationId: string | undefined;
      if (!isOrders) {
        const check = model().validateRequest({ method, url, body: o.body });
        if (o.schemaInvalid) expect(check.errors, `the model should refuse ${method} ${url}`).not.toEqual([]);
        else expect(check.errors, `request ${method} ${url}`).toEqual([]);
        operationId = check.operationId;
        if (!operationId) throw new Error(`${method} ${path} is no operation of the model`);
      }
      const t = o.token === undefined ? square.accessToken : o.token;
      const res = await f(url, {
        method,
        headers: { 'Square-Version': SQUARE_VERSION, ...(t !== null ? { authorization: `Bearer ${t}` } : {}), ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      });
      const text = await res.text();
      const body = text === '' ? undefined : JSON.parse(text);
      if (operationId) {
        expect(model().validateResponse({ operationId, status: 200, body }), `answer ${res.status} to ${method} ${url}: ${text}`).toEqual([]);
      } else if (res.status === 200 && path.startsWith('/v2/orders/search')) {
        const parsed = serialization.SearchOrdersResponse.parse(body, STRICT);
        expect(parsed.ok ? [] : parsed.errors, text).toEqual([]);
      } else if (res.status === 200 && path.startsWith('/v2/orders/batch-retrieve')) {
        for (const order of body.orders ?? []) expectSdkOrder(order);
      } else if (res.status === 200) {
        expectSdkOrder(body.order);
      }
      if (res.status !== 200) expect(body.errors?.length, `an error answer carries errors: ${text}`).toBeGreaterThan(0);
      return { status: res.status, headers: res.headers, body };
    },
    async control(method, path, body) {
      const res = await f(`${ORIGIN}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    async seed(id, count) {
      expect((await h.control('POST', '/_emulator/catalog', { id, name: `Item ${id}`, price_amount: 500 })).status).toBe(201);
      if (count !== undefined) expect((await h.control('POST', '/_emulator/pos/counts', { catalog_object_id: id, location_id: LOCATION, quantity: count })).status).toBe(201);
    },
    close: () => square.close(),
  };
  return h;
}

/** A PHYSICAL_COUNT change of IN_STOCK at the store. */
export function physicalCount(id: string, quantity: string, occurredAt: number, extra: Record<string, unknown> = {}) {
  return { type: 'PHYSICAL_COUNT', physical_count: { catalog_object_id: id, location_id: LOCATION, state: 'IN_STOCK', quantity, occurred_at: new Date(occurredAt).toISOString(), ...extra } };
}

export function adjustment(id: string, quantity: string, occurredAt: number, from = 'IN_STOCK', to = 'SOLD') {
  return { type: 'ADJUSTMENT', adjustment: { catalog_object_id: id, location_id: LOCATION, from_state: from, to_state: to, quantity, occurred_at: new Date(occurredAt).toISOString() } };
}

/** The IN_STOCK count at the store, read through RetrieveInventoryCount. */
export async function inStock(h: Harness, id: string): Promise<string | undefined> {
  const a = await h.call('GET', `/v2/inventory/${id}`);
  expect(a.status).toBe(200);
  return (a.body.counts ?? []).find((c: any) => c.state === 'IN_STOCK' && c.location_id === LOCATION)?.quantity;
}

export interface Delivery {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A webhook receiver for `webhookFetch`: records every POST and answers `status()` (200 by default). */
export function receiver(status: (d: Delivery, n: number) => number = () => 200) {
  const deliveries: Delivery[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const d = { url: String(input), headers, body: String(init?.body ?? '') };
    deliveries.push(d);
    return new Response(null, { status: status(d, deliveries.length) });
  }) as typeof globalThis.fetch;
  return {
    fetch,
    deliveries,
    /** Parsed bodies of deliveries of one event type. */
    events: (type: string) => deliveries.map((d) => JSON.parse(d.body)).filter((b) => b.type === type),
  };
}
