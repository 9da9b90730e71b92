// Returns: what customers are sending back, receiving it into quality control, and the
// inspection that decides each unit (restock, damaged, write off, back to the vendor).

import { type FormEvent, useState } from 'react';
import { useAction } from '../action.ts';
import { api, type Page, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive, usePinned } from '../live.ts';
import { href } from '../router.ts';
import type { Return } from '../types.ts';
import { CellNumber, type Entries, Outcome, SelectField, setEntry, Submit, TextField, whole } from '../ui/forms.tsx';
import { Badge, DOCUMENTS_SHOWN, Empty, LoadState, PageHeader, Section, TableWrap } from '../ui/page.tsx';
import { emptyLine, type LineDraft, LinesEditor, linesBody, LocationSelect, SkuDatalist, useChannels, useLocations } from '../ui/pickers.tsx';

const OUTCOMES = [
  { field: 'restock', label: 'Restock' },
  { field: 'damaged', label: 'Damaged' },
  { field: 'write_off', label: 'Write off' },
  { field: 'return_to_vendor', label: 'To vendor' },
] as const;

export function ReturnsPage() {
  const [state, setState] = useState('open');
  const returns = useLive(() => api.get<Page<Return>>('/returns', { state, limit: DOCUMENTS_SHOWN }), [state]);
  const [shown, pin] = usePinned(returns.data?.data);
  return (
    <div>
      <PageHeader title="Returns" sub="Returned units wait in quality control until inspected; nothing is sellable before." />
      <SkuDatalist />
      <Section title={state === 'open' ? 'Open returns' : 'Closed returns'} id="returns" actions={<SelectField label="Show" value={state} onChange={setState} options={[{ value: 'open', label: 'open' }, { value: 'closed', label: 'closed' }]} />}>
        <LoadState live={returns} what="returns" />
        {returns.data && shown.length === 0 && <Empty>No {state} returns.</Empty>}
        {shown.map((r) => <ReturnCard key={r.id} ret={r} onChanged={(doc) => (pin(doc), returns.refresh())} />)}
      </Section>
      <NewReturn onCreated={returns.refresh} />
    </div>
  );
}

