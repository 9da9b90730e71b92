// Test helpers: an admin-api-client pointed at an emulator, and a webhook receiver that records
// raw bodies and headers and answers with a scripted status.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminApiClient } from '@shopify/admin-api-client';
import type { ShopifyEmulator } from './emulator.ts';

export function clientFor(e: ShopifyEmulator, o: { apiVersion?: string; accessToken?: string } = {}) {
  return createAdminApiClient({
    storeDomain: e.shopDomain,
    apiVersion: o.apiVersion ?? '2026-10',
    accessToken: o.accessToken ?? e.accessToken,
    // Silences the client's warning about versions it thinks are old (it judges by the clock).
    logger: () => {},
    // The client forces https; the emulator speaks plain http on 127.0.0.1.
    customFetchApi: (url: string, init?: RequestInit) => fetch(url.replace(`https://${e.shopDomain}`, e.url), init),
  });
}

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  topic: string;
  webhookId: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status to answer the n-th request (0-based); default 200. */
  statusFor: (n: number) => number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let n = 0;
  const r: Receiver = { url: '', received, statusFor: () => 200, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, body: JSON.parse(raw), topic: String(req.headers['x-shopify-topic']), webhookId: String(req.headers['x-shopify-webhook-id']) });
      res.writeHead(r.statusFor(n++)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  r.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return r;
}

/** What a receiver must do: recompute the HMAC over the raw body and compare in constant time. */
export function verifies(raw: string, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(raw, 'utf8').digest('base64'));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export const SET_QUANTITIES = /* GraphQL */ `
  mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
    inventorySetQuantities(input: $input) @idempotent(key: $key) {
      inventoryAdjustmentGroup { id reason referenceDocumentUri changes { name delta quantityAfterChange item { id } location { id } } }
      userErrors { code field message }
    }
  }
`;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
