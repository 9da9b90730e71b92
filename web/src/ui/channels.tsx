// What every channel screen shows the same way: its status badge, its errors in one line, and
// its propagation lag over time.

import { api, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import type { Breaker, LagSample, SyncStatus } from '../types.ts';
import { alignSeries, type ChartSeries, PALETTE, TimeChart } from './chart.tsx';
import { Badge, Empty, LoadState } from './page.tsx';

/** How far back the lag chart looks. */
const LAG_HISTORY_HOURS = 1;

export function breakerState(b: string | Breaker | null | undefined): string | null {
  if (!b) return null;
  return typeof b === 'string' ? b : b.state;
}

export function ChannelStatus({ paused, breaker }: { paused: boolean; breaker: string | Breaker | null | undefined }) {
  const state = breakerState(breaker);
  if (paused) return <Badge tone="warn">paused</Badge>;
  if (state === 'open') return <Badge tone="bad">breaker open</Badge>;
  if (state === 'half_open') return <Badge tone="warn">breaker half-open</Badge>;
  return <Badge tone="good">active</Badge>;
}

export function errorsOf(s: SyncStatus | null): string {
  const d = s?.dispatcher;
  if (!d) return '';
  const failed = d.calls.transient + d.calls.permanent;
  const parts = [];
  if (failed > 0) parts.push(`${f.int(failed)} failed call${failed === 1 ? '' : 's'}`);
  if (d.calls.throttled > 0) parts.push(`${f.int(d.calls.throttled)} throttled`);
  return parts.join(', ');
}

/** Propagation lag per channel over the last hour: p99 solid, p50 dashed, one colour per channel. */
export function LagChart({ channels, title = 'Propagation lag, last hour' }: { channels: { id: string; name: string }[]; title?: string }) {
  const ids = channels.map((c) => c.id).join(',');
  const history = useLive(
    () => Promise.all(channels.map((c) => api.get<{ data: LagSample[] }>(`/channels/${seg(c.id)}/lag-history`, { hours: LAG_HISTORY_HOURS }).then((r) => ({ c, samples: r.data })))),
    [ids],
  );
  if (channels.length === 0) return null;
  const rows = history.data ?? [];
  const series: ChartSeries[] = [];
  const points: { at: number; value: number | null }[][] = [];
  rows.forEach(({ c, samples }, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    series.push({ label: `${c.name} p99`, color, format: f.ms }, { label: `${c.name} p50`, color, dash: [6, 4], format: f.ms });
    points.push(samples.map((s) => ({ at: Date.parse(s.at) / 1000, value: s.p99_ms })), samples.map((s) => ({ at: Date.parse(s.at) / 1000, value: s.p50_ms })));
  });
  const { xs, ys } = alignSeries(points);
  return (
    <div className="chart-block">
      <h3>{title}</h3>
      <LoadState live={history} what="lag history" />
      {rows.length > 0 && xs.length === 0 && <Empty>No lag samples yet: they are taken every 30 seconds while the sync runs.</Empty>}
      {xs.length > 0 && <TimeChart xs={xs} ys={ys} series={series} label={`${title}, per channel, p50 and p99 in milliseconds`} yLabel="ms" />}
    </div>
  );
}
