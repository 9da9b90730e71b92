// Overview: is the stock healthy, what needs a human, are the channels keeping up, and did we
// stop (or fail to stop) oversells.

import { api, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import { href } from '../router.ts';
import type { Overview, OverviewChannel } from '../types.ts';
import { ChannelStatus, LagChart } from '../ui/channels.tsx';
import { Empty, LoadState, PageHeader, Section, Stat, TableWrap } from '../ui/page.tsx';

export function OverviewPage() {
  const ov = useLive(() => api.get<Overview>('/overview'), []);
  const o = ov.data;
  return (
    <div>
      <PageHeader title="Overview" sub="Live: refreshes every 3 seconds while this page is visible." />
      <LoadState live={ov} what="the overview" />
      {o && (
        <>
          <Section title="Stock health" id="stock">
            <div className="stats">
              <Stat label="active items (bundles and multipacks aside)" value={f.int(o.stock.items)} href={href('/items')} />
              <Stat label="stock levels (an item at a location)" value={f.int(o.stock.stock_levels)} href={href('/items')} />
              <Stat label="active items with none available" value={f.int(o.stock.out_of_stock_items)} tone={o.stock.out_of_stock_items > 0 ? 'warn' : undefined} href={href('/items', { stock: 'out_of_stock' })} />
              <Stat label="oversold levels" value={f.int(o.stock.oversold_levels)} tone={o.stock.oversold_levels > 0 ? 'bad' : 'good'} href={href('/items', { stock: 'oversold' })} />
              <Stat label="oversold units" value={f.int(o.stock.oversold_units)} tone={o.stock.oversold_units > 0 ? 'bad' : 'good'} href={href('/items', { stock: 'oversold' })} />
            </div>
          </Section>
          <Section title="Oversells, last 24 hours" id="oversells">
            <div className="stats">
              <Stat label="prevented (reservations refused for lack of stock)" value={f.int(o.oversells.prevented_24h)} tone="good" />
              <Stat label="recorded (orders oversold)" value={f.int(o.oversells.recorded_24h)} tone={o.oversells.recorded_24h > 0 ? 'bad' : 'good'} href={href('/exceptions', { kind: 'oversold' })} />
            </div>
          </Section>
          <ExceptionsSummary o={o} />
          <Section title="Channels" id="channels" actions={<a href={href('/channels')}>All channel controls</a>}>
            <ChannelTable channels={o.channels} />
            <LagChart channels={o.channels} />
          </Section>
        </>
      )}
    </div>
  );
}

function ExceptionsSummary({ o }: { o: Overview }) {
  const age = o.exceptions.by_age;
  const buckets = [
    { label: 'under 1 hour', n: age.lt_1h, query: {} },
    { label: '1 to 24 hours', n: age.h1_24, query: { older_than_hours: 1 } },
    { label: '1 to 7 days', n: age.d1_7, query: { older_than_hours: 24 } },
    { label: 'over 7 days', n: age.gt_7d, query: { older_than_hours: 168 } },
  ];
  const max = Math.max(1, ...buckets.map((b) => b.n));
  const kinds = Object.entries(o.exceptions.by_kind).sort((a, b) => b[1] - a[1]);
  return (
    <Section title="Open exceptions" id="exceptions" actions={<a href={href('/exceptions')}>Open the inbox ({f.int(o.exceptions.open)})</a>}>
      <div className="two-col">
        <div>
          <h3>By age</h3>
          <ul className="bars">
            {buckets.map((b) => (
              <li key={b.label}>
                <a href={href('/exceptions', b.query)}>{b.label}</a>
                <span className="bar" aria-hidden="true">
                  <span style={{ width: `${(b.n / max) * 100}%` }} className={b.label.startsWith('over') && b.n > 0 ? 'bar-bad' : ''} />
                </span>
                <span className="bar-n">{f.int(b.n)}</span>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3>By severity</h3>
          <div className="stats stats-small">
            {(['high', 'medium', 'low'] as const).map((sev) => (
              <Stat key={sev} label={sev} value={f.int(o.exceptions.by_severity?.[sev] ?? null)} tone={sev === 'high' && (o.exceptions.by_severity?.high ?? 0) > 0 ? 'bad' : sev === 'medium' && (o.exceptions.by_severity?.medium ?? 0) > 0 ? 'warn' : undefined} />
            ))}
          </div>
          <h3>By kind</h3>
          {kinds.length === 0 ? (
            <Empty>Nothing open.</Empty>
          ) : (
            <ul className="plain-list">
              {kinds.map(([kind, n]) => (
                <li key={kind}>
                  <a href={href('/exceptions', { kind })}>{f.label(kind)}</a>: {f.int(n)}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </Section>
  );
}

function ChannelTable({ channels }: { channels: OverviewChannel[] }) {
  if (channels.length === 0) return <Empty>No channels yet.</Empty>;
  return (
    <TableWrap label="Channels">
      <table>
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">Queue</th>
            <th scope="col" className="num">Oldest pending</th>
            <th scope="col" className="num">Dead letters</th>
            <th scope="col" className="num">Lag p50</th>
            <th scope="col" className="num">Lag p99</th>
          </tr>
        </thead>
        <tbody>
          {channels.map((c) => (
            <tr key={c.id}>
              <th scope="row">
                <a href={href(`/channels/${seg(c.id)}`)}>{c.name}</a> <span className="muted">{c.kind}</span>
              </th>
              <td>
                <ChannelStatus paused={c.paused} breaker={c.breaker} state={c.state ?? undefined} reasons={c.state_reasons} />
              </td>
              {c.numbers === 'served' ? (
                <td colSpan={5} className="muted small">
                  Numbers served, not pushed: nothing to queue.
                </td>
              ) : (
                <>
                  <td className="num">{f.int(c.queue_depth)}</td>
                  <td className="num">{f.age(c.oldest_pending_age_s)}</td>
                  <td className={`num ${(c.dead_letters ?? 0) > 0 ? 'bad' : ''}`}>{f.int(c.dead_letters)}</td>
                  <td className="num">{f.lag(c.lag_p50_ms)}</td>
                  <td className="num">{f.lag(c.lag_p99_ms)}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
