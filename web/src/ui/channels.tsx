// What every channel screen shows the same way: its status badge, its errors in one line, and
// its propagation lag over time.

import { api, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import type { Breaker, ChannelState, LagSample, SyncStatus } from '../types.ts';
import { alignSeries, type ChartSeries, PALETTE, TimeChart } from './chart.tsx';
import { Badge, Empty, LoadState } from './page.tsx';

/** How far back the lag chart looks. */
const LAG_HISTORY_HOURS = 1;

export function breakerState(b: string | Breaker | null | undefined): string | null {
  if (!b) return null;
  return typeof b === 'string' ? b : b.state;
}

const STATE_BADGE: Record<ChannelState, { label: string; tone: 'good' | 'warn' | 'bad' | 'info' }> = {
  active: { label: 'active', tone: 'good' },
  served: { label: 'served, not pushed', tone: 'info' },
  paused: { label: 'paused', tone: 'warn' },
  degraded: { label: 'degraded', tone: 'warn' },
  failing: { label: 'failing', tone: 'bad' },
};

/**
 * The channel's state in one badge. With the API's overall `state` (inbound polls and pushes
 * together) that word is shown, its reasons as the tooltip; without it (the overview, an older
 * server), paused and the breaker decide.
 */
export function ChannelStatus({ paused, breaker, state, reasons }: { paused: boolean; breaker: string | Breaker | null | undefined; state?: ChannelState | undefined; reasons?: string[] | undefined }) {
  const known = state ? STATE_BADGE[state] : undefined;
  if (known) {
    return (
      <span title={reasons && reasons.length > 0 ? reasons.join('; ') : undefined}>
        <Badge tone={known.tone}>{known.label}</Badge>
      </span>
    );
  }
  const b = breakerState(breaker);
  if (paused) return <Badge tone="warn">paused</Badge>;
  if (b === 'open') return <Badge tone="bad">breaker open</Badge>;
  if (b === 'half_open') return <Badge tone="warn">breaker half-open</Badge>;
  return <Badge tone="good">active</Badge>;
}

/**
 * A failure as one line of text, whatever shape it came in: the API sends `{at, message}`, older
 * servers a string. Never hand an object to React as a child: that throws and blanks the screen.
 */
export function failureText(x: unknown): string | null {
  if (x === null || x === undefined || x === '') return null;
  if (typeof x === 'string') return x;
  if (typeof x === 'object' && 'message' in x) {
    const { message, at } = x as { message?: unknown; at?: unknown };
    const when = typeof at === 'string' ? ` (${f.time(at)})` : '';
    return `${typeof message === 'string' ? message : JSON.stringify(message)}${when}`;
  }
  return typeof x === 'object' ? JSON.stringify(x) : String(x);
}

/** Whether this status is of a channel whose numbers are served, not pushed. */
export const isServed = (s: SyncStatus | null | undefined): boolean => s?.numbers === 'served';

export function errorsOf(s: SyncStatus | null): string {
  const d = s?.dispatcher;
  if (!d) return '';
  const failed = d.calls.transient + d.calls.permanent;
  const parts = [];
  if (failed > 0) parts.push(`${f.int(failed)} failed call${failed === 1 ? '' : 's'}`);
  if (d.calls.throttled > 0) parts.push(`${f.int(d.calls.throttled)} throttled`);
  return parts.join(', ');
}

/** Inbound health in one line: when orders were last polled, and the last failure if it is current. */
export function inboundText(s: SyncStatus | null | undefined): string | null {
  const i = s?.inbound;
  if (!i) return null;
  const last = `last order poll ${f.time(i.last_poll_at)}`;
  if (i.consecutive_failures > 0) return `${last}: failed ${i.consecutive_failures} in a row — ${failureText(i.last_error) ?? 'no detail'}`;
  return `${last}: ok`;
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
    // Plotted in seconds, the unit every lag is shown in.
    const seconds = (v: number | null | undefined) => f.lag(v === null || v === undefined ? v : v * 1_000);
    series.push({ label: `${c.name} p99`, color, format: seconds }, { label: `${c.name} p50`, color, dash: [6, 4], format: seconds });
    points.push(samples.map((s) => ({ at: Date.parse(s.at) / 1000, value: s.p99_ms === null ? null : s.p99_ms / 1_000 })), samples.map((s) => ({ at: Date.parse(s.at) / 1000, value: s.p50_ms === null ? null : s.p50_ms / 1_000 })));
  });
  const { xs, ys } = alignSeries(points);
  return (
    <div className="chart-block">
      <h3>{title}</h3>
      <LoadState live={history} what="lag history" />
      {rows.length > 0 && xs.length === 0 && <Empty>No lag samples yet: they are taken every 30 seconds while the sync runs.</Empty>}
      {xs.length > 0 && <TimeChart xs={xs} ys={ys} series={series} label={`${title}, per channel, p50 and p99 in seconds`} yLabel="s" />}
    </div>
  );
}
