// Orders: every order of every channel and the ones staff placed, newest first, filtered by state,
// channel, SKU, location and exception. The filters live in the URL (#/orders?state=…), so a
// filtered list can be bookmarked or shared; pages follow the API's cursor. Staff place orders
// here too: a staff order is refused when short, and the refusal is shown.

import { type FormEvent, useState } from 'react';
import { useAction } from '../action.ts';
import { api, type Page, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import type { PageProps } from '../routes.ts';
import { href, navigate } from '../router.ts';
import type { Location } from '../types.ts';
import { CheckField, Outcome, SelectField, Submit, TextField } from '../ui/forms.tsx';
import { Empty, LoadState, PageHeader, Section, TableWrap } from '../ui/page.tsx';
import { emptyLine, type LineDraft, LinesEditor, linesBody, LocationSelect, SKU_LIST_ID, SkuDatalist, useChannels, useLocations } from '../ui/pickers.tsx';
import { channelName, ExceptionBadge, linesAndUnits, type Order, type OrderDetail, ORDER_STATES, OrderStateBadge, SERVICE_LEVELS, unitsByLocation, ZonedTime } from './order-parts.tsx';

/** Orders a page shows. */
const ORDERS_PAGE = 25;
/**
 * The list's summaries do not say where an order is allocated: the shown orders' details are read
 * for that, this often (not every poll), at most this many at a time.
 */
const WHERE_REFRESH_MS = 30_000;
const WHERE_CONCURRENCY = 4;

const FILTERS = ['state', 'channel', 'sku', 'location', 'has_exception'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
const NO_FILTERS: Filters = { state: '', channel: '', sku: '', location: '', has_exception: '' };

export function OrdersPage({ query }: PageProps) {
  const applied = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? ''])) as Filters;
  const key = FILTERS.map((k) => applied[k]).join('|');
  const [placed, setPlaced] = useState(0);
  return (
    <div>
      <PageHeader title="Orders" sub="Every channel’s orders and the ones staff placed, newest first: where each is allocated, what shipped, what needs a human." />
      <SkuDatalist />
      <FilterForm key={`filters ${key}`} applied={applied} />
      {/* Keyed by the filters: a new filter starts again at the first page. */}
      <OrderList key={`list ${key}`} applied={applied} reload={placed} />
      <PlaceOrder onPlaced={() => setPlaced((n) => n + 1)} />
    </div>
  );
}

