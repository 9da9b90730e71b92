// Receiving: open purchase orders and what each still expects; receive a delivery line by line
// (good and damaged units), close a PO short with a reason, open a new PO, or book a delivery
// that has no PO.

import { type FormEvent, useState } from 'react';
import { useAction } from '../action.ts';
import { api, type Page, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive, usePinned } from '../live.ts';
import { href } from '../router.ts';
import type { PurchaseOrder } from '../types.ts';
import { type Entries, GoodDamagedCells, NumberField, Outcome, SelectField, Submit, TextField, whole } from '../ui/forms.tsx';
import { Badge, DOCUMENTS_SHOWN, Empty, LoadState, PageHeader, Section, TableWrap } from '../ui/page.tsx';
import { emptyLine, type LineDraft, LinesEditor, linesBody, LocationSelect, SKU_LIST_ID, SkuDatalist, useLocations } from '../ui/pickers.tsx';

export function ReceivingPage() {
  const [state, setState] = useState('open');
  const pos = useLive(() => api.get<Page<PurchaseOrder>>('/purchase-orders', { state, limit: DOCUMENTS_SHOWN }), [state]);
  const [shown, pin] = usePinned(pos.data?.data);
  return (
    <div>
      <PageHeader title="Receiving" sub="Purchase orders: receive deliveries against what was ordered." />
      <SkuDatalist />
      <Section title={state === 'open' ? 'Open purchase orders' : 'Closed purchase orders'} id="pos" actions={<SelectField label="Show" value={state} onChange={setState} options={[{ value: 'open', label: 'open' }, { value: 'closed', label: 'closed' }]} />}>
        <LoadState live={pos} what="purchase orders" />
        {pos.data && shown.length === 0 && <Empty>No {state} purchase orders.</Empty>}
        {shown.map((po) => <PurchaseOrderCard key={po.id} po={po} onChanged={(doc) => (pin(doc), pos.refresh())} />)}
      </Section>
      <div className="two-col">
        <NewPurchaseOrder onCreated={pos.refresh} />
        <QuickReceipt />
      </div>
    </div>
  );
}