function ReturnCard({ ret, onChanged }: { ret: Return; onChanged: (doc: Return) => void }) {
  const receive = useAction();
  const inspect = useAction();
  const close = useAction();
  const [arrived, setArrived] = useState<Entries>({});
  const [decided, setDecided] = useState<Entries>({});
  const open = ret.state === 'open';
  const awaiting = ret.lines.filter((l) => l.awaiting_inspection > 0);
  const awaitingUnits = awaiting.reduce((s, l) => s + l.awaiting_inspection, 0);

  const submitReceive = (e: FormEvent) => {
    e.preventDefault();
    const lines = ret.lines.map((l) => ({ line: l.line, quantity: whole(arrived[l.line]?.quantity ?? '') ?? 0 })).filter((l) => l.quantity !== 0);
    if (lines.length === 0) return receive.reject('Enter the units that arrived on at least one line.');
    void receive.run('POST', `/returns/${seg(ret.id)}/receipts`, { lines }, (r: { return: Return }) => (setArrived({}), onChanged(r.return), `Received on ${ret.number}`));
  };
  const submitInspect = (e: FormEvent) => {
    e.preventDefault();
    const lines = awaiting
      .map((l) => {
        const row: Record<string, number> = { line: l.line };
        for (const o of OUTCOMES) {
          const n = whole(decided[l.line]?.[o.field] ?? '');
          if (n !== undefined && n !== 0) row[o.field] = n;
        }
        return row;
      })
      .filter((row) => Object.keys(row).length > 1);
    if (lines.length === 0) return inspect.reject('Decide at least one unit.');
    void inspect.run('POST', `/returns/${seg(ret.id)}/inspections`, { lines }, (r: { return: Return }) => (setDecided({}), onChanged(r.return), `Inspection of ${ret.number} recorded`));
  };

  return (
    <article className="doc" aria-labelledby={`ret-${ret.id}`} data-document={ret.number}>
      <header className="doc-head">
        <h3 id={`ret-${ret.id}`}>{ret.number}</h3>
        <span>
          to <strong>{ret.location}</strong>
          {ret.order_reference && <> · order {ret.order_reference}</>} · opened {f.time(ret.created_at)}
        </span>
        {awaitingUnits > 0 && <Badge tone="warn">{f.int(awaitingUnits)} awaiting inspection</Badge>}
        {!open && <Badge>closed</Badge>}
      </header>
      <form onSubmit={submitReceive}>
        <TableWrap label={`Lines of ${ret.number}`}>
          <table>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col" className="num">Expected</th>
                <th scope="col" className="num">Received</th>
                <th scope="col" className="num">Restocked</th>
                <th scope="col" className="num">Damaged</th>
                <th scope="col" className="num">Written off</th>
                <th scope="col" className="num">To vendor</th>
                <th scope="col" className="num">Awaiting inspection</th>
                {open && <th scope="col">Arrived now</th>}
              </tr>
            </thead>
            <tbody>
              {ret.lines.map((l) => (
                <tr key={l.line}>
                  <th scope="row">
                    <a href={href(`/items/${seg(l.sku)}`)}>{l.sku}</a> {l.skips_inspection && <Badge>skips inspection</Badge>}
                  </th>
                  <td className="num">{f.int(l.expected)}</td>
                  <td className="num">{f.int(l.received)}</td>
                  <td className="num">{f.int(l.restocked)}</td>
                  <td className="num">{f.int(l.damaged)}</td>
                  <td className="num">{f.int(l.written_off)}</td>
                  <td className="num">{f.int(l.returned_to_vendor)}</td>
                  <td className="num">{f.int(l.awaiting_inspection)}</td>
                  {open && (
                    <td>
                      <CellNumber label={`Units of ${l.sku} arrived now`} value={arrived[l.line]?.quantity ?? ''} onChange={(v) => setArrived(setEntry(arrived, l.line, 'quantity', v))} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {open && <Submit action={receive}>Receive</Submit>}
      </form>
      <Outcome action={receive} />

      {open && awaiting.length > 0 && (
        <form onSubmit={submitInspect} className="subform">
          <h4>Inspect</h4>
          <TableWrap label={`Inspection of ${ret.number}`}>
            <table>
              <thead>
                <tr>
                  <th scope="col">SKU</th>
                  <th scope="col" className="num">Awaiting</th>
                  {OUTCOMES.map((o) => (
                    <th scope="col" key={o.field}>
                      {o.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {awaiting.map((l) => (
                  <tr key={l.line}>
                    <th scope="row">{l.sku}</th>
                    <td className="num">{f.int(l.awaiting_inspection)}</td>
                    {OUTCOMES.map((o) => (
                      <td key={o.field}>
                        <CellNumber label={`${o.label}: units of ${l.sku}`} value={decided[l.line]?.[o.field] ?? ''} onChange={(v) => setDecided(setEntry(decided, l.line, o.field, v))} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <Submit action={inspect}>Record inspection</Submit>
        </form>
      )}
      <Outcome action={inspect} />
      {open && (
        <>
          <button type="button" className="btn btn-plain" disabled={close.busy || awaitingUnits > 0} title={awaitingUnits > 0 ? 'inspect every received unit first' : undefined} onClick={() => close.run('POST', `/returns/${seg(ret.id)}/close`, {}, (r: { return: Return }) => (onChanged(r.return), `${ret.number} closed`))}>
            Close return
          </button>
          <Outcome action={close} />
        </>
      )}
    </article>
  );
}

function NewReturn({ onCreated }: { onCreated: () => void }) {
  const action = useAction();
  const locations = useLocations();
  const channels = useChannels();
  const [location, setLocation] = useState('');
  const [channel, setChannel] = useState('');
  const [order, setOrder] = useState('');
  const [lines, setLines] = useState<LineDraft[]>([emptyLine()]);
  const loc = location || locations.data?.[0]?.code || '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { location: loc, lines: linesBody(lines), ...(channel ? { channel_id: channel } : {}), ...(order.trim() ? { order_reference: order.trim() } : {}) };
    void action.run('POST', '/returns', body, (r: { return: Return }) => (setLines([emptyLine()]), setOrder(''), onCreated(), `${r.return.number} opened`));
  };
  return (
    <Section title="New return" id="new-return">
      <form onSubmit={submit} className="stack-form">
        <LocationSelect label="Returned to" value={loc} onChange={setLocation} locations={locations.data} />
        <SelectField label="From channel" value={channel} onChange={setChannel} options={[{ value: '', label: 'none (standalone)' }, ...(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))]} />
        <TextField label="Order reference" value={order} onChange={setOrder} placeholder="optional" />
        <LinesEditor lines={lines} onChange={setLines} />
        <Submit action={action}>Open return</Submit>
      </form>
      <Outcome action={action} />
    </Section>
  );
}
