// The Shopify emulator of the sync benchmark, in a process of its own (as a real shop is): its
// GraphQL answers, webhook signing and deliveries, and the pacing of the burst no longer share
// the event loop of the server they measure. The parent drives it over IPC with the few calls
// the benchmark needs; `inProcessShop` offers the same calls on an emulator in this process.
//
// Run as a child by `startShopProcess` (the file is its own entry point).

import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startShopifyEmulator, type ShopifyEmulator } from '../emulators/shopify/index.ts';
import type { Counters, Faults, ShopifyEmulatorOptions } from '../emulators/shopify/index.ts';

/** What the sync benchmark asks of its shop. */
export interface BenchShop {
  shopDomain: string;
  accessToken: string;
  clientSecret: string;
  url: string;
  addLocation(name: string): Promise<string>;
  /** One item per SKU with `available` units at `locationId`; their inventory item ids in order. */
  addItems(skus: string[], locationId: string, available: number): Promise<string[]>;
  subscribe(address: string): Promise<void>;
  setFaults(f: Partial<Faults>): Promise<void>;
  /** `orders` orders at an even pace over `seconds`, one unit each of `skus[(i × 7919) mod n]`. */
  burst(skus: string[], orders: number, seconds: number): Promise<void>;
  /** Available units of each inventory item at the location, in order. */
  levels(inventoryItemIds: string[], locationId: string): Promise<number[]>;
  counters(): Promise<Counters>;
  flushWebhooks(): Promise<void>;
  close(): Promise<void>;
}

/** Orders placed on the shop at an even pace, each for one unit of a SKU; the shop sends their webhooks. */
async function placeBurst(shop: ShopifyEmulator, skus: string[], orders: number, seconds: number): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < orders; i++) {
    const due = start + (i * seconds * 1000) / orders;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    shop.placeOrder({ lines: [{ sku: skus[(i * 7919) % skus.length]!, quantity: 1 }] });
  }
}

function surface(shop: ShopifyEmulator) {
  return {
    addLocation: async (name: string) => shop.addLocation(name).id,
    addItems: async (skus: string[], locationId: string, available: number) => skus.map((sku) => shop.addItem({ sku, levels: { [locationId]: available } }).inventoryItemId),
    subscribe: async (address: string) => shop.subscribe(address),
    setFaults: async (f: Partial<Faults>) => void shop.setFaults(f),
    burst: (skus: string[], orders: number, seconds: number) => placeBurst(shop, skus, orders, seconds),
    levels: async (ids: string[], locationId: string) => ids.map((id) => shop.level(id, locationId)!.available),
    counters: async () => shop.counters(),
    flushWebhooks: () => shop.flushWebhooks(),
    close: () => shop.close(),
  };
}

export async function inProcessShop(options: ShopifyEmulatorOptions): Promise<BenchShop> {
  const shop = await startShopifyEmulator(options);
  return { shopDomain: shop.shopDomain, accessToken: shop.accessToken, clientSecret: shop.clientSecret, url: shop.url, ...surface(shop) };
}

type Call = { id: number; method: keyof ReturnType<typeof surface>; args: unknown[] };
type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export async function startShopProcess(options: ShopifyEmulatorOptions): Promise<BenchShop> {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const ready = new Promise<{ shopDomain: string; accessToken: string; clientSecret: string; url: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as never));
    child.once('exit', (code) => reject(new Error(`the shop process exited (${code}) before it was ready`)));
  });
  const info = await ready;
  child.on('message', (m: Answer) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.ok) w?.resolve(m.value);
    else w?.reject(new Error(m.error));
  });
  child.on('exit', () => {
    for (const w of waiting.values()) w.reject(new Error('the shop process exited'));
    waiting.clear();
  });
  const call = <T>(method: Call['method'], ...args: unknown[]) => new Promise<T>((resolve, reject) => {
    const id = ++next;
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    child.send({ id, method, args } satisfies Call);
  });
  return {
    ...info,
    addLocation: (name) => call('addLocation', name),
    addItems: (skus, locationId, available) => call('addItems', skus, locationId, available),
    subscribe: (address) => call('subscribe', address),
    setFaults: (f) => call('setFaults', f),
    burst: (skus, orders, seconds) => call('burst', skus, orders, seconds),
    levels: (ids, locationId) => call('levels', ids, locationId),
    counters: () => call('counters'),
    flushWebhooks: () => call('flushWebhooks'),
    close: async () => {
      await call('close').catch(() => undefined);
      child.disconnect();
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}

// The child: start the emulator, say where it is, answer calls until told to close.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const shop = await startShopifyEmulator(JSON.parse(process.argv[2]!) as ShopifyEmulatorOptions);
  const s = surface(shop);
  process.send({ shopDomain: shop.shopDomain, accessToken: shop.accessToken, clientSecret: shop.clientSecret, url: shop.url });
  process.on('message', (m: Call) => {
    void (async () => {
      try {
        const value = await (s[m.method] as (...a: unknown[]) => Promise<unknown>)(...m.args);
        process.send!({ id: m.id, ok: true, value: value ?? null } satisfies Answer);
      } catch (err) {
        process.send!({ id: m.id, ok: false, error: String(err) } satisfies Answer);
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
  // SHOP_ELU=1: the shop's event loop utilization each second on stderr (is the shop the bottleneck?).
  if (process.env.SHOP_ELU) {
    let last = performance.eventLoopUtilization();
    setInterval(() => {
      const now = performance.eventLoopUtilization();
      process.stderr.write(`SHOP_ELU ${performance.eventLoopUtilization(now, last).utilization.toFixed(2)}\n`);
      last = now;
    }, 1000).unref();
  }
}
