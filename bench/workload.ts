// Shared pieces of the reservation benchmarks: run N attempts from C concurrent callers and
// summarise throughput, latency percentiles and outcomes.

export interface RunStats {
  attempts: number;
  ok: number;
  refused: Record<string, number>;
  seconds: number;
  per_second: number;
  p50_ms: number;
  p99_ms: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Run `attempts` calls of `call(i)` from `concurrency` callers; `call` resolves to 'ok' or a refusal code. */
export async function drive(attempts: number, concurrency: number, call: (i: number) => Promise<string>): Promise<RunStats> {
  const latencies = new Float64Array(attempts);
  const outcomes: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < attempts; i = next++) {
        const t0 = performance.now();
        const outcome = await call(i);
        latencies[i] = performance.now() - t0;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const { ok = 0, ...refused } = outcomes;
  return { attempts, ok, refused, seconds, per_second: attempts / seconds, p50_ms: percentile(sorted, 50), p99_ms: percentile(sorted, 99) };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