function OrderList({ applied, reload }: { applied: Filters; reload: number }) {
  // The cursors of the pages before this one: "Previous page" pops, "Next page" pushes.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const list = useLive(() => api.get<Page<Order>>('/orders', { ...applied, limit: ORDERS_PAGE, cursor }), [cursor, reload]);
  const channels = useChannels();
  const page = list.data;
  const rows = page?.data ?? [];
  const where = useWhereAllocated(rows);
  const pageNo = cursors.length;
  const filtered = FILTERS.some((k) => applied[k] !== '');
  return (
    <Section title="Orders" id="orders">
      <LoadState live={list} what="orders" />
      {page && rows.length === 0 && <Empty>{pageNo > 1 ? 'No more orders.' : filtered ? 'No orders match these filters.' : 'No orders yet.'}</Empty>}
      {rows.length > 0 && (
        <TableWrap label="Orders, newest first">
          <table>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Channel</th>
                <th scope="col">State</th>
                <th scope="col">Service</th>
                <th scope="col">Lines</th>
                <th scope="col">Allocated at</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((o) => (
                <tr key={o.id} data-order={o.number}>
                  <th scope="row">
                    <a href={href(`/orders/${seg(o.id)}`)}>#{o.number}</a>
                    <ExceptionBadge exception={o.exception} />
                  </th>
                  <td>
                    {/* What people call the order (Shopify's #1001); the channel's own id (a gid://) on hover. */}
                    {channelName(channels.data, o.channel_id)} <span className="muted small nowrap" title={o.channel_reference ?? undefined}>{o.reference}</span>
                  </td>
                  <td>
                    <OrderStateBadge state={o.state} />
                  </td>
                  <td>
                    {f.label(o.service_level)}
                    {o.pickup_location && <span className="muted small"> at {o.pickup_location}</span>}
                  </td>
                  <td className="nowrap">{linesAndUnits(o)}</td>
                  <td>
                    <WhereCell o={o} detail={where.data?.get(o.id)} />
                  </td>
                  <td>
                    <ZonedTime iso={o.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {(pageNo > 1 || page?.next_cursor) && (
        <nav className="pager" aria-label="Order pages">
          <button type="button" className="btn btn-plain" disabled={pageNo === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Previous page
          </button>
          <span className="muted">
            Page {pageNo} ({ORDERS_PAGE} a page)
          </span>
          <button type="button" className="btn btn-plain" disabled={!page?.next_cursor} onClick={() => page?.next_cursor && setCursors((c) => [...c, page.next_cursor])}>
            Next page
          </button>
        </nav>
      )}
    </Section>
  );
}

/** Where the shown orders' units are: each order's detail, read a few at a time. */
function useWhereAllocated(rows: readonly Order[]) {
  const ids = rows.filter((o) => o.state !== 'cancelled').map((o) => o.id);
  return useLive(
    async () => {
      const found = new Map<string, OrderDetail>();
      let next = 0;
      const worker = async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          try {
            found.set(id, (await api.get<{ order: OrderDetail }>(`/orders/${seg(id)}`)).order);
          } catch {
            // One order that cannot be read leaves its cell blank; the list itself still shows.
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(WHERE_CONCURRENCY, ids.length) }, worker));
      return found;
    },
    [ids.join(',')],
    WHERE_REFRESH_MS,
  );
}

function WhereCell({ o, detail }: { o: Order; detail: OrderDetail | undefined }) {
  if (o.state === 'cancelled') return <span className="muted">—</span>;
  if (!detail) return <span className="muted">…</span>;
  const open = unitsByLocation(detail.allocations ?? []);
  if (open.length > 0) return <span className="nowrap">{open.map(([loc, n]) => `${loc} ${f.int(n)}`).join(' · ')}</span>;
  // A till sale ships through its hold (handed over at the counter), with no shipment row.
  const shippedFrom = [...new Set([...(detail.shipments ?? []).map((s) => s.location), ...(detail.allocations ?? []).filter((a) => a.shipped > 0).map((a) => a.location)])];
  if (shippedFrom.length > 0) return <span className="muted">shipped from {shippedFrom.join(', ')}</span>;
  // A till sale or an FBA order: the channel handed it over itself, nothing is allocated here.
  if (o.fulfilled_by_channel) return <span className="muted">by the channel</span>;
  const waiting = o.lines.reduce((n, l) => n + l.backordered, 0);
  if (waiting > 0) return <span className="muted">{f.int(waiting)} backordered</span>;
  return <span className="muted">nowhere</span>;
}

function FilterForm({ applied }: { applied: Filters }) {
  const [draft, setDraft] = useState<Filters>(applied);
  const locations = useLocations();
  const channels = useChannels();
  const set = (k: keyof Filters) => (v: string) => setDraft({ ...draft, [k]: v });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate('/orders', { ...draft, sku: draft.sku.trim() });
  };
  return (
    <form className="filters" onSubmit={apply} aria-label="Filter orders">
      <SelectField label="State" value={draft.state} onChange={set('state')} options={[{ value: '', label: 'any state' }, ...ORDER_STATES.map((s) => ({ value: s, label: f.label(s) }))]} />
      <SelectField label="Channel" value={draft.channel} onChange={set('channel')} options={[{ value: '', label: 'any channel' }, ...(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))]} />
      <TextField label="SKU" value={draft.sku} onChange={set('sku')} list={SKU_LIST_ID} />
      <LocationSelect label="Location" value={draft.location} onChange={set('location')} locations={locations.data} allowEmpty="any location" />
      <SelectField
        label="Exception"
        value={draft.has_exception}
        onChange={set('has_exception')}
        options={[
          { value: '', label: 'with or without' },
          { value: 'true', label: 'has an exception' },
          { value: 'false', label: 'no exception' },
        ]}
      />
      <div className="filter-buttons">
        <button type="submit" className="btn btn-primary">
          Filter
        </button>
        <a className="btn btn-plain" href={href('/orders')} onClick={() => setDraft(NO_FILTERS)}>
          Clear
        </a>
      </div>
    </form>
  );
}

/** `WH1, ST1` or `WH1 ST1` → `['WH1', 'ST1']`. */
const codeList = (s: string) => s.split(/[\s,]+/).filter(Boolean);

/** Locations where customers may collect (all of them when the server does not say). */
const pickupStores = (locations: Location[] | undefined) => (locations ?? []).filter((l) => (l as Location & { pickup?: boolean }).pickup !== false);

function PlaceOrder({ onPlaced }: { onPlaced: () => void }) {
  const action = useAction();
  const locations = useLocations();
  const [lines, setLines] = useState<LineDraft[]>([emptyLine()]);
  const [service, setService] = useState('standard');
  const [where, setWhere] = useState('');
  const [pickup, setPickup] = useState('');
  const [postal, setPostal] = useState('');
  const [country, setCountry] = useState('');
  const [customer, setCustomer] = useState('');
  const [pending, setPending] = useState(false);
  const [placed, setPlaced] = useState<Order | null>(null);
  const stores = pickupStores(locations.data);
  const store = pickup || stores[0]?.code || '';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = linesBody(lines);
    if (body.length === 0) return action.reject('Enter at least one line: a SKU and its quantity.');
    if (body.some((l) => !Number.isInteger(l.quantity) || l.quantity < 1)) return action.reject('Quantities are whole numbers of at least 1.');
    if (service === 'pickup' && !store) return action.reject('No location offers pickup.');
    const shipTo = postal.trim() || country.trim() ? { ship_to: { postal_code: postal.trim() || null, country: country.trim().toUpperCase() || null } } : {};
    const request = {
      source: 'staff',
      lines: body,
      service_level: service,
      ...(service === 'pickup' ? { pickup_location: store } : codeList(where).length > 0 ? { locations: codeList(where) } : {}),
      ...shipTo,
      ...(customer.trim() ? { customer_reference: customer.trim() } : {}),
      ...(pending ? { pending: true } : {}),
    };
    setPlaced(null);
    void action.run('POST', '/orders', request, (r: { order: Order }) => {
      setLines([emptyLine()]);
      setPlaced(r.order);
      onPlaced();
      return `Order #${r.order.number} (${r.order.reference}) placed: ${f.label(r.order.state)}`;
    });
  };
  return (
    <Section title="Place an order" id="place-order">
      <p className="muted">A staff order is refused when there is not enough stock for it: nothing is held and no order is made.</p>
      <form onSubmit={submit} className="stack-form">
        <LinesEditor lines={lines} onChange={setLines} />
        <SelectField label="Service level" value={service} onChange={setService} options={SERVICE_LEVELS.map((s) => ({ value: s, label: s === 'pickup' ? 'pickup in store' : f.label(s) }))} />
        {service === 'pickup' ? (
          <LocationSelect label="Pickup store" value={store} onChange={setPickup} locations={stores} />
        ) : (
          <TextField label="Ship from" value={where} onChange={setWhere} placeholder="WH1, ST1" hint="Location codes, best first; blank: every location that ships online orders" />
        )}
        <div className="inline-form">
          <TextField label="Ship-to postal code" value={postal} onChange={setPostal} size={10} />
          <TextField label="Country" value={country} onChange={setCountry} size={3} placeholder="US" />
        </div>
        <TextField label="Customer reference" value={customer} onChange={setCustomer} placeholder="optional" />
        <CheckField label="Payment not confirmed yet: hold the units (pending)" checked={pending} onChange={setPending} />
        <Submit action={action}>Place order</Submit>
      </form>
      <Outcome action={action} />
      {placed && (
        <p>
          <a href={href(`/orders/${seg(placed.id)}`)}>Open order #{placed.number}</a>
        </p>
      )}
    </Section>
  );
}
