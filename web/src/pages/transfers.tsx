// Transfers between our own locations: ship (source available goes in transit), receive at the
// destination in parts, close (what never arrived is written off as lost in transit).

import { type FormEvent, useState } from 'react';
import { useAction } from '../action.ts';
import { api, type Page, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive, usePinned } from '../live.ts';
import { href } from '../router.ts';
import type { Transfer } from '../types.ts';
import { type Entries, GoodDamagedCells, Outcome, SelectField, Submit, TextField, whole } from '../ui/forms.tsx';
import { Badge, DOCUMENTS_SHOWN, Empty, LoadState, PageHeader, Section, TableWrap } from '../ui/page.tsx';
import { emptyLine, type LineDraft, LinesEditor, linesBody, LocationSelect, SkuDatalist, useLocations } from '../ui/pickers.tsx';

export function TransfersPage() {
  const [state, setState] = useState('in_transit');
  const transfers = useLive(() => api.get<Page<Transfer>>('/transfers', { state, limit: DOCUMENTS_SHOWN }), [state]);
  const [shown, pin] = usePinned(transfers.data?.data);
  return (
    <div>
      <PageHeader title="Transfers" sub="Stock moving between locations: in transit until received." />
      <SkuDatalist />
      <Section title={state === 'in_transit' ? 'In transit' : 'Closed transfers'} id="transfers" actions={<SelectField label="Show" value={state} onChange={setState} options={[{ value: 'in_transit', label: 'in transit' }, { value: 'closed', label: 'closed' }]} />}>
        <LoadState live={transfers} what="transfers" />
        {transfers.data && shown.length === 0 && <Empty>No transfers {state === 'in_transit' ? 'in transit' : 'closed'}.</Empty>}
        {shown.map((t) => <TransferCard key={t.id} t={t} onChanged={(doc) => (pin(doc), transfers.refresh())} />)}
      </Section>
      <NewTransfer onCreated={transfers.refresh} />
    </div>
  );
}

function TransferCard({ t, onChanged }: { t: Transfer; onChanged: (doc: Transfer) => void }) {
  const receive = useAction();
  const close = useAction();
  const [entries, setEntries] = useState<Entries>({});
  const [note, setNote] = useState('');
  const open = t.state === 'in_transit';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const lines = t.lines
      .map((l) => ({ line: l.line, good: whole(entries[l.line]?.good ?? '') ?? 0, damaged: whole(entries[l.line]?.damaged ?? '') ?? 0 }))
      .filter((l) => l.good !== 0 || l.damaged !== 0);
    if (lines.length === 0) return receive.reject('Enter the good or damaged units of at least one line.');
    void receive.run('POST', `/transfers/${seg(t.id)}/receipts`, { lines }, (r: { transfer: Transfer }) => {
      setEntries({});
      onChanged(r.transfer);
      return `Received on ${t.number}${r.transfer.state === 'closed' ? ': everything arrived, closed' : ''}`;
    });
  };
  const closeNow = (e: FormEvent) => {
    e.preventDefault();
    void close.run('POST', `/transfers/${seg(t.id)}/close`, note.trim() ? { note: note.trim() } : {}, (r: { transfer: Transfer }) => (onChanged(r.transfer), `${t.number} closed`));
  };
  return (
    <article className="doc" aria-labelledby={`tr-${t.id}`} data-document={t.number}>
      <header className="doc-head">
        <h3 id={`tr-${t.id}`}>{t.number}</h3>
        <span>
          <strong>{t.from}</strong> → <strong>{t.to}</strong> · shipped {f.time(t.created_at)}
        </span>
        {open ? <Badge tone="info">{f.int(t.in_transit)} in transit</Badge> : <Badge>closed{t.lost > 0 ? `, ${f.int(t.lost)} lost` : ''}</Badge>}
      </header>
      <form onSubmit={submit}>
        <TableWrap label={`Lines of ${t.number}`}>
          <table>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col" className="num">Shipped</th>
                <th scope="col" className="num">Received</th>
                <th scope="col" className="num">Damaged</th>
                <th scope="col" className="num">Lost</th>
                <th scope="col" className="num">In transit</th>
                {open && <th scope="col">Good now</th>}
                {open && <th scope="col">Damaged now</th>}
              </tr>
            </thead>
            <tbody>
              {t.lines.map((l) => (
                <tr key={l.line}>
                  <th scope="row">
                    <a href={href(`/items/${seg(l.sku)}`)}>{l.sku}</a>
                  </th>
                  <td className="num">{f.int(l.shipped)}</td>
                  <td className="num">{f.int(l.received)}</td>
                  <td className="num">{f.int(l.damaged)}</td>
                  <td className="num">{f.int(l.lost)}</td>
                  <td className="num">{f.int(l.in_transit)}</td>
                  {open && <GoodDamagedCells sku={l.sku} line={l.line} entries={entries} setEntries={setEntries} />}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {open && <Submit action={receive}>Receive at {t.to}</Submit>}
      </form>
      <Outcome action={receive} />
      {open && (
        <form className="inline-form close-form" onSubmit={closeNow}>
          <TextField label="Note on closing" value={note} onChange={setNote} placeholder="what is still in transit is written off" />
          <Submit action={close} kind="danger">
            Close transfer
          </Submit>
        </form>
      )}
      <Outcome action={close} />
    </article>
  );
}

function NewTransfer({ onCreated }: { onCreated: () => void }) {
  const action = useAction();
  const locations = useLocations();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [lines, setLines] = useState<LineDraft[]>([emptyLine()]);
  const codes = (locations.data ?? []).map((l) => l.code);
  const src = from || codes[0] || '';
  const dst = to || codes.find((c) => c !== src) || '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run('POST', '/transfers', { from: src, to: dst, lines: linesBody(lines) }, (r: { transfer: Transfer }) => (setLines([emptyLine()]), onCreated(), `${r.transfer.number} shipped: ${f.int(r.transfer.shipped)} units from ${src} to ${dst}`));
  };
  return (
    <Section title="Ship a transfer" id="new-transfer">
      <form onSubmit={submit} className="stack-form">
        <LocationSelect label="From" value={src} onChange={setFrom} locations={locations.data} />
        <LocationSelect label="To" value={dst} onChange={setTo} locations={locations.data} />
        <LinesEditor lines={lines} onChange={setLines} />
        <Submit action={action}>Ship</Submit>
      </form>
      <Outcome action={action} />
    </Section>
  );
}
