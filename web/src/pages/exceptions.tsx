// The exceptions inbox: what needs a human (oversold orders, count shortfalls, dead letters …),
// filtered by SKU, channel, location, kind and age; acknowledge, assign, resolve. Filters live in
// the URL (#/exceptions?sku=…), so a filtered inbox can be bookmarked or shared.

import { type FormEvent, Fragment, useState } from 'react';
import { useAction } from '../action.ts';
import { api, type Page, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import type { PageProps } from '../routes.ts';
import { href, navigate } from '../router.ts';
import type { StockException } from '../types.ts';
import { Outcome, SelectField, Submit, TextField } from '../ui/forms.tsx';
import { Badge, Empty, LoadState, PageHeader, TableWrap } from '../ui/page.tsx';
import { LocationSelect, SKU_LIST_ID, SkuDatalist, useChannels, useLocations } from '../ui/pickers.tsx';

const PAGE_STEP = 100;
const PAGE_MAX = 500;
const FILTERS = ['state', 'kind', 'sku', 'location', 'channel', 'older_than_hours'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

const SEVERITY_TONE = { high: 'bad', medium: 'warn', low: 'info' } as const;

export function ExceptionsPage({ query }: PageProps) {
  const applied: Filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? (k === 'state' ? 'unresolved' : '')])) as Filters;
  const key = FILTERS.map((k) => applied[k]).join('|');
  const [limit, setLimit] = useState(PAGE_STEP);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useLive(async (): Promise<Page<StockException>> => {
    if (applied.state !== 'unresolved') return api.get<Page<StockException>>('/exceptions', { ...applied, state: applied.state === 'any' ? '' : applied.state, limit });
    // The inbox: open and acknowledged together (acknowledging does not make it go away).
    const pages = await Promise.all(['open', 'acknowledged'].map((state) => api.get<Page<StockException>>('/exceptions', { ...applied, state, limit })));
    const data = pages.flatMap((p) => p.data).sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    return { data, next_cursor: pages.some((p) => p.next_cursor) ? 'more' : null };
  }, [key, limit]);
  const channels = useChannels();
  const channelName = (cid: string | null | undefined) => (cid ? channels.data?.find((c) => c.id === cid)?.name ?? cid : '');
  const [open, setOpen] = useState<string | null>(null);
  const rows = list.data?.data ?? [];

  return (
    <div>
      <PageHeader title="Exceptions" sub="What needs a human. Acknowledge to say someone is on it; resolve with what was done." />
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
                <th scope="col">SKU</th>
                <th scope="col">Location</th>
                <th scope="col">Channel</th>
                <th scope="col" className="num">Units</th>
                <th scope="col">Message</th>
                <th scope="col" className="num">Age</th>
                <th scope="col">State</th>
                <th scope="col">Assignee</th>
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
                    <td>{f.label(x.kind)}</td>
                    <td>{x.sku ? <a href={href(`/items/${seg(x.sku)}`)}>{x.sku}</a> : ''}</td>
                    <td>{x.location ?? ''}</td>
                    <td>{channelName(x.channel_id)}</td>
                    <td className="num">{f.int(x.quantity)}</td>
                    <td className="message">{x.message}</td>
                    <td className="num nowrap">{x.age_s !== undefined ? f.age(x.age_s) : f.ageSince(x.created_at)}</td>
                    <td>{x.state}</td>
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
                      <td colSpan={11}>
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
  const set = (k: keyof Filters) => (v: string) => setDraft({ ...draft, [k]: v });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate('/exceptions', { ...draft, state: draft.state === 'unresolved' ? '' : draft.state });
  };
  return (
    <form className="filters" onSubmit={apply} aria-label="Filter exceptions">
      <SkuDatalist />
      <SelectField label="State" value={draft.state} onChange={set('state')} options={[{ value: 'unresolved', label: 'open or acknowledged' }, { value: 'open', label: 'open' }, { value: 'acknowledged', label: 'acknowledged' }, { value: 'resolved', label: 'resolved' }, { value: 'any', label: 'any state' }]} />
      <TextField label="Kind" value={draft.kind} onChange={set('kind')} placeholder="oversold, count_shortfall…" />
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
        <a className="btn btn-plain" href={href('/exceptions')} onClick={() => setDraft({ state: 'unresolved', kind: '', sku: '', location: '', channel: '', older_than_hours: '' })}>
          Clear
        </a>
      </div>
    </form>
  );
}

function ExceptionActions({ x, onDone }: { x: StockException; onDone: (msg: string) => void }) {
  const action = useAction();
  const [assignee, setAssignee] = useState(x.assignee ?? '');
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
        <dt>Raised</dt>
        <dd>{f.time(x.created_at)}</dd>
        {x.acknowledged_at && (
          <>
            <dt>Acknowledged</dt>
            <dd>{f.time(x.acknowledged_at)}</dd>
          </>
        )}
        {x.resolved_at && (
          <>
            <dt>Resolved</dt>
            <dd>
              {f.time(x.resolved_at)} — {x.resolution}
            </dd>
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
          <form className="inline-form" onSubmit={post('assign', { assignee: assignee.trim() }, `Assigned to ${assignee.trim()}: ${label}`)}>
            <TextField label="Assign to" value={assignee} onChange={setAssignee} required />
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
