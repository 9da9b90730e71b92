// Workspaces (docs/workspaces.md): the server administrator's screen, and the only one they see —
// every workspace on this server with its state and counts, a new workspace (its first admin
// key shown here once), and suspend / reactivate.

import { type FormEvent, useState } from 'react';
import { useAction } from '../action.ts';
import { api, type Page, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import { ActionButton, Outcome, Submit, TextField } from '../ui/forms.tsx';
import { Badge, Empty, LoadState, PageHeader, Section, TableWrap } from '../ui/page.tsx';
import { ShownOnce } from '../ui/shown-once.tsx';

interface Workspace {
  id: string;
  name: string;
  state: 'active' | 'suspended';
  created_at: string;
  suspended_at: string | null;
  suspended_reason: string | null;
  counts: { users: number; keys: number; items: number; channels: number };
}

/** Workspaces the page lists at once (a 3PL's clients, not a catalog). */
const WORKSPACES_SHOWN = 500;

export function WorkspacesPage() {
  const list = useLive(() => api.get<Page<Workspace>>('/admin/workspaces', { limit: WORKSPACES_SHOWN }), []);
  const change = useAction();
  const rows = list.data?.data ?? [];

  const flip = (w: Workspace) =>
    void change.run<{ workspace: Workspace }>('POST', `/admin/workspaces/${seg(w.id)}/${w.state === 'active' ? 'suspend' : 'reactivate'}`, {}, (res) => {
      list.refresh();
      return res.workspace.state === 'suspended'
        ? `${w.name} is suspended: its keys, users and sessions are refused and its channels are not pushed to. Its data is kept.`
        : `${w.name} is active again.`;
    });

  return (
    <div>
      <PageHeader title="Workspaces" sub="Every brand on this server. Each workspace has its own users, keys, items and channels; none sees another's." />
      <Section title="All workspaces" id="workspaces">
        <LoadState live={list} what="workspaces" />
        {list.data && rows.length === 0 && <Empty>No workspaces yet: create the first one below.</Empty>}
        {rows.length > 0 && (
          <TableWrap label="Workspaces">
            <table className="workspaces">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">Users</th>
                  <th scope="col" className="num">API keys</th>
                  <th scope="col" className="num">Items</th>
                  <th scope="col" className="num">Channels</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((w) => (
                  <tr key={w.id} data-workspace={w.id}>
                    <td>
                      {w.name} <small className="muted">{w.id}</small>
                    </td>
                    <td>
                      {w.state === 'active' ? (
                        <Badge tone="good">active</Badge>
                      ) : (
                        <span title={w.suspended_reason ?? undefined}>
                          <Badge tone="bad">suspended</Badge> <small className="muted">since {f.time(w.suspended_at)}{w.suspended_reason ? ` — ${w.suspended_reason}` : ''}</small>
                        </span>
                      )}
                    </td>
                    <td className="num">{f.int(w.counts.users)}</td>
                    <td className="num">{f.int(w.counts.keys)}</td>
                    <td className="num">{f.int(w.counts.items)}</td>
                    <td className="num">{f.int(w.counts.channels)}</td>
                    <td className="nowrap">{f.time(w.created_at)}</td>
                    <td className="nowrap">
                      <ActionButton role="admin" action={change} kind={w.state === 'active' ? 'danger' : 'plain'} label={`${w.state === 'active' ? 'Suspend' : 'Reactivate'} ${w.name}`} onClick={() => flip(w)}>
                        {w.state === 'active' ? 'Suspend' : 'Reactivate'}
                      </ActionButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        {list.data?.next_cursor && <p className="muted">Showing the first {f.int(WORKSPACES_SHOWN)}; `truestock workspaces list` shows them all.</p>}
        <Outcome action={change} />
      </Section>
      <NewWorkspace onMade={() => list.refresh()} />
    </div>
  );
}

function NewWorkspace({ onMade }: { onMade: () => void }) {
  const [name, setName] = useState('');
  const [made, setMade] = useState<{ workspace: Workspace; secret: string } | null>(null);
  const action = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMade(null);
    if (!name.trim()) return action.reject('name: give the workspace a name');
    void action.run<{ workspace: Workspace; secret: string }>('POST', '/admin/workspaces', { name: name.trim() }, (res) => {
      setMade({ workspace: res.workspace, secret: res.secret });
      setName('');
      onMade();
      return `Workspace ${res.workspace.name} created.`;
    });
  };

  return (
    <Section title="New workspace" id="new-workspace">
      <form className="filters" onSubmit={submit} aria-label="New workspace">
        <TextField label="Name" value={name} onChange={setName} required placeholder="the brand's name" />
        <div className="filter-buttons">
          <Submit action={action} role="admin">
            Create workspace
          </Submit>
        </div>
      </form>
      <Outcome action={action} />
      {made && (
        <ShownOnce label="Admin API key" secret={made.secret}>
          The admin API key of <strong>{made.workspace.name}</strong> — copy it now and hand it to the workspace's owner; it is <strong>not shown again</strong>. They sign in with it and add their own users and keys.
        </ShownOnce>
      )}
    </Section>
  );
}
