// Items: find a SKU and open its page.

import { type FormEvent, useState } from 'react';
import { all, seg } from '../api.ts';
import { useLive } from '../live.ts';
import { href, navigate } from '../router.ts';
import type { Item } from '../types.ts';
import { CheckField, TextField } from '../ui/forms.tsx';
import { Badge, Empty, LoadState, PageHeader, TableWrap } from '../ui/page.tsx';
import { SKU_LIST_ID, SkuDatalist } from '../ui/pickers.tsx';

/** Items listed on this screen; beyond that, type the SKU. */
const ITEMS_SHOWN_MAX = 2_000;

export function ItemsPage() {
  const [archived, setArchived] = useState(false);
  const items = useLive(() => all<Item>('/items', { include_archived: archived }, ITEMS_SHOWN_MAX), [archived], 15_000);
  const [filter, setFilter] = useState('');
  const [sku, setSku] = useState('');

  const open = (e: FormEvent) => {
    e.preventDefault();
    if (sku.trim()) navigate(`/items/${seg(sku.trim())}`);
  };
  const needle = filter.trim().toLowerCase();
  const shown = (items.data ?? []).filter((i) => !needle || i.sku.toLowerCase().includes(needle) || i.name.toLowerCase().includes(needle) || (i.barcode ?? '').includes(needle));

  return (
    <div>
      <PageHeader title="Items" />
      <SkuDatalist />
      <div className="toolbar">
        <form onSubmit={open} className="inline-form">
          <TextField label="Open SKU" value={sku} onChange={setSku} list={SKU_LIST_ID} required />
          <button type="submit" className="btn btn-primary">
            Open
          </button>
        </form>
        <form onSubmit={(e) => e.preventDefault()} className="inline-form" role="search">
          <TextField label="Filter this list" type="search" value={filter} onChange={setFilter} placeholder="SKU, name or barcode" />
          <CheckField label="Include archived" checked={archived} onChange={setArchived} />
        </form>
      </div>
      <LoadState live={items} what="items" />
      {items.data && shown.length === 0 && <Empty>No items match.</Empty>}
      {shown.length > 0 && (
        <TableWrap label="Items">
          <table>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Barcode</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((i) => (
                <tr key={i.id}>
                  <th scope="row">
                    <a href={href(`/items/${seg(i.sku)}`)}>{i.sku}</a>
                  </th>
                  <td>
                    {i.name} {i.archived && <Badge>archived</Badge>}
                  </td>
                  <td>{i.kind}</td>
                  <td>{i.barcode ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {items.data && items.data.length >= ITEMS_SHOWN_MAX && <p className="muted">Showing the first {ITEMS_SHOWN_MAX} items; open any other by its SKU above.</p>}
    </div>
  );
}
