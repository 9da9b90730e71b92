// The exceptions inbox: what needs a human (oversold orders, count shortfalls, dead letters …),
// filtered by state, kind and owner (chosen from lists), SKU, channel, location and age;
// acknowledge, assign to a user, resolve. Exceptions follow the facts: an oversold one shows its
// live debt and settles itself with the movement that repaid it, a drift converges, a stale
// channel recovers; the same condition is one row that counts its occurrences. Filters live in
// the URL (#/exceptions?sku=…), so a filtered inbox can be bookmarked or shared.

import { type FormEvent, Fragment, useState } from 'react';
import { useAction } from '../action.ts';
import { api, type Page, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive, useOnce } from '../live.ts';
import type { PageProps } from '../routes.ts';
import { href, navigate } from '../router.ts';
import type { StockException } from '../types.ts';
import { Outcome, SelectField, Submit, TextField } from '../ui/forms.tsx';
import { Badge, Empty, LoadState, PageHeader, TableWrap } from '../ui/page.tsx';
import { LocationSelect, SKU_LIST_ID, SkuDatalist, useChannels, useLocations } from '../ui/pickers.tsx';

const PAGE_STEP = 100;
const PAGE_MAX = 500;
const FILTERS = ['state', 'kind', 'owner', 'sku', 'location', 'channel', 'older_than_hours'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
const NO_FILTERS: Filters = { state: 'unresolved', kind: '', owner: '', sku: '', location: '', channel: '', older_than_hours: '' };

const SEVERITY_TONE = { high: 'bad', medium: 'warn', low: 'info' } as const;

/** What the exception is about, each with the dashboard page for it (null: none). */
interface ExceptionLink {
  rel: 'order' | 'item' | 'location' | 'channel' | 'listing' | 'document';
  label: string;
  path: string | null;
}

/** An exception as GET /v1/exceptions answers since it follows the facts. */
type Row = StockException & {
  kind_label?: string;
  channel_name?: string | null;
  debt?: number | null;
  occurrences?: number;
  last_seen_at?: string | null;
  links?: ExceptionLink[];
  assignee_id?: string | null;
  resolution_kind?: 'settled' | 'converged' | 'recovered' | 'resolved_by_hand' | null;
  resolved_by?: string | null;
  settled_by_movement_id?: string | null;
};

interface KindInfo {
  kind: string;
  label: string;
  severity: string;
  closes_by: string | null;
}

interface Owner {
  id: string;
  name: string;
  email: string;
}

const RESOLUTION_WORDS: Record<string, string> = {
  settled: 'settled by stock',
  converged: 'channel converged',
  recovered: 'channel recovered',
  resolved_by_hand: 'resolved by hand',
};

const useKinds = () => useOnce(() => api.get<{ data: KindInfo[] }>('/exceptions/kinds'));
const useOwners = () => useOnce(() => api.get<{ data: Owner[] }>('/exceptions/owners'));

/** A row's state in words: how a resolved one ended. */
function stateWords(x: Row): string {
  if (x.state !== 'resolved') return x.state;
  return x.resolution_kind ? RESOLUTION_WORDS[x.resolution_kind] ?? 'resolved' : 'resolved';
}

function Links({ links }: { links: ExceptionLink[] }) {
  if (links.length === 0) return <>—</>;
  return (
    <ul className="exception-links" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
      {links.map((l) => (
        <li key={`${l.rel}:${l.label}`}>
          <span className="muted">{f.label(l.rel)} </span>
          {l.path ? <a href={href(l.path)}>{l.label}</a> : <span>{l.label}</span>}
        </li>
      ))}
    </ul>
  );
}

export function ExceptionsPage({ query }: PageProps) {
  const applied: Filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? (k === 'state' ? 'unresolved' : '')])) as Filters;
  const key = FILTERS.map((k) => applied[k]).join('|');
  const [limit, setLimit] = useState(PAGE_STEP);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useLive(async (): Promise<Page<Row>> => {
    if (applied.state !== 'unresolved') return api.get<Page<Row>>('/exceptions', { ...applied, state: applied.state === 'any' ? '' : applied.state, limit });
    // The inbox: open and acknowledged together (acknowledging does not make it go away).
    const pages = await Promise.all(['open', 'acknowledged'].map((state) => api.get<Page<Row>>('/exceptions', { ...applied, state, limit })));
    const data = pages.flatMap((p) => p.data).sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    return { data, next_cursor: pages.some((p) => p.next_cursor) ? 'more' : null };
  }, [key, limit]);
  const channels = useChannels();
  const channelName = (cid: string | null | undefined) => (cid ? channels.data?.find((c) => c.id === cid)?.name ?? cid : '');
  const [open, setOpen] = useState<string | null>(null);
  const rows = list.data?.data ?? [];

  return (
    <div>
      <PageHeader title="Exceptions" sub="What needs a human. Oversold debt settles itself when stock arrives, drift when the channel converges, a stale channel when it recovers; acknowledge to say someone is on it, resolve by hand with what was done." />
      <FilterForm key={key} applied={applied} />
      <p className="outcome outcome-ok" role="status">
        {notice ?? ''}
      </p>
      <LoadState live={list} what="exceptions" />
      {list.data && rows.length === 0 && <Empty>No exceptions match these filters.</Empty>}
      {rows.length > 0 && (
        <TableWrap label="Exceptions">
          <table className="exceptions">
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Kind</th>
                <th scope="col">About</th>
                <th scope="col" className="num">
                  <abbr title="Oversold units still owed (live debt); for other kinds, the units the exception is about">Owed / units</abbr>
                </th>
                <th scope="col">Message</th>
                <th scope="col" className="num">Seen</th>
                <th scope="col" className="num">Age</th>
                <th scope="col">State</th>
                <th scope="col">Owner</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((x) => (
                <Fragment key={x.id}>
                  <tr data-exception={x.id} className={open === x.id ? 'row-open' : ''}>
                    <td>{x.severity ? <Badge tone={SEVERITY_TONE[x.severity]}>{x.severity}</Badge> : '—'}</td>
                    <td>{x.kind_label ?? f.label(x.kind)}</td>
                    <td>
                      {x.links ? (
                        <Links links={x.links} />
                      ) : (
                        <>
                          {x.sku ? <a href={href(`/items/${seg(x.sku)}`)}>{x.sku}</a> : ''} {x.location ?? ''} {channelName(x.channel_id)}
                        </>
                      )}
                    </td>
                    <td className="num" data-debt={x.debt ?? ''}>
                      {x.debt !== null && x.debt !== undefined ? (
                        <>
                          {f.int(x.debt)}
                          {x.debt !== x.quantity && <span className="muted"> of {f.int(x.quantity)}</span>}
                        </>
                      ) : (
                        f.int(x.quantity)
                      )}
                    </td>
                    <td className="message">{x.message}</td>
                    <td className="num nowrap" data-occurrences={x.occurrences ?? 1}>
                      {(x.occurrences ?? 1) > 1 ? `×${f.int(x.occurrences ?? 1)}` : '×1'}
                      {x.last_seen_at && <span className="muted"> last {f.ageSince(x.last_seen_at)} ago</span>}
                    </td>
                    <td className="num nowrap">{x.age_s !== undefined ? f.age(x.age_s) : f.ageSince(x.created_at)}</td>
                    <td data-state={x.state} data-resolution={x.resolution_kind ?? ''}>
                      {x.state === 'resolved' ? <Badge tone={x.resolution_kind === 'resolved_by_hand' ? 'info' : 'good'}>{stateWords(x)}</Badge> : stateWords(x)}
                    </td>
                    <td>{x.assignee ?? ''}</td>
                    <td>
                      <button type="button" className="btn btn-plain" aria-expanded={open === x.id} aria-controls={`exc-${x.id}`} onClick={() => setOpen(open === x.id ? null : x.id)}>
                        {open === x.id ? 'Close' : 'Act'}
                        <span className="visually-hidden"> on {f.label(x.kind)} {x.sku ?? ''}</span>
                      </button>
                    </td>
                  </tr>
                  {open === x.id && (
                    <tr className="detail-row" id={`exc-${x.id}`}>
                      <td colSpan={10}>
                        <ExceptionActions x={x} onDone={(msg) => (setNotice(msg), list.refresh())} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {list.data?.next_cursor && limit < PAGE_MAX && (
        <button type="button" className="btn btn-plain" onClick={() => setLimit(limit + PAGE_STEP)}>
          Show more
        </button>
      )}
    </div>
  );
}

function FilterForm({ applied }: { applied: Filters }) {
  const [draft, setDraft] = useState<Filters>(applied);
  const locations = useLocations();
  const channels = useChannels();
  const kinds = useKinds();
  const owners = useOwners();
  const set = (k: keyof Filters) => (v: string) => setDraft({ ...draft, [k]: v });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate('/exceptions', { ...draft, state: draft.state === 'unresolved' ? '' : draft.state });
  };
  return (
    <form className="filters" onSubmit={apply} aria-label="Filter exceptions">
      <SkuDatalist />
      <SelectField label="State" value={draft.state} onChange={set('state')} options={[{ value: 'unresolved', label: 'open or acknowledged' }, { value: 'open', label: 'open' }, { value: 'acknowledged', label: 'acknowledged' }, { value: 'resolved', label: 'resolved' }, { value: 'any', label: 'any state' }]} />
      <SelectField label="Kind" value={draft.kind} onChange={set('kind')} options={[{ value: '', label: kinds.error ? 'any kind (list unavailable)' : 'any kind' }, ...(kinds.data?.data ?? []).map((k) => ({ value: k.kind, label: k.label }))]} />
      <SelectField label="Owner" value={draft.owner} onChange={set('owner')} options={[{ value: '', label: owners.error ? 'anyone (list unavailable)' : 'anyone' }, ...(owners.data?.data ?? []).map((o) => ({ value: o.id, label: o.name }))]} />
      <TextField label="SKU" value={draft.sku} onChange={set('sku')} list={SKU_LIST_ID} />
      <LocationSelect label="Location" value={draft.location} onChange={set('location')} locations={locations.data} allowEmpty="any location" />
      <SelectField label="Channel" value={draft.channel} onChange={set('channel')} options={[{ value: '', label: 'any channel' }, ...(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))]} />
      <SelectField
        label="Older than"
        value={draft.older_than_hours}
        onChange={set('older_than_hours')}
        options={[
          { value: '', label: 'any age' },
          { value: '1', label: '1 hour' },
          { value: '24', label: '1 day' },
          { value: '168', label: '7 days' },
        ]}
      />
      <div className="filter-buttons">
        <button type="submit" className="btn btn-primary">
          Filter
        </button>
        <a className="btn btn-plain" href={href('/exceptions')} onClick={() => setDraft(NO_FILTERS)}>
          Clear
        </a>
      </div>
    </form>
  );
}

function ExceptionActions({ x, onDone }: { x: Row; onDone: (msg: string) => void }) {
  const action = useAction();
  const owners = useOwners();
  const [assignee, setAssignee] = useState(x.assignee_id ?? '');
  const ownerName = owners.data?.data.find((o) => o.id === assignee)?.name ?? assignee;
  const [resolution, setResolution] = useState('');
  const path = `/exceptions/${seg(x.id)}`;
  const label = `${f.label(x.kind)}${x.sku ? ` ${x.sku}` : ''}`;
  const post = (what: string, body: unknown, msg: string) => (e: FormEvent) => {
    e.preventDefault();
    // Success is said once, at the top of the inbox (a resolved row leaves the list).
    void action.run('POST', `${path}/${what}`, body, () => onDone(msg));
  };
  const resolved = x.state === 'resolved';
  return (
    <div className="exception-actions">
      <dl className="facts">
        <dt>Reference</dt>
        <dd>{x.reference ?? '—'}</dd>
        <dt>About</dt>
        <dd>
          <Links links={x.links ?? []} />
        </dd>
        <dt>Raised</dt>
        <dd>{f.time(x.created_at)}</dd>
        <dt>Seen</dt>
        <dd>
          {f.int(x.occurrences ?? 1)} time{(x.occurrences ?? 1) === 1 ? '' : 's'}, last {f.time(x.last_seen_at ?? x.created_at)}
        </dd>
        {x.debt !== null && x.debt !== undefined && !resolved && (
          <>
            <dt>Still owed</dt>
            <dd>
              {f.int(x.debt)} of {f.int(x.quantity)} oversold unit{x.quantity === 1 ? '' : 's'}
            </dd>
          </>
        )}
        {x.acknowledged_at && (
          <>
            <dt>Acknowledged</dt>
            <dd>{f.time(x.acknowledged_at)}</dd>
          </>
        )}
        {x.resolved_at && (
          <>
            <dt>Resolved</dt>
            <dd data-resolution={x.resolution_kind ?? ''}>
              {f.time(x.resolved_at)} — {x.resolution_kind ? RESOLUTION_WORDS[x.resolution_kind] : 'resolved'}
              {x.resolved_by ? ` by ${x.resolved_by}` : ''}: {x.resolution}
            </dd>
            {x.settled_by_movement_id && (
              <>
                <dt>Settled by movement</dt>
                <dd>
                  <code>{x.settled_by_movement_id}</code>
                </dd>
              </>
            )}
          </>
        )}
        <dt>Id</dt>
        <dd>
          <code>{x.id}</code>
        </dd>
      </dl>
      {!resolved && (
        <div className="action-forms">
          {x.state === 'open' && (
            <form onSubmit={post('acknowledge', {}, `Acknowledged: ${label}`)}>
              <Submit action={action} kind="plain">
                Acknowledge
              </Submit>
            </form>
          )}
          <form className="inline-form" onSubmit={post('assign', { assignee }, `Assigned to ${ownerName}: ${label}`)}>
            <SelectField
              label="Assign to"
              value={assignee}
              onChange={setAssignee}
              required
              options={[{ value: '', label: owners.data ? (owners.data.data.length === 0 ? 'no users yet' : 'choose a user') : owners.error ? 'users unavailable' : 'loading users…' }, ...(owners.data?.data ?? []).map((o) => ({ value: o.id, label: `${o.name} (${o.email})` }))]}
            />
            <Submit action={action} kind="plain">
              Assign
            </Submit>
          </form>
          <form className="inline-form" onSubmit={post('resolve', { resolution: resolution.trim() }, `Resolved: ${label}`)}>
            <TextField label="Resolution" value={resolution} onChange={setResolution} required placeholder="what was done" size={40} />
            <Submit action={action}>Resolve</Submit>
          </form>
        </div>
      )}
      <Outcome action={action} />
    </div>
  );
}
