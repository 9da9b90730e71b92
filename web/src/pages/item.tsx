// One item: its buckets at every location, the stock commands, its holds and allocations, the
// number every channel publishes and why, the hand edits seen on its listings, and its ledger
// history (a chart of on_hand and available, and every movement).

import { useCallback, useMemo, useState } from 'react';
import { api, ApiError, describeError, type Page, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import type { PageProps } from '../routes.ts';
import { href } from '../router.ts';
import { type Availability, BUCKETS, type HistoryPoint, type Listing, type Movement, type StockView } from '../types.ts';
import { TimeChart } from '../ui/chart.tsx';
import { Badge, Empty, LoadState, PageHeader, Section, TableWrap } from '../ui/page.tsx';
import { Identifiers } from '../ui/identifiers.tsx';
import { StockCommands } from './item-commands.tsx';

/** Points in the on_hand/available chart (the most recent movements). */
const HISTORY_POINTS_MAX = 200;
/** Movements per page of the history table. */
const MOVEMENTS_PAGE = 50;

export function ItemPage({ params }: PageProps) {
  const sku = params.sku ?? '';
  const stock = useLive(() => api.get<StockView>(`/stock/${seg(sku)}`), [sku]);
  const item = stock.data?.item;
  const missing = stock.error instanceof ApiError && stock.error.status === 404 && stock.error.code !== 'route_not_found';

  return (
    <div>
      <PageHeader title={sku} sub={item ? <>{item.name} · {item.kind} {item.archived && <Badge>archived</Badge>}</> : undefined} />
      {missing ? (
        <p className="load-error" role="alert">
          No item with SKU {sku} in this workspace. <a href={href('/items')}>Back to items</a>
        </p>
      ) : (
        <>
          <LoadState live={stock} what="stock" />
          {stock.data && <Buckets stock={stock.data} />}
          {stock.data && <StockCommands sku={sku} onDone={stock.refresh} {...(stock.data.locations[0] ? { defaultLocation: stock.data.locations[0].location } : {})} />}
          <Holds sku={sku} />
          <Channels sku={sku} />
          <ChannelEdits sku={sku} />
          <History sku={sku} />
          <Movements sku={sku} />
        </>
      )}
    </div>
  );
}

function Buckets({ stock }: { stock: StockView }) {
  const cols = ['on_hand', ...BUCKETS] as const;
  return (
    <Section title="Stock by location" id="buckets">
      {stock.locations.length === 0 ? (
        <Empty>No stock anywhere yet.</Empty>
      ) : (
        <TableWrap label="Stock by location">
          <table>
            <thead>
              <tr>
                <th scope="col">Location</th>
                {cols.map((c) => (
                  <th scope="col" key={c} className="num">
                    {f.label(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {stock.locations.map((l) => (
                <tr key={l.location}>
                  <th scope="row">{l.location}</th>
                  {cols.map((c) => (
                    <td key={c} className={`num ${c === 'oversold' && l[c] > 0 ? 'bad' : ''}`}>
                      {f.int(l[c])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                {cols.map((c) => (
                  <td key={c} className={`num ${c === 'oversold' && stock.total[c] > 0 ? 'bad' : ''}`}>
                    {f.int(stock.total[c])}
                  </td>
                ))}
              </tr>
            </tfoot>
          </table>
        </TableWrap>
      )}
      <p className="muted small">on hand = available + reserved + committed + damaged + quality control + safety stock − oversold; incoming is not on hand.</p>
    </Section>
  );
}

function Channels({ sku }: { sku: string }) {
  const numbers = useLive(async () => {
    const listings = await api.get<Page<Listing>>('/listings', { sku, limit: 100 });
    return Promise.all(
      listings.data.map((l) =>
        api.get<Availability>(`/listings/${seg(l.id)}/availability`).then(
          (a) => ({ l, a, error: null as string | null }),
          (err) => ({ l, a: null, error: describeError(err) }),
        ),
      ),
    );
  }, [sku]);
  return (
    <Section title="Published on channels" id="channels">
      <LoadState live={numbers} what="channel numbers" />
      {numbers.data && numbers.data.length === 0 && <Empty>Not listed on any channel.</Empty>}
      {numbers.data && numbers.data.length > 0 && (
        <ul className="listings">
          {numbers.data.map(({ l, a, error }) => (
            <li key={l.id} className="listing">
              <div className="listing-head">
                <a href={href(`/channels/${seg(l.channel_id)}`)}>{l.channel}</a> <span className="muted">{l.channel_kind}</span> <span className="wrap-anywhere"><Identifiers listing={l} /></span>
                {!l.active && <Badge>inactive</Badge>}
                {a && (
                  <span className="listing-number">
                    shows <strong>{f.int(a.published?.quantity ?? null)}</strong>
                    {a.published && a.published.quantity !== a.quantity && <> (computed {f.int(a.quantity)}, not pushed yet)</>}
                    {a.backorder_units > 0 && <> + {f.int(a.backorder_units)} on backorder</>}
                  </span>
                )}
              </div>
              {error && <p className="load-warning">{error}</p>}
              {a && (
                <details>
                  <summary>
                    Why {f.int(a.quantity)} on {l.channel}?
                  </summary>
                  <ol className="explain">
                    {a.steps.map((s, i) => (
                      <li key={i}>
                        <span className="step">{f.label(s.step)}</span> <strong>{f.int(s.value)}</strong> — {s.why}
                      </li>
                    ))}
                  </ol>
                  <p className="muted small">computed {f.time(a.computed_at)}</p>
                </details>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** One event on a listing (GET /v1/listings/{id}/events). */
interface ListingEvent {
  kind: 'channel_edit';
  at: string;
  channel_id: string;
  event_id: string;
  shown: number;
  pushed: number | null;
  ours: number | null;
  policy: 'master_wins' | 'adopt';
  outcome: string;
  due_at: string | null;
  explained_by_order: boolean | null;
}

/** The most recent events read per listing. */
const LISTING_EVENTS_SHOWN = 10;

/** What truestock did about an edit, in words. */
function editOutcome(e: ListingEvent): string {
  if (e.explained_by_order) return 'none needed: an order of this channel came with it (its level webhook came first)';
  if (e.outcome === 'adopted') return `booked in the ledger (${e.pushed === null ? '' : f.int(e.shown - e.pushed)})`;
  if (e.outcome === 'requeued') return e.due_at === null || e.due_at === e.at ? 'pushed back at once' : `pushed back after the grace (${f.time(e.due_at)})`;
  return f.label(e.outcome);
}

function ChannelEdits({ sku }: { sku: string }) {
  const edits = useLive(async () => {
    const listings = await api.get<Page<Listing>>('/listings', { sku, limit: 100 });
    const pages = await Promise.all(
      listings.data.map((l) => api.get<Page<ListingEvent>>(`/listings/${seg(l.id)}/events`, { limit: LISTING_EVENTS_SHOWN }).then((p) => p.data.map((e) => ({ l, e })))),
    );
    return pages.flat().sort((a, b) => (a.e.at === b.e.at ? 0 : a.e.at < b.e.at ? 1 : -1));
  }, [sku]);
  return (
    <Section title="Edits seen on channels" id="channel-edits">
      <LoadState live={edits} what="channel edits" />
      {edits.data && edits.data.length === 0 && <Empty>No channel has shown a number truestock did not push.</Empty>}
      {edits.data && edits.data.length > 0 && (
        <TableWrap label="Numbers a channel showed that truestock did not push, newest first">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Channel</th>
                <th scope="col" className="num">Shown</th>
                <th scope="col" className="num">Pushed</th>
                <th scope="col" className="num">Truestock</th>
                <th scope="col">Policy</th>
                <th scope="col">What truestock did</th>
              </tr>
            </thead>
            <tbody>
              {edits.data.map(({ l, e }) => (
                <tr key={`${l.id}:${e.event_id}`} data-listing-event={e.event_id}>
                  <td className="nowrap">{f.time(e.at)}</td>
                  <td>
                    <a href={href(`/channels/${seg(l.channel_id)}`)}>{l.channel}</a>
                  </td>
                  <td className={`num ${e.ours !== null && e.shown > e.ours ? 'bad' : ''}`}>{f.int(e.shown)}</td>
                  <td className="num">{f.int(e.pushed)}</td>
                  <td className="num">{f.int(e.ours)}</td>
                  <td>{f.label(e.policy)}</td>
                  <td>{editOutcome(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <p className="muted small">A hand edit in the channel's admin, or an order the channel took that truestock had not heard of yet. Truestock's number goes back at once when the channel shows more; after the edit grace when it would raise it.</p>
    </Section>
  );
}

function History({ sku }: { sku: string }) {
  const history = useLive(() => api.get<{ sku: string; points: HistoryPoint[] }>(`/stock/${seg(sku)}/history`, { limit: HISTORY_POINTS_MAX }), [sku]);
  const chart = useMemo(() => {
    const points = history.data?.points ?? [];
    return {
      xs: points.map((p) => Date.parse(p.at) / 1000),
      ys: [points.map((p) => p.on_hand), points.map((p) => p.available)],
    };
  }, [history.data]);
  return (
    <Section title="On hand and available over time" id="history">
      <LoadState live={history} what="the stock history" />
      {history.data && chart.xs.length === 0 && <Empty>No movements yet.</Empty>}
      {chart.xs.length > 0 && (
        <TimeChart
          xs={chart.xs}
          ys={chart.ys}
          step
          label={`On hand and available of ${sku} after each of its last ${chart.xs.length} movements, summed over locations`}
          series={[
            { label: 'on hand', color: '#2563eb' },
            { label: 'available', color: '#16a34a' },
          ]}
        />
      )}
    </Section>
  );
}

function Movements({ sku }: { sku: string }) {
  // Every movement seen so far, by id: the newest page is polled, older pages are loaded on
  // request, and new movements pushing rows off the newest page can never leave a gap.
  const [seen, setSeen] = useState<Map<string, Movement>>(new Map());
  const [olderCursor, setOlderCursor] = useState<string | null | undefined>(undefined);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string | null>(null);
  const merge = useCallback((rows: Movement[]) => setSeen((m) => {
    const next = new Map(m);
    for (const r of rows) next.set(r.id, r);
    return next;
  }), []);
  const first = useLive(async () => {
    const page = await api.get<Page<Movement>>('/movements', { sku, limit: MOVEMENTS_PAGE });
    merge(page.data);
    setOlderCursor((c) => (c === undefined ? page.next_cursor : c));
    return page;
  }, [sku]);

  const loadOlder = async () => {
    if (!olderCursor) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const page = await api.get<Page<Movement>>('/movements', { sku, limit: MOVEMENTS_PAGE, cursor: olderCursor });
      merge(page.data);
      setOlderCursor(page.next_cursor);
    } catch (err) {
      setOlderError(describeError(err));
    } finally {
      setLoadingOlder(false);
    }
  };

  const rows = [...seen.values()].sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1));
  return (
    <Section title="Movements" id="movements">
      <LoadState live={first} what="movements" />
      {first.data && rows.length === 0 && <Empty>No movements yet.</Empty>}
      {rows.length > 0 && (
        <TableWrap label="Movements, newest first">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Location</th>
                <th scope="col">From → to</th>
                <th scope="col" className="num">Units</th>
                <th scope="col">Reference</th>
                <th scope="col">Command</th>
                <th scope="col">Reason</th>
                <th scope="col">Who</th>
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.id} data-movement={m.id}>
                  <td className="nowrap">{f.time(m.created_at)}</td>
                  <td>{m.location}</td>
                  <td className="nowrap">
                    {f.label(m.from)} → {f.label(m.to)}
                  </td>
                  <td className="num">{f.int(m.quantity)}</td>
                  <td className="wrap-anywhere">{m.reference ?? ''}</td>
                  <td>{m.command}</td>
                  <td>{m.reason ? f.label(m.reason) : ''}</td>
                  <td className="muted" title={m.actor}>{m.actor_name ?? m.actor}</td>
                  <td className="wrap-anywhere">{m.note ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {olderError && <p className="load-warning" role="alert">{olderError}</p>}
      {olderCursor && (
        <button type="button" className="btn btn-plain" onClick={loadOlder} disabled={loadingOlder}>
          {loadingOlder ? 'Loading…' : 'Load older movements'}
        </button>
      )}
    </Section>
  );
}

/** Holds per page on an item's page. */
const HOLDS_PAGE = 20;

interface HoldRow {
  id: string;
  state: string;
  reference: string | null;
  order_reference: string | null;
  expires_at: string | null;
  created_at: string;
  lines: { line: number; sku: string; location: string; quantity: number; shipped: number; oversold: number; bundle_sku?: string }[];
}

/** Holds and allocations with a line of this SKU, newest first (GET /v1/stock/{sku}/holds). */
function Holds({ sku }: { sku: string }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const holds = useLive(() => api.get<Page<HoldRow>>(`/stock/${seg(sku)}/holds`, { limit: HOLDS_PAGE, cursor }), [sku, cursor]);
  const page = holds.data;
  const pageNo = cursors.length;
  return (
    <Section title="Holds and allocations" id="holds">
      <p className="muted small">
        The orders with a line of this item, their states and shipments: <a href={href('/orders', { sku })}>Orders with {sku}</a>.
      </p>
      <LoadState live={holds} what="holds" />
      {page && page.data.length === 0 && <Empty>{pageNo === 1 ? 'No holds or allocations of this item.' : 'No older holds.'}</Empty>}
      {page && page.data.length > 0 && (
        <TableWrap label="Holds and allocations of this item, newest first">
          <table>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">State</th>
                <th scope="col">Order or reference</th>
                <th scope="col">Location</th>
                <th scope="col" className="num">Units</th>
                <th scope="col" className="num">Shipped</th>
                <th scope="col" className="num">Oversold</th>
              </tr>
            </thead>
            <tbody>
              {page.data.flatMap((h) =>
                h.lines
                  .filter((l) => l.sku === sku)
                  .map((l) => (
                    <tr key={`${h.id}:${l.line}`} data-hold={h.id}>
                      <td className="nowrap">{f.time(h.created_at)}</td>
                      <td>
                        {f.label(h.state)}
                        {h.state === 'active' && h.expires_at && <span className="muted small"> until {f.time(h.expires_at)}</span>}
                      </td>
                      <td className="wrap-anywhere">
                        {h.order_reference ?? h.reference ?? ''}
                        {l.bundle_sku && <span className="muted small"> (in {l.bundle_sku})</span>}
                      </td>
                      <td>{l.location}</td>
                      <td className="num">{f.int(l.quantity)}</td>
                      <td className="num">{f.int(l.shipped)}</td>
                      <td className={`num ${l.oversold > 0 ? 'bad' : ''}`}>{f.int(l.oversold)}</td>
                    </tr>
                  )),
              )}
            </tbody>
          </table>
        </TableWrap>
      )}
      {(pageNo > 1 || page?.next_cursor) && (
        <nav className="pager" aria-label="Hold pages">
          <button type="button" className="btn btn-plain" disabled={pageNo === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Newer
          </button>
          <button type="button" className="btn btn-plain" disabled={!page?.next_cursor} onClick={() => page?.next_cursor && setCursors((c) => [...c, page.next_cursor])}>
            Older
          </button>
        </nav>
      )}
    </Section>
  );
}
