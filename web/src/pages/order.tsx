// One order: who placed it and for where, its lines (ordered, allocated, shipped, cancelled,
// backordered, returned), where its units are allocated, its shipments, the ledger movements it
// made, its exceptions and the routing decision with each candidate's reasons. The steps it may
// take next — confirm, ship, cancel, short pick — are forms; a refusal is shown beside its form
// and changes nothing.

import { type FormEvent, type ReactNode, useState } from 'react';
import { type Action, useAction } from '../action.ts';
import { api, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import type { PageProps } from '../routes.ts';
import { href } from '../router.ts';
import { ActionButton, CellNumber, type Entries, NumberField, Outcome, SelectField, setEntry, Submit, TextField, whole } from '../ui/forms.tsx';
import { Badge, Empty, LoadState, PageHeader, Section, TableWrap } from '../ui/page.tsx';
import { useChannels } from '../ui/pickers.tsx';
import { channelName, ExceptionBadge, OPEN_HOLD_STATES, openUnitsOf, type OrderDetail, type OrderLine, OrderStateBadge, ZonedTime } from './order-parts.tsx';

export function OrderPage({ params }: PageProps) {
  const id = params.id ?? '';
  const order = useLive(() => api.get<{ order: OrderDetail }>(`/orders/${seg(id)}`), [id]);
  const o = order.data?.order;
  return (
    <div>
      <PageHeader title={o ? `Order #${o.number}` : 'Order'} sub={o ? <>{o.reference} · placed <ZonedTime iso={o.created_at} /></> : undefined}>
        <a href={href('/orders')}>All orders</a>
      </PageHeader>
      <LoadState live={order} what={`the order ${id}`} />
      {o && <OrderBody o={o} onChanged={order.refresh} />}
    </div>
  );
}

function OrderBody({ o, onChanged }: { o: OrderDetail; onChanged: () => void }) {
  const lines = o.lines ?? [];
  // What the last step did, said once for the page: the step's own form may be gone after it
  // (a confirmed order has nothing left to confirm).
  const [notice, setNotice] = useState<string | null>(null);
  const stepped = (message: string) => {
    setNotice(message);
    onChanged();
  };
  return (
    <>
      <p className="outcome outcome-ok" role="status">
        {notice ?? ''}
      </p>
      <OrderFacts o={o} />
      <Section title="Lines" id="lines">
        <TableWrap label={`Lines of order #${o.number}`}>
          <table>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">SKU</th>
                <th scope="col" className="num">Ordered</th>
                <th scope="col" className="num">Allocated</th>
                <th scope="col" className="num">Shipped</th>
                <th scope="col" className="num">Cancelled</th>
                <th scope="col" className="num">Backordered</th>
                <th scope="col" className="num">Returned</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={l.line} data-line={l.line}>
                  <td className="num">{l.line}</td>
                  <th scope="row">
                    {l.sku ? <a href={href(`/items/${seg(l.sku)}`)}>{l.sku}</a> : <span className="muted">{l.channel_line_id ?? '—'}</span>}
                    {l.unmapped && <Badge tone="warn">{l.unmapped}</Badge>}
                  </th>
                  <td className="num" data-field="ordered">{f.int(l.quantity)}</td>
                  <td className="num" data-field="allocated">{f.int(l.allocated)}</td>
                  <td className="num" data-field="shipped">{f.int(l.shipped)}</td>
                  <td className="num" data-field="cancelled">{f.int(l.cancelled)}</td>
                  <td className={`num ${l.backordered > 0 ? 'bad' : ''}`} data-field="backordered">{f.int(l.backordered)}</td>
                  <td className="num" data-field="returned">{f.int(l.returned)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Section>
      <OrderActions o={o} onStep={stepped} />
      <Allocations o={o} />
      <Shipments o={o} />
      <Routing o={o} />
      <Exceptions o={o} />
      <Movements o={o} />
    </>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function OrderFacts({ o }: { o: OrderDetail }) {
  const channels = useChannels();
  const shipTo = [o.ship_to?.postal_code, o.ship_to?.country].filter(Boolean).join(' ');
  return (
    <Section title="Order" id="order">
      <dl className="settings-list">
        <Fact term="State">
          <OrderStateBadge state={o.state} />
          <ExceptionBadge exception={o.exception} />
          {o.fulfilled_by_channel && <Badge tone="info">fulfilled by the channel</Badge>}
        </Fact>
        <Fact term="Source">{o.source === 'staff' ? 'staff (refused when short)' : 'channel (taken by the channel: never refused)'}</Fact>
        <Fact term="Channel">
          {o.channel_id ? (
            <>
              <a href={href(`/channels/${seg(o.channel_id)}`)}>{channelName(channels.data, o.channel_id)}</a>
              {o.channel_reference && <> · order {o.channel_reference}</>}
            </>
          ) : (
            'none (staff order)'
          )}
        </Fact>
        <Fact term="Reference">
          <code>{o.reference}</code>
          {o.customer_reference && <> · customer {o.customer_reference}</>}
        </Fact>
        <Fact term="Service level">
          {f.label(o.service_level)}
          {o.pickup_location && <> at {o.pickup_location}</>}
        </Fact>
        <Fact term="Ship to">{shipTo || '—'}</Fact>
        <Fact term="Promised ship by">
          <ZonedTime iso={o.promised_ship_by} />
        </Fact>
        <Fact term="Promised delivery by">
          <ZonedTime iso={o.promised_deliver_by} />
        </Fact>
        {o.requested_ship_date && <Fact term="Requested ship date">{o.requested_ship_date}</Fact>}
        <Fact term="Updated">
          <ZonedTime iso={o.updated_at} />
        </Fact>
      </dl>
    </Section>
  );
}

// ---- actions -------------------------------------------------------------------------------------

const OPEN_STATES = new Set(['pending', 'allocated', 'partially_shipped']);
const SHIPPABLE_STATES = new Set(['allocated', 'partially_shipped']);

/** Lines with units still to ship (neither shipped nor cancelled). */
const openLines = (lines: readonly OrderLine[]) => lines.filter((l) => l.quantity - l.shipped - l.cancelled > 0);

function OrderActions({ o, onStep }: { o: OrderDetail; onStep: Stepped }) {
  if (!OPEN_STATES.has(o.state)) return null;
  const stepsHere = !o.fulfilled_by_channel;
  return (
    <Section title="Next steps" id="order-actions">
      {!stepsHere && <p className="muted">The channel fulfils this order from its own stock: truestock holds nothing for it.</p>}
      {stepsHere && o.state === 'pending' && <Confirm o={o} onStep={onStep} />}
      {stepsHere && SHIPPABLE_STATES.has(o.state) && <Ship o={o} onStep={onStep} />}
      {stepsHere && <Cancel o={o} onStep={onStep} />}
      {stepsHere && SHIPPABLE_STATES.has(o.state) && <ShortPick o={o} onStep={onStep} />}
    </Section>
  );
}

/** A step succeeded: say so for the page, and read the order again. */
type Stepped = (message: string) => void;

/** After a step: what the answer says the order now is. */
const said = (what: string) => (r: { order: OrderDetail }) => `${what}: order #${r.order.number} is ${f.label(r.order.state)}`;

function Confirm({ o, onStep }: { o: OrderDetail; onStep: Stepped }) {
  const action = useAction();
  return (
    <div className="subform">
      <h3>Confirm</h3>
      <p className="muted">Payment confirmed: the held units become the order’s allocation.</p>
      <ActionButton kind="primary" action={action} onClick={() => void action.run('POST', `/orders/${seg(o.id)}/confirm`, {}, (r: { order: OrderDetail }) => onStep(said('Confirmed')(r)))}>
        Confirm order
      </ActionButton>
      <Outcome action={action} />
    </div>
  );
}

/** The locations the order's open units are allocated at, in the order listed. */
const allocatedLocations = (o: OrderDetail) => [...new Set((o.allocations ?? []).filter((a) => openUnitsOf(a) > 0).map((a) => a.location))];

/** Quantities typed per line as the API takes them; null when one is not a whole number ≥ 1. */
function typedLines(entries: Entries, lines: readonly OrderLine[], field: string): { line: number; quantity: number }[] | null {
  const out: { line: number; quantity: number }[] = [];
  for (const l of lines) {
    const n = whole(entries[l.line]?.[field] ?? '');
    if (n === undefined || n === 0) continue;
    if (!Number.isInteger(n) || n < 0) return null;
    out.push({ line: l.line, quantity: n });
  }
  return out;
}

function QuantityTable({ o, lines, entries, setEntries, field, what }: { o: OrderDetail; lines: OrderLine[]; entries: Entries; setEntries: (e: Entries) => void; field: string; what: string }) {
  return (
    <TableWrap label={`${what}, order #${o.number}`}>
      <table>
        <thead>
          <tr>
            <th scope="col">SKU</th>
            <th scope="col" className="num">Open</th>
            <th scope="col">{what}</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr key={l.line}>
              <th scope="row">
                {l.sku ?? l.channel_line_id} <span className="muted small">line {l.line}</span>
              </th>
              <td className="num">{f.int(l.quantity - l.shipped - l.cancelled)}</td>
              <td>
                <CellNumber label={`${what}: units of line ${l.line}`} value={entries[l.line]?.[field] ?? ''} onChange={(v) => setEntries(setEntry(entries, l.line, field, v))} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function Ship({ o, onStep }: { o: OrderDetail; onStep: Stepped }) {
  const action = useAction();
  const [entries, setEntries] = useState<Entries>({});
  const [location, setLocation] = useState('');
  const here = allocatedLocations(o);
  const loc = location || here[0] || '';
  const lines = openLines(o.lines ?? []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const typed = typedLines(entries, lines, 'ship');
    if (typed === null) return action.reject('Units to ship are whole numbers.');
    if (typed.length === 0) return action.reject('Enter the units to ship on at least one line.');
    if (!loc) return action.reject('Nothing is allocated anywhere to ship from.');
    void action.run('POST', `/orders/${seg(o.id)}/ship`, { location: loc, lines: typed }, (r: { order: OrderDetail }) => (setEntries({}), onStep(said(`Shipped ${f.int(typed.reduce((s, l) => s + l.quantity, 0))} from ${loc}`)(r))));
  };
  return (
    <form onSubmit={submit} className="subform" aria-label="Ship">
      <h3>Ship</h3>
      <div className="inline-form">
        <SelectField label="Ship from" value={loc} onChange={setLocation} options={here.length > 0 ? here : ['']} />
      </div>
      <QuantityTable o={o} lines={lines} entries={entries} setEntries={setEntries} field="ship" what="Ship now" />
      <Submit action={action}>Ship</Submit>
      <Outcome action={action} />
    </form>
  );
}

function Cancel({ o, onStep }: { o: OrderDetail; onStep: Stepped }) {
  const action = useAction();
  const [entries, setEntries] = useState<Entries>({});
  const [reason, setReason] = useState('');
  const lines = openLines(o.lines ?? []);
  const why = reason.trim() ? { reason: reason.trim() } : {};
  const run = (body: unknown, what: string) => void action.run('POST', `/orders/${seg(o.id)}/cancel`, body, (r: { order: OrderDetail }) => (setEntries({}), onStep(said(what)(r))));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const typed = typedLines(entries, lines, 'cancel');
    if (typed === null) return action.reject('Units to cancel are whole numbers.');
    if (typed.length === 0) return action.reject('Enter the units to cancel on at least one line, or cancel the whole order.');
    run({ lines: typed, ...why }, `Cancelled ${f.int(typed.reduce((s, l) => s + l.quantity, 0))} units`);
  };
  return (
    <form onSubmit={submit} className="subform close-form" aria-label="Cancel">
      <h3>Cancel</h3>
      <p className="muted">What is not cancelled stays allocated where it is.</p>
      <QuantityTable o={o} lines={lines} entries={entries} setEntries={setEntries} field="cancel" what="Cancel now" />
      <TextField label="Reason for cancelling" value={reason} onChange={setReason} placeholder="optional" size={40} />
      <div className="button-row">
        <Submit action={action} kind="plain">
          Cancel these units
        </Submit>
        <CancelWhole action={action} onClick={() => run(why, 'Cancelled the whole order')} />
      </div>
      <Outcome action={action} />
    </form>
  );
}

function CancelWhole({ action, onClick }: { action: Action; onClick: () => void }) {
  return (
    <ActionButton kind="danger" action={action} onClick={onClick}>
      Cancel the whole order
    </ActionButton>
  );
}

function ShortPick({ o, onStep }: { o: OrderDetail; onStep: Stepped }) {
  const action = useAction();
  const here = allocatedLocations(o);
  const [location, setLocation] = useState('');
  const [line, setLine] = useState('');
  const [found, setFound] = useState('');
  const loc = location || here[0] || '';
  const lines = openLines(o.lines ?? []);
  const lineNo = line || String(lines[0]?.line ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = whole(found);
    if (n === undefined || !Number.isInteger(n) || n < 0) return action.reject('Enter the units the picker found (0 or more).');
    void action.run('POST', `/orders/${seg(o.id)}/short-pick`, { location: loc, line: Number(lineNo), found: n }, (r: { order: OrderDetail }) => (setFound(''), onStep(said(`Short pick at ${loc} booked, the rest re-routed`)(r))));
  };
  return (
    <form onSubmit={submit} className="subform close-form" aria-label="Short pick">
      <h3>Short pick</h3>
      <p className="muted">The picker found fewer units than allocated: the missing ones are booked as a count variance there, and the rest of the line is allocated elsewhere.</p>
      <div className="inline-form">
        <SelectField label="Picked at" value={loc} onChange={setLocation} options={here.length > 0 ? here : ['']} />
        <SelectField label="Line" value={lineNo} onChange={setLine} options={lines.map((l) => ({ value: String(l.line), label: `${l.line}: ${l.sku ?? l.channel_line_id ?? ''}` }))} />
        <NumberField label="Units found" value={found} onChange={setFound} required />
        <Submit action={action} kind="plain">
          Book short pick
        </Submit>
      </div>
      <Outcome action={action} />
    </form>
  );
}

// ---- what happened -------------------------------------------------------------------------------

function Allocations({ o }: { o: OrderDetail }) {
  const rows = [...(o.allocations ?? [])].sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return (
    <Section title="Allocation by location" id="allocations">
      {o.candidates && o.candidates.length > 0 && <p className="muted">Candidates, best first: {o.candidates.join(', ')}</p>}
      {rows.length === 0 ? (
        <Empty>Nothing is held or allocated for this order.</Empty>
      ) : (
        <TableWrap label={`Allocation of order #${o.number}`}>
          <table>
            <thead>
              <tr>
                <th scope="col">Location</th>
                <th scope="col">Line</th>
                <th scope="col">SKU</th>
                <th scope="col" className="num">Units</th>
                <th scope="col" className="num">Shipped</th>
                <th scope="col" className="num">Oversold</th>
                <th scope="col">Hold</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a, i) => (
                <tr key={`${a.hold_id}-${i}`} className={OPEN_HOLD_STATES.has(a.hold_state) ? '' : 'muted'}>
                  <th scope="row">{a.location}</th>
                  <td>{a.line ?? '—'}</td>
                  <td>
                    {a.sku}
                    {a.bundle_sku && <span className="muted small"> of {a.bundle_sku}</span>}
                  </td>
                  <td className="num">{f.int(a.quantity)}</td>
                  <td className="num">{f.int(a.shipped)}</td>
                  <td className={`num ${a.oversold > 0 ? 'bad' : ''}`}>{f.int(a.oversold)}</td>
                  <td>{f.label(a.hold_state)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Section>
  );
}

function Shipments({ o }: { o: OrderDetail }) {
  const shipments = o.shipments ?? [];
  const skuOf = (line: number) => o.lines?.find((l) => l.line === line)?.sku ?? `line ${line}`;
  return (
    <Section title="Shipments" id="shipments">
      {shipments.length === 0 ? (
        <Empty>Nothing shipped yet.</Empty>
      ) : (
        <TableWrap label={`Shipments of order #${o.number}`}>
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">From</th>
                <th scope="col">Units</th>
              </tr>
            </thead>
            <tbody>
              {shipments.map((s) => (
                <tr key={s.id}>
                  <td>
                    <ZonedTime iso={s.created_at} />
                  </td>
                  <th scope="row">{s.location}</th>
                  <td>{(s.lines ?? []).map((l) => `${f.int(l.quantity)} × ${skuOf(l.line)}`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Section>
  );
}

function Exceptions({ o }: { o: OrderDetail }) {
  const exceptions = o.exceptions ?? [];
  return (
    <Section title="Exceptions" id="exceptions" actions={<a href={href('/exceptions')}>The exceptions inbox</a>}>
      {exceptions.length === 0 ? (
        <Empty>No exceptions for this order.</Empty>
      ) : (
        <TableWrap label={`Exceptions of order #${o.number}`}>
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">State</th>
                <th scope="col" className="num">Units</th>
                <th scope="col">Message</th>
                <th scope="col">Raised</th>
              </tr>
            </thead>
            <tbody>
              {exceptions.map((x) => (
                <tr key={x.id}>
                  <th scope="row">
                    <a href={href('/exceptions', { kind: x.kind, state: x.state === 'resolved' ? 'resolved' : '' })}>{f.label(x.kind)}</a>
                  </th>
                  <td>{x.state}</td>
                  <td className="num">{f.int(x.quantity)}</td>
                  <td className="message">{x.message ?? ''}</td>
                  <td>
                    <ZonedTime iso={x.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Section>
  );
}

function Movements({ o }: { o: OrderDetail }) {
  const movements = [...(o.movements ?? [])].reverse();
  return (
    <Section title="Movements" id="movements">
      {movements.length === 0 ? (
        <Empty>No movements yet.</Empty>
      ) : (
        <TableWrap label={`Movements of order #${o.number}, newest first`}>
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Location</th>
                <th scope="col">SKU</th>
                <th scope="col">From → to</th>
                <th scope="col" className="num">Units</th>
                <th scope="col">Command</th>
                <th scope="col">Reason</th>
                <th scope="col">Who</th>
              </tr>
            </thead>
            <tbody>
              {movements.map((m, i) => (
                <tr key={`${m.id}-${i}`} data-movement={m.id}>
                  <td>
                    <ZonedTime iso={m.created_at} />
                  </td>
                  <td>{m.location}</td>
                  <td className="nowrap">{m.sku}</td>
                  <td className="nowrap">
                    {f.label(m.from)} → {f.label(m.to)}
                  </td>
                  <td className="num">{f.int(m.quantity)}</td>
                  <td>{m.command}</td>
                  <td>{m.reason ? f.label(m.reason) : ''}</td>
                  <td className="muted">{m.actor}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {o.movements_truncated && (
        <p className="muted">
          Only the first movements are shown; the API pages the rest: <code>GET /v1/movements?reference={o.reference}</code>
        </p>
      )}
    </Section>
  );
}

// ---- routing -------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Verdict {
  location: string;
  verdict: string;
  reasons: string[];
}

/**
 * The candidates of a routing decision, whatever its shape: objects with a location, a verdict
 * and reasons (routing with reasons), or plain location codes in rank order (first fit), where
 * the ones in `chosen` (if any) won.
 */
function verdictsOf(routing: Record<string, Json>): Verdict[] {
  const list = Array.isArray(routing.candidates) ? routing.candidates : [];
  const chosen = new Set(Array.isArray(routing.chosen) ? routing.chosen.map(String) : []);
  return list.map((c, i) => {
    if (c !== null && typeof c === 'object' && !Array.isArray(c)) {
      const reasons = Array.isArray(c.reasons) ? c.reasons.map(text) : typeof c.reason === 'string' ? [c.reason] : [];
      return { location: text(c.location ?? c.code ?? `#${i + 1}`), verdict: text(c.verdict ?? (c.chosen === true ? 'chosen' : c.chosen === false ? 'rejected' : '—')), reasons };
    }
    const location = text(c);
    return { location, verdict: chosen.size > 0 ? (chosen.has(location) ? 'chosen' : 'rejected') : `rank ${i + 1}`, reasons: [] };
  });
}

const text = (v: Json | undefined): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

const VERDICT_TONE: Record<string, 'good' | 'bad' | undefined> = { chosen: 'good', rejected: 'bad' };

function Routing({ o }: { o: OrderDetail }) {
  const routing = o.routing;
  const decision = routing !== null && typeof routing === 'object' && !Array.isArray(routing) ? (routing as Record<string, Json>) : null;
  const verdicts = decision ? verdictsOf(decision) : [];
  const rest = decision ? Object.entries(decision).filter(([k]) => k !== 'candidates') : [];
  return (
    <Section title="Routing decision" id="routing">
      {routing === null || routing === undefined ? (
        <Empty>No routing decision is stored with this order.</Empty>
      ) : !decision ? (
        <p>
          <code>{text(routing as Json)}</code>
        </p>
      ) : (
        <>
          {rest.length > 0 && (
            <dl className="settings-list">
              {rest.map(([k, v]) => (
                <Fact key={k} term={f.label(k)}>
                  {Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null) ? v.map(text).join(', ') || '—' : typeof v === 'object' && v !== null ? <code>{text(v)}</code> : text(v) || '—'}
                </Fact>
              ))}
            </dl>
          )}
          {verdicts.length > 0 && (
            <TableWrap label={`Routing candidates of order #${o.number}`}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Location</th>
                    <th scope="col">Verdict</th>
                    <th scope="col">Reasons</th>
                  </tr>
                </thead>
                <tbody>
                  {verdicts.map((v, i) => (
                    <tr key={`${v.location}-${i}`} data-candidate={v.location}>
                      <th scope="row">{v.location}</th>
                      <td>
                        <Badge tone={VERDICT_TONE[v.verdict]}>{v.verdict}</Badge>
                      </td>
                      <td>
                        {v.reasons.length === 0 ? (
                          <span className="muted">—</span>
                        ) : (
                          <ul className="plain-list">
                            {v.reasons.map((r, j) => (
                              <li key={j}>{r}</li>
                            ))}
                          </ul>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </>
      )}
    </Section>
  );
}
