// The stock commands on an item's page: receive, adjust with a reason, move between buckets, set
// the safety stock. Each is the same POST an API client sends (/v1/stock/…); a refusal (409
// insufficient_stock, 400 with the field) is shown beside its button and nothing was written.
// Moving units to another location is a transfer (ship, then receive): the Transfers screen.

import { type FormEvent, useState } from 'react';
import { useAction } from '../action.ts';
import * as f from '../format.ts';
import { href } from '../router.ts';
import type { Location } from '../types.ts';
import { NumberField, Outcome, SelectField, Submit, TextField, whole } from '../ui/forms.tsx';
import { Section } from '../ui/page.tsx';
import { LocationSelect, useLocations } from '../ui/pickers.tsx';

/** The buckets a move or an adjustment may touch (src/domain/buckets.ts MOVABLE_BUCKETS). */
const MOVABLE = ['available', 'damaged', 'quality_control', 'safety_stock'] as const;
/** Why stock is adjusted (src/domain/commands.ts ADJUST_REASONS; channel_edit is the sync's own). */
const REASONS = ['correction', 'damage', 'shrinkage', 'found', 'cycle_count', 'other'] as const;

const bucketOptions = MOVABLE.map((b) => ({ value: b, label: f.label(b) }));

export function StockCommands({ sku, onDone, defaultLocation }: { sku: string; onDone: () => void; defaultLocation?: string }) {
  const locations = useLocations();
  const first = defaultLocation ?? locations.data?.[0]?.code ?? '';
  return (
    <Section title="Stock commands" id="commands">
      <div className="commands">
        <Receive sku={sku} onDone={onDone} first={first} locations={locations.data} />
        <Adjust sku={sku} onDone={onDone} first={first} locations={locations.data} />
        <Move sku={sku} onDone={onDone} first={first} locations={locations.data} />
        <SafetyStock sku={sku} onDone={onDone} first={first} locations={locations.data} />
      </div>
      <p className="muted small">
        To move units to another location, ship a transfer: <a href={href('/transfers')}>Transfers</a> (they are incoming at the destination until received).
      </p>
    </Section>
  );
}

interface FormProps {
  sku: string;
  onDone: () => void;
  first: string;
  locations: Location[] | undefined;
}

/** A whole number ≥ min from an input, or a message saying what is wrong with it. */
function quantityOf(v: string, min: number, what: string): number | string {
  const n = whole(v);
  if (n === undefined) return `${what}: enter a number`;
  if (Number.isNaN(n) || n < min) return `${what}: a whole number of at least ${min}`;
  return n;
}

function Receive({ sku, onDone, first, locations }: FormProps) {
  const action = useAction();
  const [location, setLocation] = useState('');
  const [quantity, setQuantity] = useState('');
  const [into, setInto] = useState('available');
  const [reference, setReference] = useState('');
  const loc = location || first;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const q = quantityOf(quantity, 1, 'quantity');
    if (typeof q === 'string') return action.reject(q);
    const ok = await action.run('POST', '/stock/receive', { sku, location: loc, quantity: q, into, ...(reference.trim() ? { reference: reference.trim() } : {}) }, () => `received ${f.int(q)} at ${loc}`);
    if (ok) (setQuantity(''), onDone());
  };
  return (
    <form onSubmit={submit} aria-label="Receive">
      <h3>Receive</h3>
      <LocationSelect label="Location" value={loc} onChange={setLocation} locations={locations} />
      <NumberField label="Units" value={quantity} onChange={setQuantity} min={1} required />
      <SelectField label="Into" value={into} onChange={setInto} options={[{ value: 'available', label: 'available' }, { value: 'quality_control', label: 'quality control' }]} />
      <TextField label="Reference (optional)" value={reference} onChange={setReference} placeholder="e.g. delivery note" />
      <Submit action={action}>Receive</Submit>
      <Outcome action={action} />
    </form>
  );
}

function Adjust({ sku, onDone, first, locations }: FormProps) {
  const action = useAction();
  const [location, setLocation] = useState('');
  const [delta, setDelta] = useState('');
  const [bucket, setBucket] = useState('available');
  const [reason, setReason] = useState<string>('correction');
  const [note, setNote] = useState('');
  const loc = location || first;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const d = whole(delta);
    if (d === undefined || Number.isNaN(d) || d === 0) return action.reject('change: a whole number other than 0 (negative takes units out)');
    const ok = await action.run(
      'POST',
      '/stock/adjust',
      { sku, location: loc, delta: d, bucket, reason, ...(note.trim() ? { note: note.trim() } : {}) },
      () => `adjusted ${f.label(bucket)} at ${loc} by ${d > 0 ? '+' : ''}${f.int(d)} (${f.label(reason)})`,
    );
    if (ok) (setDelta(''), onDone());
  };
  return (
    <form onSubmit={submit} aria-label="Adjust">
      <h3>Adjust</h3>
      <LocationSelect label="Location" value={loc} onChange={setLocation} locations={locations} />
      <NumberField label="Change (+ or −)" value={delta} onChange={setDelta} min={-1_000_000_000} required />
      <SelectField label="Bucket" value={bucket} onChange={setBucket} options={bucketOptions} />
      <SelectField label="Reason" value={reason} onChange={setReason} options={REASONS.map((r) => ({ value: r, label: f.label(r) }))} />
      <TextField label="Note (optional)" value={note} onChange={setNote} />
      <Submit action={action}>Adjust</Submit>
      <Outcome action={action} />
    </form>
  );
}

function Move({ sku, onDone, first, locations }: FormProps) {
  const action = useAction();
  const [location, setLocation] = useState('');
  const [quantity, setQuantity] = useState('');
  const [from, setFrom] = useState('available');
  const [to, setTo] = useState('damaged');
  const loc = location || first;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const q = quantityOf(quantity, 1, 'quantity');
    if (typeof q === 'string') return action.reject(q);
    const ok = await action.run('POST', '/stock/move', { sku, location: loc, quantity: q, from, to }, () => `moved ${f.int(q)} from ${f.label(from)} to ${f.label(to)} at ${loc}`);
    if (ok) (setQuantity(''), onDone());
  };
  return (
    <form onSubmit={submit} aria-label="Move between buckets">
      <h3>Move between buckets</h3>
      <LocationSelect label="Location" value={loc} onChange={setLocation} locations={locations} />
      <NumberField label="Units" value={quantity} onChange={setQuantity} min={1} required />
      <SelectField label="From" value={from} onChange={setFrom} options={bucketOptions} />
      <SelectField label="To" value={to} onChange={setTo} options={bucketOptions} />
      <Submit action={action}>Move</Submit>
      <Outcome action={action} />
    </form>
  );
}

function SafetyStock({ sku, onDone, first, locations }: FormProps) {
  const action = useAction();
  const [location, setLocation] = useState('');
  const [quantity, setQuantity] = useState('');
  const loc = location || first;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const q = quantityOf(quantity, 0, 'safety stock');
    if (typeof q === 'string') return action.reject(q);
    const ok = await action.run('POST', '/stock/safety-stock', { sku, location: loc, quantity: q }, () => `safety stock at ${loc} is now ${f.int(q)}`);
    if (ok) (setQuantity(''), onDone());
  };
  return (
    <form onSubmit={submit} aria-label="Safety stock">
      <h3>Safety stock</h3>
      <LocationSelect label="Location" value={loc} onChange={setLocation} locations={locations} />
      <NumberField label="Units kept back" value={quantity} onChange={setQuantity} min={0} required />
      <Submit action={action}>Set safety stock</Submit>
      <Outcome action={action} />
    </form>
  );
}
