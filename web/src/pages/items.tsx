// Items: every item with its numbers (in total, or at one location), sorted by any column,
// filtered and searched on the server, a page at a time (a cursor, so 100k items page as fast as
// 100). The filters, sort and search are in the address, so a view can be bookmarked or shared.

import { type FormEvent, useEffect, useState } from 'react';
import { api, type Page, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import type { PageProps } from '../routes.ts';
import { href, navigate } from '../router.ts';
import type { Item } from '../types.ts';
import { SelectField, TextField } from '../ui/forms.tsx';
import { Badge, Empty, LoadState, PageHeader, TableWrap } from '../ui/page.tsx';
import { LocationSelect, useLocations } from '../ui/pickers.tsx';

/** Items per page. */
const ITEMS_PAGE = 50;

interface ItemRow extends Item {
  stock: { on_hand: number; available: number; committed: number; incoming: number; oversold: number; low_stock: boolean };
}

type Sort = 'sku' | 'name' | 'kind' | 'on_hand' | 'available' | 'committed' | 'incoming';
const COLUMNS: { sort: Sort; label: string; num?: boolean }[] = [
  { sort: 'sku', label: 'SKU' },
  { sort: 'name', label: 'Name' },
  { sort: 'kind', label: 'Kind' },
  { sort: 'on_hand', label: 'On hand', num: true },
  { sort: 'available', label: 'Available', num: true },
  { sort: 'committed', label: 'Committed', num: true },
  { sort: 'incoming', label: 'Incoming', num: true },
];
const STOCK_FILTERS = [
  { value: '', label: 'any' },
  { value: 'in_stock', label: 'in stock' },
  { value: 'out_of_stock', label: 'out of stock' },
  { value: 'low_stock', label: 'low stock (at or below its threshold)' },
  { value: 'oversold', label: 'oversold' },
];
const KINDS = [
  { value: '', label: 'any' },
  { value: 'standard', label: 'standard' },
  { value: 'bundle', label: 'bundle' },
  { value: 'multipack', label: 'multipack' },
];
const ARCHIVED = [
  { value: '', label: 'not archived' },
  { value: 'include', label: 'archived too' },
  { value: 'only', label: 'only archived' },
];

/** The view in the address: `#/items?q=tee&sort=available&order=desc&location=WH1&stock=low_stock`. */
function viewOf(query: URLSearchParams) {
  const get = (k: string) => query.get(k) ?? '';
  const sort = (COLUMNS.some((c) => c.sort === get('sort')) ? get('sort') : 'sku') as Sort;
  return { q: get('q'), sort, order: get('order') === 'desc' ? 'desc' : 'asc', location: get('location'), kind: get('kind'), stock: get('stock'), archived: get('archived'), product: get('product') } as const;
}
type View = ReturnType<typeof viewOf>;

export function ItemsPage({ query }: PageProps) {
  const view = viewOf(query);
  const key = JSON.stringify(view);
  const set = (patch: Partial<View>) => {
    const next = { ...view, ...patch };
    navigate('/items', { ...next, sort: next.sort === 'sku' ? '' : next.sort, order: next.order === 'asc' ? '' : next.order });
  };
  // The cursors of the pages before this one: "Previous" pops, "Next" pushes; a new view starts over.
  const [paging, setPaging] = useState<{ key: string; cursors: (string | null)[] }>({ key, cursors: [null] });
  const cursors = paging.key === key ? paging.cursors : [null];
  const setCursors = (fn: (c: (string | null)[]) => (string | null)[]) => setPaging({ key, cursors: fn(cursors) });
  const cursor = cursors[cursors.length - 1] ?? null;
  const pageNo = cursors.length;
  const locations = useLocations();
  const items = useLive(
    () =>
      api.get<Page<ItemRow>>('/items', {
        limit: ITEMS_PAGE,
        cursor,
        sort: view.sort,
        order: view.order,
        q: view.q,
        location: view.location,
        kind: view.kind,
        stock: view.stock,
        product: view.product,
        ...(view.archived === 'include' ? { include_archived: true } : view.archived === 'only' ? { archived: true } : {}),
      }),
    [key, cursor],
    15_000,
  );
  const [search, setSearch] = useState(view.q);
  useEffect(() => setSearch(view.q), [view.q]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    set({ q: search.trim() });
  };
  const page = items.data;
  const filtered = view.q || view.kind || view.stock || view.archived || view.product;

  return (
    <div>
      <PageHeader title="Items" />
      <form onSubmit={submit} className="inline-form" role="search">
        <TextField label="Search SKU, name or barcode" type="search" value={search} onChange={setSearch} placeholder="e.g. TEE or 4006381333931" />
        <button type="submit" className="btn btn-primary">
          Search
        </button>
      </form>
      <div className="toolbar filters">
        <LocationSelect label="Numbers at" value={view.location} onChange={(v) => set({ location: v })} locations={locations.data} allowEmpty="all locations (total)" />
        <SelectField label="Stock" value={view.stock} onChange={(v) => set({ stock: v })} options={STOCK_FILTERS} />
        <SelectField label="Kind" value={view.kind} onChange={(v) => set({ kind: v })} options={KINDS} />
        <SelectField label="Archived" value={view.archived} onChange={(v) => set({ archived: v })} options={ARCHIVED} />
        {view.product && (
          <p className="muted">
            Variants of product <code>{view.product}</code>{' '}
            <button type="button" className="btn btn-plain" onClick={() => set({ product: '' })}>
              All products
            </button>
          </p>
        )}
      </div>
      {view.location && <p className="muted small">Numbers at {view.location}; only items with a stock level there are listed.</p>}
      <LoadState live={items} what="items" />
      {page && page.data.length === 0 && <Empty>{pageNo > 1 ? 'No more items.' : filtered ? 'No items match.' : 'No items yet.'}</Empty>}
      {page && page.data.length > 0 && (
        <TableWrap label="Items">
          <table className="items-table">
            <thead>
              <tr>
                {COLUMNS.map((c) => {
                  const current = view.sort === c.sort;
                  const nextOrder = current && view.order === 'asc' ? 'desc' : 'asc';
                  return (
                    <th key={c.sort} scope="col" className={c.num ? 'num' : undefined} aria-sort={current ? (view.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
                      <button type="button" className="sort-button" onClick={() => set({ sort: c.sort, order: nextOrder })} title={`Sort by ${c.label.toLowerCase()}, ${nextOrder === 'asc' ? 'ascending' : 'descending'}`}>
                        {c.label}
                        <span aria-hidden="true">{current ? (view.order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {page.data.map((i) => (
                <tr key={i.id} data-sku={i.sku}>
                  <th scope="row" className="wrap-anywhere">
                    <a href={href(`/items/${seg(i.sku)}`)}>{i.sku}</a>
                  </th>
                  <td>
                    {i.name} {i.archived && <Badge>archived</Badge>}
                    {i.barcode && <span className="muted small wrap-anywhere"> · {i.barcode}</span>}
                  </td>
                  <td>{i.kind}</td>
                  <td className="num">{f.int(i.stock.on_hand)}</td>
                  <td className={`num ${i.stock.available <= 0 ? 'warn' : ''}`}>
                    {f.int(i.stock.available)}
                    {i.stock.low_stock && i.stock.available > 0 && <Badge tone="warn">low</Badge>}
                    {i.stock.oversold > 0 && <Badge tone="bad">oversold {f.int(i.stock.oversold)}</Badge>}
                  </td>
                  <td className="num">{f.int(i.stock.committed)}</td>
                  <td className="num">{f.int(i.stock.incoming)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {(pageNo > 1 || page?.next_cursor) && (
        <nav className="pager" aria-label="Item pages">
          <button type="button" className="btn btn-plain" disabled={pageNo === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Previous
          </button>
          <span className="muted">
            Page {pageNo} ({ITEMS_PAGE} a page)
          </span>
          <button type="button" className="btn btn-plain" disabled={!page?.next_cursor} onClick={() => page?.next_cursor && setCursors((c) => [...c, page.next_cursor])}>
            Next
          </button>
        </nav>
      )}
      <p className="muted small">On hand = available + reserved + committed + damaged + quality control + safety stock − oversold; incoming is not on hand. A bundle holds no stock of its own unless it is kept pre-built.</p>
    </div>
  );
}
