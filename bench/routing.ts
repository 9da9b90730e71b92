// Routing throughput (issue 13): `routeOrder` in-process over 50 locations and 10k SKUs, orders
// of 1–5 lines, against the naive first fit (each line at the first location of a fixed list that
// covers it: what `placeLines` does without a route) on the same orders. Orders/s and p50/p99
// latency per order. Run alone: `node --import tsx bench/routing.ts [--quick]`, or from
// bench/run.ts with `--only routing`.

import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { type RouteCandidate, type RouteLine, type RouteRequest, routeOrder, type ServiceLevel } from '../src/domain/routing.ts';
import { DEFAULT_RULES, transitDays } from '../src/domain/routing-rules.ts';
import { fmt, percentile } from './workload.ts';

export const ROUTING_LOCATIONS = 50;
export const ROUTING_SKUS = 10_000;
/** Orders routed per run (after a warm-up of a tenth as many). */
export const ROUTING_ORDERS_DEFAULT = 100_000;
/** Ship-to destinations the orders are spread over. */
const DESTINATIONS = 1_000;
/** Share of SKUs a location stocks. */
const STOCKED_SHARE = 0.3;

export interface RoutingBenchResult {
  locations: number;
  skus: number;
  orders: number;
  routed: Timing & { split_share: number; greedy_share: number; short_share: number };
  first_fit: Timing & { split_share: number };
  /** 1-minute load average when the run ended: on a shared machine wall time includes waiting for a core. */
  load_average: number;
}

interface Timing {
  /** Orders per wall-clock second. */
  per_second: number;
  /** Orders per second of this process's CPU time (user + system): what the code costs, without the wait for a core. */
  per_cpu_second: number;
  p50_us: number;
  p99_us: number;
}

