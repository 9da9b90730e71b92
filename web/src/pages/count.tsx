// One cycle count: enter what was counted (several counters may count one SKU), see each line's
// variance against the books at the moment of the entry, post it, or approve it (admin).

import { type FormEvent, useState } from 'react';
import { useAction } from '../action.ts';
import { api, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import type { PageProps } from '../routes.ts';
import { href } from '../router.ts';
import { useCan } from '../session.ts';
import type { Count } from '../types.ts';
import { ActionButton, CellNumber, Outcome, Submit, TextField, whole } from '../ui/forms.tsx';
import { Badge, Empty, LoadState, PageHeader, Section, TableWrap } from '../ui/page.tsx';
import { COUNT_STATE_TONE } from './counts.tsx';

export function CountPage({ params }: PageProps) {
  const id = params.id ?? '';
  const count = useLive(() => api.get<{ count: Count }>(`/counts/${seg(id)}`), [id]);
  const c = count.data?.count;
  return (
    <div>
      <PageHeader title={c ? `Count ${c.number}` : 'Count'} sub={c ? <>{c.location} · {c.scope}{c.blind ? ' · blind' : ''} · opened {f.time(c.created_at)}</> : undefined}>
        <a href={href('/counts')}>All counts</a>
      </PageHeader>
      <LoadState live={count} what="the count" />
      {c && <CountBody c={c} onChanged={count.refresh} />}
    </div>
  );
}

function CountBody({ c, onChanged }: { c: Count; onChanged: () => void }) {
  const can = useCan();
  const enter = useAction();
  const post = useAction();
  const [counted, setCounted] = useState<Record<string, string>>({});
  const [counter, setCounter] = useState('');
  const editable = c.state === 'open';
  const lines = c.lines ?? [];
  const hidden = c.books_hidden === true;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const entries = lines
      .map((l) => ({ sku: l.sku, counted: whole(counted[l.sku] ?? '') }))
      .filter((x): x is { sku: string; counted: number } => x.counted !== undefined)
      .map((x) => ({ ...x, ...(counter.trim() ? { counter: counter.trim() } : {}) }));
    if (entries.length === 0) return enter.reject('Enter the counted units of at least one SKU.');
    void enter.run('POST', `/counts/${seg(c.id)}/entries`, { entries }, () => (setCounted({}), onChanged(), `Saved ${entries.length} count${entries.length === 1 ? '' : 's'}`));
  };
  const postNow = () =>
    post.run('POST', `/counts/${seg(c.id)}/post`, {}, (r: { count: Count }) => {
      onChanged();
      return r.count.state === 'awaiting_approval' ? 'Some variances exceed the threshold: the count awaits an admin’s approval' : `${c.number} posted`;
    });
  const approve = () => post.run('POST', `/counts/${seg(c.id)}/approve`, {}, () => (onChanged(), `${c.number} approved and posted`));
  const cancel = () => post.run('POST', `/counts/${seg(c.id)}/cancel`, {}, () => (onChanged(), `${c.number} cancelled`));

  return (
    <>
      <p>
        <Badge tone={COUNT_STATE_TONE[c.state]}>{f.label(c.state)}</Badge>
        {c.approved_by && <> approved by {c.approved_by}</>}
        {c.posted_at && <> · posted {f.time(c.posted_at)}</>}
        {c.thresholds && (c.thresholds.variance_units_max !== null || c.thresholds.variance_percent_max !== null) && (
          <span className="muted">
            {' '}
            · approval needed above {c.thresholds.variance_units_max !== null ? `${f.int(c.thresholds.variance_units_max)} units` : ''}
            {c.thresholds.variance_units_max !== null && c.thresholds.variance_percent_max !== null ? ' or ' : ''}
            {c.thresholds.variance_percent_max !== null ? `${c.thresholds.variance_percent_max} %` : ''}
          </span>
        )}
      </p>
      {hidden && <p className="notice">A blind count: the books stay hidden until it is posted. You see only your own entries.</p>}
      <Section title="Lines" id="lines">
        {lines.length === 0 && <Empty>No lines: nothing in this count's scope had stock when it started.</Empty>}
        <form onSubmit={submit}>
          <TableWrap label={`Lines of ${c.number}`}>
            <table>
              <thead>
                <tr>
                  <th scope="col">SKU</th>
                  {!hidden && <th scope="col" className="num">Books at start</th>}
                  {!hidden && <th scope="col" className="num">Books at entry</th>}
                  <th scope="col" className="num">Counted</th>
                  {!hidden && <th scope="col" className="num">Variance</th>}
                  {!hidden && <th scope="col" className="num">%</th>}
                  <th scope="col">Counters</th>
                  {editable && <th scope="col">Count now</th>}
                </tr>
              </thead>
              <tbody>
                {lines.map((l) => {
                  const counters = l.counters ?? l.your_counts ?? [];
                  return (
                    <tr key={l.sku} className={l.exceeds_threshold ? 'row-bad' : ''}>
                      <th scope="row">
                        <a href={href(`/items/${seg(l.sku)}`)}>{l.sku}</a>
                      </th>
                      {!hidden && <td className="num">{f.int(l.snapshot)}</td>}
                      {!hidden && <td className="num">{f.int(l.expected)}</td>}
                      <td className="num">{hidden ? f.int(counters.reduce((s, x) => s + x.counted, 0)) : f.int(l.counted)}</td>
                      {!hidden && (
                        <td className={`num ${l.variance ? (l.variance < 0 ? 'bad' : 'good') : ''}`}>
                          {l.variance === null || l.variance === undefined ? '—' : l.variance > 0 ? `+${f.int(l.variance)}` : f.int(l.variance)}
                          {l.exceeds_threshold && <Badge tone="bad">over threshold</Badge>}
                        </td>
                      )}
                      {!hidden && <td className="num">{l.variance_percent === null || l.variance_percent === undefined ? '—' : `${l.variance_percent}`}</td>}
                      <td className="small">{counters.map((x) => `${x.counter}: ${f.int(x.counted)}`).join(', ')}</td>
                      {editable && (
                        <td>
                          <CellNumber label={`Counted units of ${l.sku}`} value={counted[l.sku] ?? ''} onChange={(v) => setCounted({ ...counted, [l.sku]: v })} />
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
          {editable && (
            <div className="inline-form">
              <TextField label="Counter" value={counter} onChange={setCounter} placeholder="your name (optional)" />
              <Submit action={enter}>Save counts</Submit>
            </div>
          )}
        </form>
        <Outcome action={enter} />
      </Section>
      {(c.state === 'open' || c.state === 'awaiting_approval') && (
        <Section title="Post" id="post">
          {c.uncounted && c.uncounted.length > 0 && <p className="muted">Not counted (will not be posted): {c.uncounted.join(', ')}</p>}
          <div className="button-row">
            {c.state === 'open' && (
              <ActionButton action={post} kind="primary" onClick={postNow}>
                Post variances
              </ActionButton>
            )}
            {c.state === 'awaiting_approval' && (
              <ActionButton action={post} kind="primary" role="admin" onClick={approve}>
                Approve and post
              </ActionButton>
            )}
            <ActionButton action={post} kind="danger" onClick={cancel}>
              Cancel count
            </ActionButton>
          </div>
          {c.state === 'awaiting_approval' && !can('admin') && <p className="muted">Waiting for an admin to approve.</p>}
        </Section>
      )}
      {/* Outside the section: posting removes the section, not what it said. */}
      <Outcome action={post} />
    </>
  );
}
