// The audit log: every mutating request and sign-in — when, who (by name), what was done in words,
// how it ended and from where. The actor filter is a list of everyone who appears in the log.

import { useState } from 'react';
import { api, type Page } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import type { PageProps } from '../routes.ts';
import { navigate } from '../router.ts';
import type { AuditActor, AuditEntry } from '../types.ts';
import { SelectField } from '../ui/forms.tsx';
import { Empty, LoadState, PageHeader, TableWrap } from '../ui/page.tsx';

const PAGE_STEP = 100;
const PAGE_MAX = 500;

/** A word beside the name, for who is not obviously a person. */
const KIND_WORDS: Record<string, string> = { user: 'user', api_key: 'API key', cli: 'command line', system: 'automatic', channel: 'channel' };

export function AuditPage({ query }: PageProps) {
  const actor = query.get('actor') ?? '';
  const [limit, setLimit] = useState(PAGE_STEP);
  const log = useLive(() => api.get<Page<AuditEntry>>('/audit', { actor, limit }), [actor, limit]);
  const actors = useLive(() => api.get<{ data: AuditActor[] }>('/audit/actors'), []);
  const list = actors.data?.data ?? [];
  const chosen = list.find((a) => a.id === actor);
  // An address may name an actor that is not (or no longer) in the list: keep it choosable.
  const options = [{ value: '', label: 'Everyone' }, ...list.map((a) => ({ value: a.id, label: `${a.name} (${KIND_WORDS[a.kind] ?? a.kind})` })), ...(actor && !chosen ? [{ value: actor, label: actor }] : [])];
  const rows = log.data?.data ?? [];
  return (
    <div>
      <PageHeader title="Audit log" sub="Every change made through the API or this dashboard, and every sign-in, newest first." />
      <div className="inline-form" role="search">
        <SelectField label="Who" value={actor} onChange={(v) => navigate('/audit', v ? { actor: v } : {})} options={options} />
      </div>
      <LoadState live={actors} what="the list of people and keys" />
      <LoadState live={log} what="the audit log" />
      {log.data && rows.length === 0 && <Empty>Nothing recorded{actor ? ` for ${chosen?.name ?? actor}` : ''}.</Empty>}
      {rows.length > 0 && (
        <TableWrap label="Audit log">
          <table className="audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col" className="num">Status</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a, i) => (
                <tr key={`${a.at}-${i}`} className={a.status >= 400 ? 'row-bad' : undefined}>
                  <td className="nowrap">{f.time(a.at)}</td>
                  <td>
                    <a href={`#/audit?actor=${encodeURIComponent(a.actor.id)}`} title="Only this actor">
                      {a.actor.name ?? a.actor.id}
                    </a>{' '}
                    <span className="muted small">{KIND_WORDS[a.actor.kind] ?? a.actor.kind}</span>
                  </td>
                  <td className="wrap-anywhere">
                    {a.summary ?? `${a.method} ${a.path}`}
                    <div className="muted small">
                      <code>
                        {a.method} {a.path}
                      </code>
                      {a.idempotency_key && (
                        <span title={`Idempotency-Key ${a.idempotency_key}`}> · key {a.idempotency_key.length > 13 ? `${a.idempotency_key.slice(0, 12)}…` : a.idempotency_key}</span>
                      )}
                    </div>
                  </td>
                  <td className={`num ${a.status >= 400 ? 'bad' : ''}`}>{a.status}</td>
                  <td className="small">{a.ip ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {log.data?.next_cursor && limit < PAGE_MAX && (
        <button type="button" className="btn btn-plain" onClick={() => setLimit(limit + PAGE_STEP)}>
          Show more
        </button>
      )}
    </div>
  );
}
