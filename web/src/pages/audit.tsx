// The audit log: every mutating request — who, when, from where, what, and how it ended.

import { type FormEvent, useState } from 'react';
import { api, type Page } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import type { PageProps } from '../routes.ts';
import { navigate } from '../router.ts';
import type { AuditEntry } from '../types.ts';
import { TextField } from '../ui/forms.tsx';
import { Empty, LoadState, PageHeader, TableWrap } from '../ui/page.tsx';

const PAGE_STEP = 100;
const PAGE_MAX = 500;

export function AuditPage({ query }: PageProps) {
  const actor = query.get('actor') ?? '';
  const [draft, setDraft] = useState(actor);
  const [limit, setLimit] = useState(PAGE_STEP);
  const log = useLive(() => api.get<Page<AuditEntry>>('/audit', { actor, limit }), [actor, limit]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate('/audit', { actor: draft.trim() });
  };
  const rows = log.data?.data ?? [];
  return (
    <div>
      <PageHeader title="Audit log" sub="Every change made through the API or this dashboard, newest first." />
      <form className="inline-form" onSubmit={apply} role="search">
        <TextField label="Actor" value={draft} onChange={setDraft} placeholder="key or user id" />
        <button type="submit" className="btn btn-primary">
          Filter
        </button>
      </form>
      <LoadState live={log} what="the audit log" />
      {log.data && rows.length === 0 && <Empty>Nothing recorded{actor ? ` for ${actor}` : ''}.</Empty>}
      {rows.length > 0 && (
        <TableWrap label="Audit log">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col" className="num">Status</th>
                <th scope="col">From</th>
                <th scope="col">Idempotency key</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a, i) => (
                <tr key={`${a.at}-${i}`}>
                  <td className="nowrap">{f.time(a.at)}</td>
                  <td>
                    {a.actor.name ?? a.actor.id} <span className="muted small">{a.actor.kind === 'user' ? 'user' : a.actor.kind === 'api_key' ? 'key' : a.actor.kind}</span>
                  </td>
                  <td>
                    <code>
                      {a.method} {a.path}
                    </code>
                  </td>
                  <td className={`num ${a.status >= 400 ? 'bad' : ''}`}>{a.status}</td>
                  <td>{a.ip ?? ''}</td>
                  <td className="small" title={a.idempotency_key ?? undefined}>
                    <code>{a.idempotency_key ? (a.idempotency_key.length > 13 ? `${a.idempotency_key.slice(0, 12)}…` : a.idempotency_key) : ''}</code>
                  </td>
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
