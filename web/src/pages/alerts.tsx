// Alerts out (docs/alerts.md): the workspace's webhook and e-mail subscriptions — create one (a
// webhook's signing secret is shown here once), enable or disable it, rotate a webhook's secret
// (the new one shown once), delete one — each subscription's delivery log with a redeliver
// button, and low-stock / reorder-point thresholds per item and location.

import { type FormEvent, useState } from 'react';
import { useAction } from '../action.ts';
import { api, type Page, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import { href } from '../router.ts';
import { ActionButton, CheckField, ConfirmRow, NumberField, Outcome, SelectField, Submit, TextField, whole } from '../ui/forms.tsx';
import { Badge, Empty, LoadState, PageHeader, Section, TableWrap } from '../ui/page.tsx';
import { LocationSelect, SKU_LIST_ID, SkuDatalist, useLocations } from '../ui/pickers.tsx';
import { ShownOnce } from '../ui/shown-once.tsx';

const EVENTS = ['stock.changed', 'stock.low', 'exception.opened', 'exception.resolved', 'channel.status_changed'] as const;
const SEVERITIES = ['info', 'warning', 'critical'] as const;

interface Subscription {
  id: string;
  kind: 'webhook' | 'email';
  name: string;
  url: string | null;
  email: string | null;
  events: string[];
  min_severity: string;
  digest_minutes: number;
  enabled: boolean;
  previous_secret_until: string | null;
  created_at: string;
}

interface Attempt {
  attempt: number;
  at: string;
  ok: boolean;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
}

interface Delivery {
  id: string;
  event_id: string;
  event_type: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  log: Attempt[];
}

interface Threshold {
  sku: string;
  location: string;
  low_stock: number | null;
  reorder_point: number | null;
  available: number;
  low_stock_reached: boolean;
  reorder_point_reached: boolean;
}

const STATE_TONE = { delivered: 'good', pending: 'warn', failed: 'bad' } as const;

export function AlertsPage() {
  const subs = useLive(() => api.get<{ data: Subscription[] }>('/alerts/subscriptions'), []);
  const [selected, setSelected] = useState<string | null>(null);
  /** A rotation or a deletion waiting for its confirmation. */
  const [asking, setAsking] = useState<{ sub: Subscription; what: 'rotate' | 'delete' } | null>(null);
  const toggle = useAction();
  const rows = subs.data?.data ?? [];
  const shown = rows.find((s) => s.id === selected) ?? null;

  return (
    <div>
      <PageHeader title="Alerts" sub="Webhooks (signed per Standard Webhooks) and e-mails for stock changes, low stock, exceptions and channel status." />
      <Section title="Subscriptions" id="subscriptions">
        <LoadState live={subs} what="subscriptions" />
        {subs.data && rows.length === 0 && <Empty>No subscriptions yet: add a webhook or an e-mail address below.</Empty>}
        {rows.length > 0 && (
          <TableWrap label="Subscriptions">
            <table className="subscriptions">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Sends to</th>
                  <th scope="col">Events</th>
                  <th scope="col">Severity</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((s) => (
                  <tr key={s.id} data-subscription={s.id} className={selected === s.id ? 'row-open' : ''}>
                    <td>{s.name}</td>
                    <td>
                      {s.kind === 'email' ? `e-mail${s.digest_minutes > 0 ? ` (digest every ${s.digest_minutes} min)` : ''}` : 'webhook'}
                      {/* After a rotation: receivers not yet switched still verify until then. */}
                      {s.previous_secret_until && Date.parse(s.previous_secret_until) > Date.now() && (
                        <small className="muted" data-previous-secret>
                          {' '}
                          · the previous secret signs too until {f.time(s.previous_secret_until)}
                        </small>
                      )}
                    </td>
                    <td className="message">{s.url ?? s.email}</td>
                    <td>{s.events.length === 0 ? 'all events' : s.events.join(', ')}</td>
                    <td>{s.min_severity === 'info' ? 'any' : `${s.min_severity} and worse`}</td>
                    <td>{s.enabled ? <Badge tone="good">enabled</Badge> : <Badge>disabled</Badge>}</td>
                    <td className="nowrap">
                      <ActionButton role="admin" action={toggle} label={`${s.enabled ? 'Disable' : 'Enable'} ${s.name}`} onClick={() => void toggle.run('PATCH', `/alerts/subscriptions/${seg(s.id)}`, { enabled: !s.enabled }, () => (subs.refresh(), `${s.name} ${s.enabled ? 'disabled' : 'enabled'}.`))}>
                        {s.enabled ? 'Disable' : 'Enable'}
                      </ActionButton>{' '}
                      <button type="button" className="btn btn-plain" aria-expanded={selected === s.id} onClick={() => setSelected(selected === s.id ? null : s.id)}>
                        {selected === s.id ? 'Hide log' : 'Delivery log'}
                        <span className="visually-hidden"> of {s.name}</span>
                      </button>{' '}
                      {s.kind === 'webhook' && (
                        <>
                          <ActionButton role="admin" label={`Rotate secret of ${s.name}`} onClick={() => (toggle.clear(), setAsking({ sub: s, what: 'rotate' }))}>
                            Rotate secret
                          </ActionButton>{' '}
                        </>
                      )}
                      <ActionButton role="admin" kind="danger" label={`Delete ${s.name}`} onClick={() => (toggle.clear(), setAsking({ sub: s, what: 'delete' }))}>
                        Delete
                      </ActionButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <Outcome action={toggle} />
      </Section>
      {asking?.what === 'rotate' && <RotateSecret key={`rotate-${asking.sub.id}`} sub={asking.sub} onDone={() => subs.refresh()} onClose={() => setAsking(null)} />}
      {asking?.what === 'delete' && (
        <DeleteSubscription
          key={`delete-${asking.sub.id}`}
          sub={asking.sub}
          onDone={() => (subs.refresh(), selected === asking.sub.id && setSelected(null))}
          onClose={() => setAsking(null)}
        />
      )}
      {shown && <DeliveryLog key={shown.id} sub={shown} />}
      <NewSubscription onMade={(id) => (subs.refresh(), setSelected(id))} />
      <Thresholds />
    </div>
  );
}

function NewSubscription({ onMade }: { onMade: (id: string) => void }) {
  const [kind, setKind] = useState<'webhook' | 'email'>('webhook');
  const [name, setName] = useState('');
  const [target, setTarget] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [severity, setSeverity] = useState('warning');
  const [digest, setDigest] = useState('0');
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSecret(null);
    const body = {
      kind,
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(kind === 'webhook' ? { url: target.trim() } : { email: target.trim(), min_severity: severity, digest_minutes: whole(digest) ?? 0 }),
      events,
    };
    void action.run<{ subscription: Subscription; secret?: string }>('POST', '/alerts/subscriptions', body, (res) => {
      if (res.secret) setSecret(res.secret);
      setName('');
      setTarget('');
      onMade(res.subscription.id);
      return `Subscription ${res.subscription.name} created.`;
    });
  };

  return (
    <Section title="New subscription" id="new-subscription">
      <form className="filters" onSubmit={submit} aria-label="New subscription">
        <SelectField label="Kind" value={kind} onChange={(v) => setKind(v as 'webhook' | 'email')} options={[{ value: 'webhook', label: 'webhook' }, { value: 'email', label: 'e-mail' }]} />
        <TextField label="Name" value={name} onChange={setName} placeholder="ERP, on-call…" />
        {kind === 'webhook' ? (
          <TextField label="URL" value={target} onChange={setTarget} required placeholder="https://example.com/hooks/truestock" />
        ) : (
          <>
            <TextField label="E-mail address" type="email" value={target} onChange={setTarget} required placeholder="ops@example.com" />
            <SelectField label="Least severity" value={severity} onChange={setSeverity} options={SEVERITIES.map((s) => ({ value: s, label: s }))} />
            <NumberField label="Digest every (minutes, 0: at once)" value={digest} onChange={setDigest} />
          </>
        )}
        <fieldset className="field">
          <legend>Events (none ticked: all)</legend>
          {EVENTS.map((ev) => (
            <CheckField key={ev} label={ev} checked={events.includes(ev)} onChange={(on) => setEvents(on ? [...events, ev] : events.filter((x) => x !== ev))} />
          ))}
        </fieldset>
        <div className="filter-buttons">
          <Submit action={action} role="admin">
            Create subscription
          </Submit>
        </div>
      </form>
      <Outcome action={action} />
      {secret && (
        <ShownOnce label="Signing secret" secret={secret}>
          Signing secret — copy it now, it is <strong>not shown again</strong>:
        </ShownOnce>
      )}
    </Section>
  );
}

/** Asks first (receivers must be given the new secret), then shows the new secret once. */
function RotateSecret({ sub, onDone, onClose }: { sub: Subscription; onDone: () => void; onClose: () => void }) {
  const action = useAction();
  const [secret, setSecret] = useState<string | null>(null);
  const rotate = () =>
    void action.run<{ subscription: Subscription; secret: string | null }>('POST', `/alerts/subscriptions/${seg(sub.id)}/secret`, undefined, (res) => {
      setSecret(res.secret);
      onDone();
      return `The signing secret of ${sub.name} was rotated.`;
    });
  return (
    <Section title={`Rotate the signing secret of ${sub.name}?`} id="rotate-secret">
      {!action.done && (
        <p>
          A new secret signs every delivery to {sub.url}. Give it to the receiver: for 24 hours the previous secret signs too, so nothing is lost while it
          switches.
        </p>
      )}
      <ConfirmRow action={action} onClose={onClose}>
        {!action.done && (
          <ActionButton role="admin" kind="primary" action={action} onClick={rotate}>
            Rotate the secret
          </ActionButton>
        )}
      </ConfirmRow>
      <Outcome action={action} />
      {secret && (
        <ShownOnce label="New signing secret" secret={secret}>
          New signing secret — copy it now, it is <strong>not shown again</strong>. Both the new and the previous secret sign deliveries for the next 24 hours;
          after that only the new one does.
        </ShownOnce>
      )}
    </Section>
  );
}

/** Asks first: the subscription's delivery log goes with it (disabling keeps it). */
function DeleteSubscription({ sub, onDone, onClose }: { sub: Subscription; onDone: () => void; onClose: () => void }) {
  const action = useAction();
  const remove = () =>
    void action.run<{ deleted: { id: string; deliveries: number } }>('DELETE', `/alerts/subscriptions/${seg(sub.id)}`, undefined, (res) => {
      onDone();
      return `${sub.name} deleted, with ${f.int(res.deleted.deliveries)} ${res.deleted.deliveries === 1 ? 'delivery' : 'deliveries'} from its log.`;
    });
  return (
    <Section title={`Delete ${sub.name}?`} id="delete-subscription">
      {!action.done && <p>Nothing more is sent to {sub.url ?? sub.email}, and its delivery log is deleted with it. To stop sending and keep the log, disable it instead.</p>}
      <ConfirmRow action={action} onClose={onClose}>
        {!action.done && (
          <ActionButton role="admin" kind="danger" action={action} onClick={remove}>
            Delete subscription
          </ActionButton>
        )}
      </ConfirmRow>
      <Outcome action={action} />
    </Section>
  );
}

function DeliveryLog({ sub }: { sub: Subscription }) {
  const log = useLive(() => api.get<Page<Delivery>>(`/alerts/subscriptions/${seg(sub.id)}/deliveries`, { limit: 50 }), [sub.id]);
  const again = useAction();
  const rows = log.data?.data ?? [];
  return (
    <Section title={`Delivery log: ${sub.name}`} id="delivery-log">
      <LoadState live={log} what="the delivery log" />
      {log.data && rows.length === 0 && <Empty>Nothing delivered to this subscription yet.</Empty>}
      {rows.length > 0 && (
        <TableWrap label="Delivery log">
          <table className="deliveries">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">State</th>
                <th scope="col" className="num">Attempts</th>
                <th scope="col" className="num">Status</th>
                <th scope="col" className="num">Latency</th>
                <th scope="col">When</th>
                <th scope="col">Error</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => {
                const last = d.log[d.log.length - 1];
                return (
                  <tr key={d.id} data-delivery={d.id}>
                    <td>
                      {d.event_type} <small className="muted">{d.event_id}</small>
                    </td>
                    <td>
                      <Badge tone={STATE_TONE[d.state]}>{d.state}</Badge>
                      {d.state === 'pending' && d.next_at && <small className="muted"> next {f.time(d.next_at)}</small>}
                    </td>
                    <td className="num">{d.attempts}</td>
                    <td className="num">{d.last_status ?? '—'}</td>
                    <td className="num">{last ? `${f.int(last.latency_ms)} ms` : '—'}</td>
                    <td className="nowrap">{f.time(last?.at ?? d.created_at)}</td>
                    <td className="message">{d.last_error ?? ''}</td>
                    <td>
                      <ActionButton action={again} label={`Redeliver ${d.event_type} ${d.event_id}`} onClick={() => void again.run('POST', `/alerts/deliveries/${seg(d.id)}/redeliver`, undefined, () => (log.refresh(), `Redelivery of ${d.event_id} queued.`))}>
                        Redeliver
                      </ActionButton>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Outcome action={again} />
    </Section>
  );
}

function Thresholds() {
  const list = useLive(() => api.get<Page<Threshold>>('/alerts/thresholds', { limit: 200 }), []);
  const locations = useLocations();
  const [sku, setSku] = useState('');
  const [location, setLocation] = useState('');
  const [low, setLow] = useState('');
  const [reorder, setReorder] = useState('');
  const action = useAction();
  const rows = list.data?.data ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const lowN = whole(low);
    const reorderN = whole(reorder);
    if (Number.isNaN(lowN) || Number.isNaN(reorderN)) return action.reject('thresholds are whole numbers of units');
    void action.run('PUT', '/alerts/thresholds', { sku: sku.trim(), location: location || locations.data?.[0]?.code, low_stock: lowN ?? null, reorder_point: reorderN ?? null }, () => (list.refresh(), `Thresholds of ${sku.trim()} saved.`));
  };
  return (
    <Section title="Low-stock thresholds" id="thresholds">
      <p className="muted">A stock.low alert goes out once when available falls to a threshold or below, and again only after it has risen above it.</p>
      <LoadState live={list} what="thresholds" />
      {list.data && rows.length === 0 && <Empty>No thresholds set.</Empty>}
      {rows.length > 0 && (
        <TableWrap label="Thresholds">
          <table>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col">Location</th>
                <th scope="col" className="num">Available</th>
                <th scope="col" className="num">Low stock at</th>
                <th scope="col" className="num">Reorder at</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={`${t.sku}@${t.location}`}>
                  <td>
                    <a href={href(`/items/${seg(t.sku)}`)}>{t.sku}</a>
                  </td>
                  <td>{t.location}</td>
                  <td className="num">{f.int(t.available)}</td>
                  <td className="num">
                    {f.int(t.low_stock)} {t.low_stock_reached && <Badge tone="bad">low</Badge>}
                  </td>
                  <td className="num">
                    {f.int(t.reorder_point)} {t.reorder_point_reached && <Badge tone="warn">reorder</Badge>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <form className="filters" onSubmit={submit} aria-label="Set thresholds">
        <SkuDatalist />
        <TextField label="SKU" value={sku} onChange={setSku} list={SKU_LIST_ID} required />
        <LocationSelect label="Location" value={location} onChange={setLocation} locations={locations.data} />
        <NumberField label="Low stock at (units)" value={low} onChange={setLow} />
        <NumberField label="Reorder at (units)" value={reorder} onChange={setReorder} />
        <div className="filter-buttons">
          <Submit action={action}>Save thresholds</Submit>
        </div>
      </form>
      <Outcome action={action} />
    </Section>
  );
}
