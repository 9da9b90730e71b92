// One channel: its state and sync in detail (or, for a channel without a connector, where its
// served numbers are read), orders in (the last order polls), pause/resume, hidden SKUs (they
// publish 0), dead letters, the lag over the last hour, its settings (credentials shown as set;
// edited as JSON, refusals naming the setting), the stock the channel keeps in its own
// warehouses (channel-managed locations its rules sell from: booked from its reports, never
// pushed), and what it lists — each listing with the number truestock publishes, last pushed, and
// last saw on the channel — page by page.

import { type FormEvent, useEffect, useId, useState } from 'react';
import { useAction } from '../action.ts';
import { all, api, type Page, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import type { PageProps } from '../routes.ts';
import { href } from '../router.ts';
import type { Channel, Listing, ListingLimit, Location, SyncStatus } from '../types.ts';
import { ActionButton, Outcome, Submit, TextField } from '../ui/forms.tsx';
import { Badge, Empty, LoadState, PageHeader, Section, Stat, TableWrap } from '../ui/page.tsx';
import { SKU_LIST_ID, SkuDatalist } from '../ui/pickers.tsx';
import { breakerState, ChannelStatus, errorsOf, failureText, inboundText, isServed, LagChart } from '../ui/channels.tsx';
import { Identifiers } from '../ui/identifiers.tsx';

/** Listings shown per page on a channel's page. */
const LISTINGS_PAGE = 100;
/** Rows of a channel-managed location's stock shown at most (the rest are counted). */
const MANAGED_ROWS_MAX = 200;

export function ChannelPage({ params }: PageProps) {
  const id = params.id ?? '';
  // By id, or by name (`#/channels/shopify-eu` is a handy bookmark): the sync endpoints take both.
  const channel = useLive(async () => (await all<Channel>('/channels')).find((x) => x.id === id || x.name === id) ?? null, [id], 30_000);
  const sync = useLive(() => api.get<SyncStatus>(`/channels/${seg(id)}/sync`), [id]);
  const c = channel.data ?? undefined;
  const s = sync.data;
  const pause = useAction();
  const toggle = () => pause.run('POST', `/channels/${seg(id)}/${s?.paused ? 'resume' : 'pause'}`, {}, () => (sync.refresh(), s?.paused ? 'Resumed' : 'Paused'));

  return (
    <div>
      <PageHeader title={c ? c.name : 'Channel'} sub={c ? <>{c.kind} · <code>{c.id}</code></> : undefined}>
        <a className="btn btn-plain" href={href(`/channels/${seg(id)}/rules`)}>
          Rules
        </a>
        {s && (
          <ActionButton action={pause} onClick={toggle} kind={s.paused ? 'primary' : 'plain'}>
            {s.paused ? 'Resume channel' : 'Pause channel'}
          </ActionButton>
        )}
      </PageHeader>
      <Outcome action={pause} />
      <LoadState live={channel} what="the channel" />
      {channel.data === null && (
        <p className="load-error" role="alert">
          No channel {id} in this workspace. <a href={href('/channels')}>All channels</a>
        </p>
      )}
      <LoadState live={sync} what="its sync status" />
      {s && <SyncSection id={id} sync={s} />}
      {c && !isServed(s) && <LagChart channels={[c]} title="Lag, last hour" />}
      {s && <HiddenSkus id={id} hidden={s.hidden_skus} onChanged={sync.refresh} />}
      {s && <DeadLetters id={id} sync={s} onChanged={sync.refresh} />}
      {c && <Settings channel={c} onChanged={channel.refresh} />}
      <ManagedStock id={id} />
      <Listings id={id} served={isServed(s)} />
    </div>
  );
}

function SyncSection({ id, sync: s }: { id: string; sync: SyncStatus }) {
  const d = s.dispatcher;
  const served = isServed(s);
  const inbound = inboundText(s);
  const reasons = s.state_reasons ?? [];
  return (
    <Section title="Sync" id="sync">
      <p>
        <ChannelStatus paused={s.paused} breaker={d?.breaker} state={s.state} reasons={reasons} />{' '}
        {!served && d === null && <span className="muted">this server process does not run the dispatcher for this channel</span>}
      </p>
      {reasons.length > 0 && (
        <ul className="plain-list">
          {reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      {served ? (
        <p>
          Numbers are <strong>served, not pushed</strong>: truestock has no connector for {s.kind} channels, so nothing is queued for this
          channel. Whoever needs its numbers reads them: <a href={`/v1/channels/${seg(id)}/numbers`}>JSON</a> (<code>GET /v1/channels/{id}/numbers</code>)
          or <a href={`/v1/channels/${seg(id)}/numbers.csv`}>CSV</a>.
        </p>
      ) : (
        <div className="stats">
          <Stat label="queued" value={f.int(s.queue_depth)} tone={(s.queue_depth ?? 0) > 0 ? 'warn' : undefined} />
          <Stat label="oldest pending" value={f.age(s.oldest_pending_age_s)} />
          <Stat label="lag p50" value={f.lag(d?.lag_p50_ms)} />
          <Stat label="lag p99" value={f.lag(d?.lag_p99_ms)} />
          <Stat label="pushes / min" value={f.int(d ? Math.round(d.pushes_per_minute) : null)} />
          <Stat label="dead letters" value={f.int(s.dead_letters)} tone={(s.dead_letters ?? 0) > 0 ? 'bad' : undefined} />
          <Stat label="breaker" value={breakerState(d?.breaker) ?? '—'} tone={breakerState(d?.breaker) === 'open' ? 'bad' : undefined} />
        </div>
      )}
      {!served && d && (
        <p className="muted">
          Calls: {f.int(d.calls.ok)} ok{errorsOf(s) ? `, ${errorsOf(s)}` : ''}.{failureText(d.last_error) && <> Last error: {failureText(d.last_error)}.</>}
          {failureText(d.connector_error) && <> Connector: {failureText(d.connector_error)}</>}
        </p>
      )}
      {!served && d && <Budgets budget={d.budget ?? null} limits={Array.isArray(d.limits) ? d.limits : []} />}
      <p className={(s.inbound?.consecutive_failures ?? 0) > 0 ? 'bad' : 'muted'}>Orders in: {inbound ?? (s.polled === false ? 'not polled — this kind reports its sales through webhooks or the API' : 'not polled yet')}</p>
    </Section>
  );
}

/** How people read a limit's name (`revisions` → "Revisions"). */
const LIMIT_LABELS: Record<string, string> = { revisions: 'Revisions per listing per day' };
/** How people read a limit's counters (eBay's pacing of raises). */
const LIMIT_DETAIL_LABELS: Record<string, string> = {
  paced_from: 'raises paced from revision',
  paced: 'raises held for pacing',
  exhausted: 'listings with none left',
};

/**
 * What the connector may spend: this process's push budget for the channel's API, and the limits
 * it keeps per listing (eBay's daily revisions), each with what is held back now.
 */
function Budgets({ budget, limits }: { budget: NonNullable<SyncStatus['dispatcher']>['budget'] | null; limits: ListingLimit[] }) {
  if (!budget && limits.length === 0) return null;
  return (
    <div className="budgets" data-testid="budgets">
      <h3>Budgets and limits</h3>
      {budget && (
        <p>
          Push budget: <strong>{f.int(Math.floor(budget.available))}</strong> of {f.int(budget.capacity)} calls free now, refilling {f.int(budget.refill_per_second)} a
          second <span className="muted">(spent before each call; a channel that answers 429 anyway makes the dispatcher wait as told)</span>.
        </p>
      )}
      {limits.length > 0 && (
        <TableWrap label="Limits per listing">
          <table>
            <thead>
              <tr>
                <th scope="col">Limit</th>
                <th scope="col" className="num">Allowance per listing</th>
                <th scope="col" className="num">Most used by one listing</th>
                <th scope="col" className="num">Listings held now</th>
                <th scope="col">Resets</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {limits.map((l) => (
                <tr key={l.name} data-limit={l.name}>
                  <th scope="row">{LIMIT_LABELS[l.name] ?? l.name}</th>
                  <td className="num">{f.int(l.per_listing)}</td>
                  <td className={`num ${l.max_used >= l.per_listing ? 'bad' : ''}`}>{f.int(l.max_used)}</td>
                  <td className={`num ${l.held > 0 ? 'warn' : ''}`}>{f.int(l.held)}</td>
                  <td>{l.resets_at ? <>{f.time(l.resets_at)} <span className="muted small">(in {f.age((Date.parse(l.resets_at) - Date.now()) / 1000)})</span></> : '—'}</td>
                  <td className="muted">
                    {Object.entries(l.detail ?? {})
                      .map(([k, v]) => `${LIMIT_DETAIL_LABELS[k] ?? k.replace(/_/g, ' ')}: ${f.int(v)}`)
                      .join(' · ') || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </div>
  );
}

function HiddenSkus({ id, hidden, onChanged }: { id: string; hidden: string[]; onChanged: () => void }) {
  const action = useAction();
  const [sku, setSku] = useState('');
  const save = (skus: string[], msg: string) => action.run('PUT', `/channels/${seg(id)}/hidden-skus`, { skus }, () => (onChanged(), msg));
  const hide = (e: FormEvent) => {
    e.preventDefault();
    const s = sku.trim();
    if (!s || hidden.includes(s)) return;
    void save([...hidden, s], `${s} hidden: it publishes 0`).then((r) => r && setSku(''));
  };
  return (
    <Section title="Hidden SKUs" id="hidden">
      <p className="muted">A hidden SKU shows 0 on this channel until it is unhidden.</p>
      <SkuDatalist />
      <form className="inline-form" onSubmit={hide}>
        <TextField label="SKU to hide" value={sku} onChange={setSku} list={SKU_LIST_ID} required />
        <Submit action={action}>Hide</Submit>
      </form>
      <Outcome action={action} />
      {hidden.length === 0 ? (
        <Empty>No SKU is hidden.</Empty>
      ) : (
        <ul className="chips">
          {hidden.map((h) => (
            <li key={h}>
              <a href={href(`/items/${seg(h)}`)}>{h}</a>
              <ActionButton action={action} label={`Unhide ${h}`} onClick={() => save(hidden.filter((x) => x !== h), `${h} unhidden`)}>
                Unhide
              </ActionButton>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function DeadLetters({ id, sync, onChanged }: { id: string; sync: SyncStatus; onChanged: () => void }) {
  const action = useAction();
  // Stays on screen after a retry emptied the list, so its outcome is seen.
  if (!sync.dead_letters && !action.done && !action.error) return null;
  return (
    <Section title="Dead letters" id="dead">
      <p>
        {sync.dead_letters ? <>{f.int(sync.dead_letters)} listing{sync.dead_letters === 1 ? '' : 's'} could not be pushed after every retry.</> : 'No dead letters.'}{' '}
        <ActionButton action={action} onClick={() => action.run('POST', `/channels/${seg(id)}/dead-letters/retry`, {}, () => (onChanged(), 'Queued again'))}>
          Retry all
        </ActionButton>
      </p>
      <Outcome action={action} />
      {sync.dead_letter_sample && sync.dead_letter_sample.length > 0 && (
        <ul className="plain-list">
          {sync.dead_letter_sample.map((d) => (
            <li key={d.listing_id}>
              <code>{d.listing_id}</code> {d.sku && <a href={href(`/items/${seg(d.sku)}`)}>{d.sku}</a>} <span className="muted">{failureText(d.reason) ?? ''}</span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/**
 * The channel's settings as the API shows them (credentials as `(set)`), and an editor: the whole
 * settings object as JSON, sent back as it is (a credential left `(set)` keeps its stored value).
 */
function Settings({ channel, onChanged }: { channel: Channel; onChanged: () => void }) {
  const action = useAction();
  const fieldId = useId();
  const shown = JSON.stringify(channel.settings ?? {}, null, 2);
  const [text, setText] = useState(shown);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    if (!editing) setText(shown);
  }, [shown, editing]);
  const save = (e: FormEvent) => {
    e.preventDefault();
    let settings: unknown;
    try {
      settings = JSON.parse(text);
    } catch (err) {
      return action.reject(`settings: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) return action.reject('settings: must be a JSON object');
    void action.run('PATCH', `/channels/${seg(channel.id)}`, { settings }, () => (setEditing(false), onChanged(), 'Settings saved'));
  };
  const entries = Object.entries(channel.settings ?? {});
  return (
    <Section title="Settings" id="settings">
      {entries.length === 0 ? (
        <Empty>No settings.</Empty>
      ) : (
        <dl className="settings-list">
          {entries.map(([k, v]) => (
            <div key={k}>
              <dt>
                <code>{k}</code>
              </dt>
              <dd>
                <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
              </dd>
            </div>
          ))}
        </dl>
      )}
      <form onSubmit={save}>
        <div className="field">
          <label htmlFor={fieldId}>Settings (JSON)</label>
          <textarea
            id={fieldId}
            rows={Math.min(20, Math.max(4, text.split('\n').length + 1))}
            spellCheck={false}
            value={text}
            onChange={(e) => (setEditing(true), setText(e.target.value))}
          />
          <small>Credentials show as (set); leave them so to keep them.</small>
        </div>
        <Submit action={action} role="admin">
          Save settings
        </Submit>
      </form>
      <Outcome action={action} />
    </Section>
  );
}

interface RuleScope {
  settings: { locations?: { codes?: string[]; kinds?: string[] } };
}

/** The channel-managed locations a channel's rules sell from (by code, or every one by kind). */
function managedLocations(rules: RuleScope[], locations: Location[]): Location[] {
  const codes = new Set(rules.flatMap((r) => r.settings.locations?.codes ?? []));
  const byKind = rules.some((r) => (r.settings.locations?.kinds ?? []).includes('channel_managed'));
  return locations.filter((l) => l.kind === 'channel_managed' && (byKind || codes.has(l.code)));
}

/**
 * Stock the channel keeps in its own warehouses (a marketplace's fulfilment network): truestock
 * books it from the channel's stock reports and never pushes the listings that sell only it.
 */
function ManagedStock({ id }: { id: string }) {
  const stock = useLive(async () => {
    const [rules, locations] = await Promise.all([api.get<{ data: RuleScope[] }>(`/channels/${seg(id)}/rules`), all<Location>('/locations')]);
    const managed = managedLocations(rules.data, locations);
    return Promise.all(managed.map(async (l) => ({ location: l, rows: await all<{ sku: string; available: number }>(`/locations/${seg(l.code)}/availability`) })));
  }, [id], 30_000);
  if (!stock.data || stock.data.length === 0) return null;
  return (
    <Section title="Stock the channel keeps" id="managed">
      <p className="muted">
        The channel holds these units in its own warehouse and ships them itself. truestock books what it reports (reason <code>channel_sync</code>) and never
        pushes a listing that sells only this stock: the channel owns that number.
      </p>
      {stock.data.map(({ location, rows }) => {
        const held = rows.filter((r) => r.available > 0);
        return (
          <div key={location.id} data-location={location.code}>
            <h3>
              {location.name} <code>{location.code}</code>
            </h3>
            <div className="stats">
              <Stat label="available units" value={f.int(held.reduce((n, r) => n + r.available, 0))} />
              <Stat label="SKUs in stock" value={f.int(held.length)} />
            </div>
            {held.length === 0 ? (
              <Empty>Nothing available there.</Empty>
            ) : (
              <TableWrap label={`Stock at ${location.code}`}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">SKU</th>
                      <th scope="col" className="num">Available</th>
                    </tr>
                  </thead>
                  <tbody>
                    {held.slice(0, MANAGED_ROWS_MAX).map((r) => (
                      <tr key={r.sku}>
                        <th scope="row">
                          <a href={href(`/items/${seg(r.sku)}`)}>{r.sku}</a>
                        </th>
                        <td className="num">{f.int(r.available)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
            {held.length > MANAGED_ROWS_MAX && <p className="muted">and {f.int(held.length - MANAGED_ROWS_MAX)} more SKUs</p>}
          </div>
        );
      })}
    </Section>
  );
}

/** A number with when it was taken, for a table cell: "12 · 14:03:22". */
function NumberAt({ n }: { n: { quantity: number; at: string | null } | null | undefined }) {
  if (!n) return <span className="muted">—</span>;
  return (
    <>
      {f.int(n.quantity)} <span className="muted small">{f.time(n.at)}</span>
    </>
  );
}

function Listings({ id, served }: { id: string; served: boolean }) {
  // The cursors of the pages before this one: "Previous" pops, "Next" pushes.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const listings = useLive(() => api.get<Page<Listing>>('/listings', { channel: id, limit: LISTINGS_PAGE, cursor }), [id, cursor], 30_000);
  const page = listings.data;
  const pageNo = cursors.length;
  return (
    <Section title="Listings" id="listings">
      <p className="muted">
        {served
          ? 'Published: the number truestock serves for each listing.'
          : 'Published: the number truestock computes now. Pushed: the last number the channel acknowledged (none for a listing that sells only stock the channel keeps: never pushed). Shown: the number last seen on the channel (a read-back, a webhook), with when.'}
      </p>
      <LoadState live={listings} what="listings" />
      {page && page.data.length === 0 && <Empty>{pageNo === 1 ? 'Nothing listed on this channel.' : 'No more listings.'}</Empty>}
      {page && page.data.length > 0 && (
        <TableWrap label="Listings">
          <table>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col">Channel identifiers</th>
                <th scope="col">State</th>
                <th scope="col" className="num">Published</th>
                {!served && <th scope="col" className="num">Pushed</th>}
                {!served && <th scope="col" className="num">Shown</th>}
              </tr>
            </thead>
            <tbody>
              {page.data.map((l) => {
                const n = l.numbers;
                const differs = !served && n?.shown && n.published && n.shown.quantity !== n.published.quantity;
                return (
                  <tr key={l.id}>
                    <th scope="row" className="wrap-anywhere">
                      <a href={href(`/items/${seg(l.sku)}`)}>{l.sku}</a>
                    </th>
                    <td className="wrap-anywhere">
                      <Identifiers listing={l} />
                    </td>
                    <td>{l.active ? 'active' : <Badge>inactive</Badge>}</td>
                    <td className="num">{n?.published ? f.int(n.published.quantity) : '—'}</td>
                    {!served && (
                      <td className="num">
                        <NumberAt n={n?.pushed} />
                      </td>
                    )}
                    {!served && (
                      <td className={`num ${differs ? 'warn' : ''}`}>
                        <NumberAt n={n?.shown} />
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
      {(pageNo > 1 || page?.next_cursor) && (
        <nav className="pager" aria-label="Listing pages">
          <button type="button" className="btn btn-plain" disabled={pageNo === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Previous
          </button>
          <span className="muted">
            Page {pageNo} ({LISTINGS_PAGE} a page)
          </span>
          <button type="button" className="btn btn-plain" disabled={!page?.next_cursor} onClick={() => page?.next_cursor && setCursors((c) => [...c, page.next_cursor])}>
            Next
          </button>
        </nav>
      )}
    </Section>
  );
}