function PurchaseOrderCard({ po, onChanged }: { po: PurchaseOrder; onChanged: (doc: PurchaseOrder) => void }) {
  const receive = useAction();
  const close = useAction();
  const [entries, setEntries] = useState<Entries>({});
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const open = po.state === 'open';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const lines = po.lines
      .map((l) => ({ line: l.line, good: whole(entries[l.line]?.good ?? '') ?? 0, damaged: whole(entries[l.line]?.damaged ?? '') ?? 0 }))
      .filter((l) => l.good !== 0 || l.damaged !== 0);
    if (lines.length === 0) return receive.reject('Enter the good or damaged units of at least one line.');
    void receive.run('POST', `/purchase-orders/${seg(po.id)}/receipts`, { lines, ...(note.trim() ? { reference: note.trim() } : {}) }, (r: { purchase_order: PurchaseOrder }) => {
      setEntries({});
      setNote('');
      onChanged(r.purchase_order);
      const units = lines.reduce((s, l) => s + l.good + l.damaged, 0);
      return `Received ${f.int(units)} unit${units === 1 ? '' : 's'} on ${po.number}${r.purchase_order.state === 'closed' ? ': received in full, closed' : ''}`;
    });
  };
  const shortClose = (e: FormEvent) => {
    e.preventDefault();
    void close.run('POST', `/purchase-orders/${seg(po.id)}/close`, reason.trim() ? { reason: reason.trim() } : {}, (r: { purchase_order: PurchaseOrder }) => (onChanged(r.purchase_order), `${po.number} closed`));
  };

  return (
    <article className="doc" aria-labelledby={`po-${po.id}`} data-document={po.number}>
      <header className="doc-head">
        <h3 id={`po-${po.id}`}>{po.number}</h3>
        <span>
          from <strong>{po.supplier}</strong> to <strong>{po.location}</strong> · opened {f.time(po.created_at)}
        </span>
        {open ? <Badge tone="info">{f.int(po.still_expected)} still expected</Badge> : <Badge>closed{po.close_reason ? `: ${po.close_reason}` : ''}</Badge>}
      </header>
      <form onSubmit={submit}>
        <TableWrap label={`Lines of ${po.number}`}>
          <table>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col" className="num">Ordered</th>
                <th scope="col" className="num">Received good</th>
                <th scope="col" className="num">Received damaged</th>
                <th scope="col" className="num">Still expected</th>
                {open && <th scope="col">Good now</th>}
                {open && <th scope="col">Damaged now</th>}
              </tr>
            </thead>
            <tbody>
              {po.lines.map((l) => (
                <tr key={l.line}>
                  <th scope="row">
                    <a href={href(`/items/${seg(l.sku)}`)}>{l.sku}</a>
                  </th>
                  <td className="num">{f.int(l.ordered)}</td>
                  <td className="num">{f.int(l.received_good)}</td>
                  <td className="num">{f.int(l.received_damaged)}</td>
                  <td className="num">{f.int(l.still_expected)}</td>
                  {open && <GoodDamagedCells sku={l.sku} line={l.line} entries={entries} setEntries={setEntries} />}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {open && (
          <div className="inline-form">
            <TextField label="Delivery note" value={note} onChange={setNote} placeholder="optional" />
            <Submit action={receive}>Receive delivery</Submit>
          </div>
        )}
      </form>
      <Outcome action={receive} />
      {open && (
        <form className="inline-form close-form" onSubmit={shortClose}>
          <TextField label="Reason to close short" value={reason} onChange={setReason} placeholder="supplier cancelled the rest" />
          <Submit action={close} kind="danger">
            Close PO
          </Submit>
        </form>
      )}
      <Outcome action={close} />
    </article>
  );
}

function NewPurchaseOrder({ onCreated }: { onCreated: () => void }) {
  const action = useAction();
  const locations = useLocations();
  const [supplier, setSupplier] = useState('');
  const [location, setLocation] = useState('');
  const [number, setNumber] = useState('');
  const [eta, setEta] = useState('');
  const [lines, setLines] = useState<LineDraft[]>([emptyLine()]);
  const loc = location || locations.data?.[0]?.code || '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { supplier: supplier.trim(), location: loc, lines: linesBody(lines), ...(number.trim() ? { number: number.trim() } : {}), ...(eta.trim() ? { eta: eta.trim() } : {}) };
    void action.run('POST', '/purchase-orders', body, (r: { purchase_order: PurchaseOrder }) => {
      setLines([emptyLine()]);
      setNumber('');
      onCreated();
      return `${r.purchase_order.number} opened: ${f.int(r.purchase_order.ordered)} units incoming at ${r.purchase_order.location}`;
    });
  };
  return (
    <Section title="New purchase order" id="new-po">
      <form onSubmit={submit} className="stack-form">
        <TextField label="Supplier" value={supplier} onChange={setSupplier} required />
        <LocationSelect label="Deliver to" value={loc} onChange={setLocation} locations={locations.data} />
        <TextField label="Number" value={number} onChange={setNumber} placeholder="PO-000001 if blank" />
        <TextField label="ETA" value={eta} onChange={setEta} placeholder="2026-12-01" />
        <LinesEditor lines={lines} onChange={setLines} />
        <Submit action={action}>Open purchase order</Submit>
      </form>
      <Outcome action={action} />
    </Section>
  );
}

/** A delivery without a purchase order (a sample, a found carton). */
function QuickReceipt() {
  const action = useAction();
  const locations = useLocations();
  const [sku, setSku] = useState('');
  const [location, setLocation] = useState('');
  const [quantity, setQuantity] = useState('');
  const [into, setInto] = useState('available');
  const [reference, setReference] = useState('');
  const loc = location || locations.data?.[0]?.code || '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { sku: sku.trim(), location: loc, quantity: Number(quantity), into, ...(reference.trim() ? { reference: reference.trim() } : {}) };
    void action.run('POST', '/stock/receive', body, () => {
      setQuantity('');
      return `Received ${quantity} × ${sku.trim()} into ${f.label(into)} at ${loc}`;
    });
  };
  return (
    <Section title="Receive without a PO" id="quick-receive">
      <form onSubmit={submit} className="stack-form">
        <TextField label="SKU" value={sku} onChange={setSku} list={SKU_LIST_ID} required />
        <LocationSelect label="Location" value={loc} onChange={setLocation} locations={locations.data} />
        <NumberField label="Units" value={quantity} onChange={setQuantity} min={1} required />
        <SelectField label="Into" value={into} onChange={setInto} options={[{ value: 'available', label: 'available' }, { value: 'quality_control', label: 'quality control (inspect first)' }]} />
        <TextField label="Reference" value={reference} onChange={setReference} placeholder="delivery note" />
        <Submit action={action}>Receive</Submit>
      </form>
      <Outcome action={action} />
    </Section>
  );
}
