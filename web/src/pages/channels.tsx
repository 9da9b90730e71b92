// Channels: each channel's sync at a glance — its state (active, paused, degraded, failing, or
// served: numbers pulled, not pushed), queue, lag, errors, orders in — with pause and resume. A
// channel's own page has hidden SKUs, dead letters, its lag chart and its listings' numbers.

import { useAction } from '../action.ts';
import { all, api, describeError, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import { href } from '../router.ts';
import type { Channel, SyncStatus } from '../types.ts';
import { ActionButton, Outcome } from '../ui/forms.tsx';
import { Empty, LoadState, PageHeader, TableWrap } from '../ui/page.tsx';
import { ChannelStatus, errorsOf, failureText, inboundText, isServed } from '../ui/channels.tsx';

export interface ChannelRow {
  channel: Channel;
  sync: SyncStatus | null;
  error: string | null;
}

/** Every channel with its sync status (one request per channel: a workspace has a handful). */
export async function loadChannelRows(): Promise<ChannelRow[]> {
  const channels = await all<Channel>('/channels');
  return Promise.all(
    channels.map((channel) =>
      api.get<SyncStatus>(`/channels/${seg(channel.id)}/sync`).then(
        (sync) => ({ channel, sync, error: null }),
        (err) => ({ channel, sync: null, error: describeError(err) }),
      ),
    ),
  );
}

export function ChannelsPage() {
  const rows = useLive(loadChannelRows, []);
  return (
    <div>
      <PageHeader title="Channels" sub="Sync status per channel; pause a channel to stop pushes (orders still come in, numbers keep queueing)." />
      <LoadState live={rows} what="channels" />
      {rows.data && rows.data.length === 0 && <Empty>No channels yet.</Empty>}
      {rows.data && rows.data.length > 0 && (
        <TableWrap label="Channels">
          <table>
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">Queue</th>
                <th scope="col" className="num">Oldest pending</th>
                <th scope="col" className="num">Lag p50</th>
                <th scope="col" className="num">Lag p99</th>
                <th scope="col" className="num">Dead letters</th>
                <th scope="col" className="num">Hidden SKUs</th>
                <th scope="col">Errors</th>
                <th scope="col">Control</th>
              </tr>
            </thead>
            <tbody>
              {rows.data.map((r) => (
                <ChannelTableRow key={r.channel.id} row={r} onChanged={rows.refresh} />
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </div>
  );
}

function ChannelTableRow({ row, onChanged }: { row: ChannelRow; onChanged: () => void }) {
  const action = useAction();
  const { channel: c, sync: s } = row;
  const d = s?.dispatcher;
  const served = isServed(s);
  const lastError = failureText(d?.connector_error) ?? failureText(d?.last_error) ?? row.error;
  const inbound = inboundText(s);
  const inboundFailing = (s?.inbound?.consecutive_failures ?? 0) > 0;
  const toggle = () =>
    action.run('POST', `/channels/${seg(c.id)}/${s?.paused ? 'resume' : 'pause'}`, {}, () => {
      onChanged();
      return s?.paused ? `${c.name} resumed` : `${c.name} paused`;
    });
  return (
    <tr data-channel={c.name}>
      <th scope="row">
        <a href={href(`/channels/${seg(c.id)}`)}>{c.name}</a> <span className="muted">{c.kind}</span>
      </th>
      <td>{s ? <ChannelStatus paused={s.paused} breaker={d?.breaker} state={s.state} reasons={s.state_reasons} /> : '—'}</td>
      {served ? (
        <td colSpan={5} className="muted small">
          Numbers served, not pushed: no connector for {c.kind}; they are read from <code>/v1/channels/{c.name}/numbers</code>.
        </td>
      ) : (
        <>
          <td className="num">{f.int(s?.queue_depth)}</td>
          <td className="num">{f.age(s?.oldest_pending_age_s)}</td>
          <td className="num">{f.lag(d?.lag_p50_ms)}</td>
          <td className="num">{f.lag(d?.lag_p99_ms)}</td>
          <td className={`num ${s && (s.dead_letters ?? 0) > 0 ? 'bad' : ''}`}>{f.int(s?.dead_letters)}</td>
        </>
      )}
      <td className="num">{f.int(s?.hidden_skus.length)}</td>
      <td className="errors">
        {errorsOf(s)}
        {lastError && <div className="muted small">{lastError}</div>}
        {inbound && <div className={`small ${inboundFailing ? 'bad' : 'muted'}`}>{inbound}</div>}
      </td>
      <td>
        {s && (
          <ActionButton action={action} onClick={toggle} kind={s.paused ? 'primary' : 'plain'} label={`${s.paused ? 'Resume' : 'Pause'} ${c.name}`}>
            {s.paused ? 'Resume' : 'Pause'}
          </ActionButton>
        )}
        <Outcome action={action} />
      </td>
    </tr>
  );
}
