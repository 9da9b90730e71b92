// The conformance kit for Shopify: the kind's connector against the Shopify emulator, on SQLite
// and PostgreSQL. The adapter below maps the kit's `EmulatedChannel` onto the emulator's
// in-process surface; everything truestock does goes through its real HTTP API and webhooks.

import { createHmac, randomUUID } from 'node:crypto';
import { startShopifyEmulator } from '../../emulators/shopify/index.ts';
import { describeChannel, type EmulatedChannel, type EmulatorOptions, type External } from '../support/conformance.ts';

/** How long "on" lasts for an outage switched off by hand (the emulator takes seconds). */
const OUTAGE_ON_SECONDS = 3_600;
const API_VERSION = '2026-10';

const SPEND = `mutation Spend($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) { userErrors { code } }
}`;

async function startShopifyAdapter(options: EmulatorOptions): Promise<EmulatedChannel> {
  const shop = await startShopifyEmulator({
    shop: `conformance-${randomUUID().slice(0, 8)}`,
    webhookRetry: { attempts: 3, baseDelayMs: 20 },
    ...(options.budget ? { bucketSize: options.budget.size, restoreRate: options.budget.perSecond } : {}),
  });
  const location = shop.addLocation('Warehouse').id;
  const variants = new Map<string, string>(); // sku → inventory item id
  let revoked = false;
  let otherAppThrottled = 0;
  /** Orders by id, for refunds by SKU. */
  const orders = new Map<string, ReturnType<typeof shop.placeOrder>>();

  /** Truestock's calls: with revoked credentials the emulator sees a token it does not know and answers 401. */
  const fetchVia: typeof fetch = (input, init) => {
    if (!revoked) return fetch(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (headers.has('x-shopify-access-token')) headers.set('x-shopify-access-token', 'shpat_revoked');
    return fetch(input, { ...init, headers });
  };

  const sign = (body: Buffer, secret: string) => createHmac('sha256', secret).update(body).digest('base64');

  return {
    fetch: fetchVia,
    settings: (code) => ({
      shop_domain: shop.shopDomain,
      access_token: shop.accessToken,
      webhook_secret: shop.clientSecret,
      api_url: shop.url,
      locations: { [location]: code },
      ...(options.budget ? { bucket_size: options.budget.size, restore_rate: options.budget.perSecond } : {}),
    }),
    addItem(sku, level) {
      const { inventoryItemId } = shop.addItem({ sku, levels: { [location]: level } });
      variants.set(sku, inventoryItemId);
      return { inventory_item_id: inventoryItemId, location_id: location };
    },
    unknownListing: () => ({ inventory_item_id: 'gid://shopify/InventoryItem/999999999', location_id: location }),
    shown: (e: External) => shop.level(e.inventory_item_id!, e.location_id!)?.available ?? null,
    subscribe: (url) => shop.subscribe(url),
    flushWebhooks: () => shop.flushWebhooks(),
    placeOrder(lines) {
      const order = shop.placeOrder({ lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) });
      orders.set(order.id, order);
      return order.id;
    },
    cancelOrder: (id) => void shop.cancelOrder(id, { restock: true }),
    refundWithRestock(id, lines) {
      const order = orders.get(id)!;
      // A `return` restock is of shipped units: the order is fulfilled on Shopify first.
      shop.fulfillOrder(id);
      shop.refund(id, {
        lines: lines.map((l) => ({ lineItemId: order.lines.find((x) => x.sku === l.sku)!.id, quantity: l.quantity, restockType: 'return' as const })),
      });
    },
    handEdit: (e, level) => shop.editAvailable(e.inventory_item_id!, e.location_id!, level),
    outage: (on) => shop.goDown(on ? OUTAGE_ON_SECONDS : 0.001, '503'),
    faults(f) {
      shop.setFaults({
        ...(f.drop !== undefined ? { drop: f.drop ? 1 : 0 } : {}),
        ...(f.duplicate !== undefined ? { duplicate: f.duplicate ? 1 : 0 } : {}),
        ...(f.reorder !== undefined ? { reorder: f.reorder ? 1 : 0 } : {}),
      });
    },
    forge(genuine) {
      const h = genuine.headers;
      const text = genuine.body.toString('utf8');
      // More units where the body has a quantity; otherwise one more byte the JSON does not mind.
      const changed = text.replace(/"quantity":(\d+)/, (_, q: string) => `"quantity":${Number(q) + 5}`);
      const tampered = Buffer.from(changed === text ? `${text} ` : changed);
      return [
        // The body changed under a genuine signature.
        { body: tampered, headers: h },
        // Signed, but with a secret that is not the channel's.
        { body: genuine.body, headers: { ...h, 'x-shopify-hmac-sha256': sign(genuine.body, 'not-the-secret') } },
        // Genuinely signed by this shop's secret, but claiming to come from another shop.
        { body: genuine.body, headers: { ...h, 'x-shopify-shop-domain': 'someone-else.myshopify.com' } },
      ];
    },
    revokeCredentials: (r) => void (revoked = r),
    async spendBudget() {
      // Another app on the same shop. It waits until the bucket is full again (truestock's estimate
      // refills too, so truestock believes it has the whole budget), then spends it with
      // mutations of 10 points each until less than one is left.
      const call = async (query: string, variables: Record<string, unknown> = {}) => {
        const res = await fetch(`${shop.url}/admin/api/${API_VERSION}/graphql.json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-shopify-access-token': shop.accessToken },
          body: JSON.stringify({ query, variables }),
        });
        const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[]; extensions?: { cost?: { throttleStatus?: { currentlyAvailable: number; maximumAvailable: number; restoreRate: number } } } };
        if (body.errors?.some((e) => e.extensions?.code === 'THROTTLED')) otherAppThrottled++;
        return body.extensions?.cost?.throttleStatus ?? { currentlyAvailable: 0, maximumAvailable: 0, restoreRate: 0 };
      };
      // Each look costs a point: look, then sleep until the bucket should be full again.
      for (let i = 0; i < 20; i++) {
        const s = await call('{ shop { id } }');
        if (s.currentlyAvailable >= s.maximumAvailable - 1) break;
        await new Promise((r) => setTimeout(r, Math.ceil(((s.maximumAvailable - s.currentlyAvailable) / (s.restoreRate || 1)) * 1000)));
      }
      for (let i = 0; i < 1_000; i++) {
        const s = await call(SPEND, { key: randomUUID(), input: { name: 'available', reason: 'correction', referenceDocumentUri: 'other-app://spend', quantities: [{ inventoryItemId: 'gid://shopify/InventoryItem/999999999', locationId: location, quantity: 1, changeFromQuantity: 0 }] } });
        if (s.currentlyAvailable < 10) return;
      }
    },
    // The other app's own throttled answers are not truestock's.
    counters: () => ({ throttled: shop.counters().throttled - otherAppThrottled, calls: shop.counters().requests }),
    close: () => shop.close(),
  };
}

describeChannel('shopify', startShopifyAdapter);
