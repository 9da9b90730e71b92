// Reference data for forms: SKUs (a datalist: type or pick), locations, channels, and an editor
// for the lines of a new document (SKU + quantity per row).

import { useId } from 'react';
import { all } from '../api.ts';
import { useOnce } from '../live.ts';
import type { Channel, Item, Location } from '../types.ts';
import { NumberField, SelectField, TextField } from './forms.tsx';

export const SKU_LIST_ID = 'ts-skus';

/** One <datalist> of SKUs for every SKU input on the page (`list={SKU_LIST_ID}`). */
export function SkuDatalist() {
  const items = useOnce(() => all<Item>('/items', {}, 2_000));
  return (
    <datalist id={SKU_LIST_ID}>
      {(items.data ?? []).map((i) => (
        <option key={i.id} value={i.sku}>
          {i.name}
        </option>
      ))}
    </datalist>
  );
}

export function useLocations() {
  return useOnce(() => all<Location>('/locations'));
}

export function useChannels() {
  return useOnce(() => all<Channel>('/channels'));
}

export function LocationSelect({ label, value, onChange, locations, allowEmpty }: { label: string; value: string; onChange: (v: string) => void; locations: Location[] | undefined; allowEmpty?: string }) {
  const options = [...(allowEmpty !== undefined ? [{ value: '', label: allowEmpty }] : []), ...(locations ?? []).map((l) => ({ value: l.code, label: `${l.code} — ${l.name}` }))];
  return <SelectField label={label} value={value} onChange={onChange} options={options} required={allowEmpty === undefined} />;
}

export interface LineDraft {
  sku: string;
  quantity: string;
}

export const emptyLine = (): LineDraft => ({ sku: '', quantity: '' });

/** Rows of SKU + quantity; Enter in any field submits the surrounding form. */
export function LinesEditor({ lines, onChange, quantityLabel = 'Quantity' }: { lines: LineDraft[]; onChange: (l: LineDraft[]) => void; quantityLabel?: string }) {
  const id = useId();
  const set = (i: number, patch: Partial<LineDraft>) => onChange(lines.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  return (
    <fieldset className="lines-editor">
      <legend>Lines</legend>
      {lines.map((l, i) => (
        <div className="line-row" key={`${id}-${i}`}>
          <TextField label={`SKU, line ${i + 1}`} value={l.sku} onChange={(v) => set(i, { sku: v })} list={SKU_LIST_ID} required />
          <NumberField label={`${quantityLabel}, line ${i + 1}`} value={l.quantity} min={1} onChange={(v) => set(i, { quantity: v })} required />
          {lines.length > 1 && (
            <button type="button" className="btn btn-plain" aria-label={`Remove line ${i + 1}`} onClick={() => onChange(lines.filter((_, j) => j !== i))}>
              Remove
            </button>
          )}
        </div>
      ))}
      <button type="button" className="btn btn-plain" onClick={() => onChange([...lines, emptyLine()])}>
        Add a line
      </button>
    </fieldset>
  );
}

/** The lines as the API takes them; quantities must be whole numbers ≥ 1 (the server checks again). */
export function linesBody(lines: LineDraft[]): { sku: string; quantity: number }[] {
  return lines.filter((l) => l.sku.trim() !== '').map((l) => ({ sku: l.sku.trim(), quantity: Number(l.quantity) }));
}
