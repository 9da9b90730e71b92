// Prometheus metrics. One registry per instance, so tests can run several in one process.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One channel's sync state at scrape time. */
export interface ChannelGauges {
  channel: string;
  queue_depth: number;
  oldest_pending_age_seconds: number;
  dead_letters: number;
  /** 0 closed, 1 half open, 2 open. */
  breaker: number;
  paused: number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'truestock_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  readonly requestSeconds = new Histogram({
    name: 'truestock_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly commands = new Counter({ name: 'truestock_commands_total', help: 'Ledger commands by type and outcome (ok, replayed, or the refusal code)', labelNames: ['type', 'outcome'], registers: [this.registry] });
  readonly batchSize = new Histogram({ name: 'truestock_ledger_batch_size', help: 'Commands per group-commit transaction', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], registers: [this.registry] });
  readonly batchSeconds = new Histogram({ name: 'truestock_ledger_batch_duration_seconds', help: 'Duration of one group-commit transaction', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [this.registry] });

  readonly syncCalls = new Counter({ name: 'truestock_sync_calls_total', help: 'Push calls to channels by result (ok, throttled, transient, auth, permanent)', labelNames: ['channel', 'result'], registers: [this.registry] });
  readonly syncLag = new Histogram({
    name: 'truestock_sync_lag_seconds',
    help: 'Propagation lag per listing: ledger commit to the channel acknowledging the number',
    labelNames: ['channel'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  private syncGauges: (() => Promise<ChannelGauges[]>) | null = null;

  /** Where the per-channel gauges come from (the store and the dispatcher), read at each scrape. */
  watchSync(read: () => Promise<ChannelGauges[]>): void {
    this.syncGauges = read;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'truestock_' });
    const gauges: [keyof Omit<ChannelGauges, 'channel'>, string][] = [
      ['queue_depth', 'Listings waiting to be pushed to the channel'],
      ['oldest_pending_age_seconds', 'Age of the oldest change not yet pushed'],
      ['dead_letters', 'Listings parked after repeated failures'],
      ['breaker', 'Circuit breaker: 0 closed, 1 half open, 2 open'],
      ['paused', '1 while the channel is paused'],
    ];
    // The registry collects every gauge at once: one read per scrape, shared by all of them.
    let scrape: Promise<ChannelGauges[]> | null = null;
    const rows = () => {
      if (!scrape) {
        scrape = this.syncGauges ? this.syncGauges() : Promise.resolve([]);
        void scrape.finally(() => setTimeout(() => (scrape = null), 0));
      }
      return scrape;
    };
    for (const [key, help] of gauges) {
      new Gauge({
        name: `truestock_sync_${key}`, help, labelNames: ['channel'], registers: [this.registry],
        async collect() {
          this.reset();
          for (const r of await rows()) this.set({ channel: r.channel }, r[key]);
        },
      });
    }
  }

  readonly syncEvents = {
    onCall: (channel: string, result: string) => this.syncCalls.inc({ channel, result }),
    onPushed: (channel: string, lagMs: number) => this.syncLag.observe({ channel }, lagMs / 1000),
  };

  onBatch = (size: number, duration_ms: number) => {
    this.batchSize.observe(size);
    this.batchSeconds.observe(duration_ms / 1000);
  };

  onOutcome = (type: string, outcome: string) => {
    this.commands.inc({ type, outcome });
  };
}