/** A small deterministic generator (mulberry32): the same workload every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function routingBench(opts: { orders?: number; inspect?: (r: RouteRequest[]) => void } = {}): RoutingBenchResult {
  const orders = opts.orders ?? ROUTING_ORDERS_DEFAULT;
  const rand = rng(13);
  const locIds = Array.from({ length: ROUTING_LOCATIONS }, (_, i) => `L${String(i).padStart(2, '0')}`);
  const locIndex = new Map(locIds.map((id, i) => [id, i]));
  const skuIds = Array.from({ length: ROUTING_SKUS }, (_, i) => `S${i}`);
  const stock = new Map(skuIds.map((id) => [id, Int32Array.from(locIds, () => (rand() < STOCKED_SHARE ? Math.floor(rand() * 20) : 0))]));
  const free = (itemId: string, locationId: string) => stock.get(itemId)![locIndex.get(locationId)!]!;
  const levels: ServiceLevel[] = ['standard', 'standard', 'standard', 'two_day', 'next_day'];

  // Destinations: each with its distance from every location; an order ships to one of them.
  // Candidate lists are built once per destination and service level and shared by its orders.
  const pool = Array.from({ length: DESTINATIONS }, () => {
    const distances = locIds.map(() => Math.round(rand() * 4_000));
    return new Map(levels.map((level) => [level, locIds.map((id, i): RouteCandidate => ({
      id, code: id, distanceKm: distances[i]!, transitDays: transitDays(DEFAULT_RULES, id, level, distances[i]!), priority: i % 5, cost: (i * 7) % 11, shipsOnline: i % 10 !== 9, pickup: i % 10 === 9, channelManaged: false,
    }))]));
  });
  const requests: RouteRequest[] = Array.from({ length: orders }, () => {
    const lineCount = 1 + Math.floor(rand() * 5);
    const lines: RouteLine[] = Array.from({ length: lineCount }, () => {
      const sku = skuIds[Math.floor(rand() * ROUTING_SKUS)]!;
      return { label: sku, quantity: 1 + Math.floor(rand() * 3), parts: [{ itemId: sku, perUnit: 1 }] };
    });
    const level = levels[Math.floor(rand() * levels.length)]!;
    const candidates = pool[Math.floor(rand() * DESTINATIONS)]!.get(level)!;
    return { lines, serviceLevel: level, promiseDays: 2 + Math.floor(rand() * 4), candidates, free };
  });

  opts.inspect?.(requests);
  // The naive peer: each line at the first candidate (in list order) that covers it.
  const firstFit = (r: RouteRequest): number => {
    const taken = new Map<string, number>();
    const used = new Set<string>();
    for (const line of r.lines) {
      const p = line.parts[0]!;
      const q = p.perUnit * line.quantity;
      const c = r.candidates.find((c) => free(p.itemId, c.id) - (taken.get(`${p.itemId}|${c.id}`) ?? 0) >= q) ?? r.candidates[0]!;
      taken.set(`${p.itemId}|${c.id}`, (taken.get(`${p.itemId}|${c.id}`) ?? 0) + q);
      used.add(c.id);
    }
    return used.size;
  };

  const time = <T>(fn: (r: RouteRequest) => T, each: (out: T) => void) => {
    for (const r of requests.slice(0, Math.ceil(orders / 10))) fn(r); // warm-up (JIT)
    const lat = new Float64Array(orders);
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < orders; i++) {
      const t = performance.now();
      const out = fn(requests[i]!);
      lat[i] = performance.now() - t;
      each(out);
    }
    const seconds = (performance.now() - started) / 1_000;
    const used = process.cpuUsage(cpu);
    const sorted = [...lat].sort((a, b) => a - b);
    return { per_second: orders / seconds, per_cpu_second: orders / ((used.user + used.system) / 1e6), p50_us: percentile(sorted, 50) * 1_000, p99_us: percentile(sorted, 99) * 1_000 };
  };

  let split = 0;
  let greedy = 0;
  let short = 0;
  const routed = time(routeOrder, (d) => {
    if (d.split) split++;
    if (d.search === 'greedy') greedy++;
    if (d.short.length > 0) short++;
  });
  let naiveSplit = 0;
  const naive = time(firstFit, (n) => {
    if (n > 1) naiveSplit++;
  });
  return {
    locations: ROUTING_LOCATIONS,
    skus: ROUTING_SKUS,
    orders,
    routed: { ...routed, split_share: split / orders, greedy_share: greedy / orders, short_share: short / orders },
    first_fit: { ...naive, split_share: naiveSplit / orders },
    load_average: os.loadavg()[0]!,
  };
}

export function printRouting(r: RoutingBenchResult): void {
  const pct = (x: number) => `${fmt(x * 100, 1)} %`;
  console.log(`Routing ${fmt(r.orders)} orders of 1–5 lines over ${r.locations} locations and ${fmt(r.skus)} SKUs, in-process:`);
  console.log(`  routeOrder (with reasons)  ${fmt(r.routed.per_second).padStart(9)} orders/s (${fmt(r.routed.per_cpu_second)} per CPU-second)  p50 ${fmt(r.routed.p50_us, 1).padStart(7)} µs  p99 ${fmt(r.routed.p99_us, 1).padStart(7)} µs  split ${pct(r.routed.split_share)} (greedy ${pct(r.routed.greedy_share)}), short ${pct(r.routed.short_share)}`);
  console.log(`  naive first fit            ${fmt(r.first_fit.per_second).padStart(9)} orders/s (${fmt(r.first_fit.per_cpu_second)} per CPU-second)  p50 ${fmt(r.first_fit.p50_us, 1).padStart(7)} µs  p99 ${fmt(r.first_fit.p99_us, 1).padStart(7)} µs  more than one location ${pct(r.first_fit.split_share)}`);
  console.log(`  first fit ÷ routeOrder: ×${fmt(r.first_fit.per_second / r.routed.per_second, 1)} orders/s; routing target ≥ 10,000 orders/s: ${r.routed.per_second >= 10_000 ? 'met' : 'NOT met'} on wall time, ${r.routed.per_cpu_second >= 10_000 ? 'met' : 'NOT met'} on CPU time (load average ${fmt(r.load_average, 1)})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(`truestock routing benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, node ${process.version}`);
  printRouting(routingBench({ orders: process.argv.includes('--quick') ? 20_000 : ROUTING_ORDERS_DEFAULT }));
}
