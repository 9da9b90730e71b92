// Micro-benchmark of the pure availability engine: µs per computeAvailability call, for a
// standard item at 10 locations and a 20-component bundle at 10 locations, with and without the
// explanation. The app runs the numbers-only variant inside write transactions for every
// affected listing, so that one is the figure to keep well under 50 µs.
//
// `node --import tsx bench/availability-engine.ts` prints the figures; `engineBench()` returns them.

import { computeAvailability } from '../src/domain/availability.ts';
import type { DemandFacts, ItemFacts, LevelFacts, ResolvedRule } from '../src/domain/availability-model.ts';

const LOCATIONS = 10;
const COMPONENTS = 20;
/** Calls timed per case, after as many warm-up calls. */
const ITERATIONS = 100_000;

export interface EngineBench {
  iterations: number;
  /** µs per call, numbers only (what the incremental recompute uses). */
  standard_us: number;
  bundle_us: number;
  /** µs per call with the full explanation (the explain endpoint). */
  standard_explained_us: number;
  bundle_explained_us: number;
}

function levels(seed: number): LevelFacts[] {
  return Array.from({ length: LOCATIONS }, (_, i) => ({
    location: `L${i}`,
    kind: i % 3 === 0 ? 'store' : 'warehouse',
    ships_online: i % 4 !== 0,
    available: (seed * 7 + i * 13) % 50,
    ring_fenced: 0,
    incoming_soon: i % 2 === 0 ? 5 : 0,
  }));
}

const standard = (sku: string, seed: number): ItemFacts => ({ sku, kind: 'standard', levels: levels(seed), components: [] });

const bundle: ItemFacts = {
  sku: 'KIT',
  kind: 'bundle',
  levels: [],
  components: Array.from({ length: COMPONENTS }, (_, i) => ({ item: standard(`C${i}`, i + 1), quantity: 1 + (i % 3) })),
};

// A realistic rule: an adaptive buffer (the Poisson quantile runs every call), a cap, a threshold and backorder.
const rule: ResolvedRule = {
  locations: { kinds: ['warehouse', 'store'] },
  allocation: { mode: 'share', percent: 60 },
  buffer: { mode: 'adaptive', confidence: 0.95, min_units: 1, max_units: 20 },
  cap_units: 500,
  zero_below_units: 2,
  backorder_days: 14,
  applied: ['default'],
};
const demand: DemandFacts = { others_units_per_hour: 12, inbound_lag_seconds: 120, outbound_lag_seconds: 300 };

function time(item: ItemFacts, explain: boolean): number {
  let sink = 0;
  for (let i = 0; i < ITERATIONS; i++) sink += computeAvailability(item, rule, demand, { explain }).quantity;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) sink += computeAvailability(item, rule, demand, { explain }).quantity;
  const us = Number(process.hrtime.bigint() - start) / 1_000 / ITERATIONS;
  if (sink < 0) throw new Error('unreachable'); // keeps the calls from being optimised away
  return us;
}

export function engineBench(): EngineBench {
  const item = standard('STD', 3);
  return {
    iterations: ITERATIONS,
    standard_us: time(item, false),
    bundle_us: time(bundle, false),
    standard_explained_us: time(item, true),
    bundle_explained_us: time(bundle, true),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = engineBench();
  console.log(`availability engine (${LOCATIONS} locations, bundle of ${COMPONENTS} components, ${r.iterations} calls each)`);
  console.log(`  standard item   ${r.standard_us.toFixed(2)} µs/call   explained ${r.standard_explained_us.toFixed(2)} µs/call`);
  console.log(`  20-part bundle  ${r.bundle_us.toFixed(2)} µs/call   explained ${r.bundle_explained_us.toFixed(2)} µs/call`);
}
