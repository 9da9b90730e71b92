// Form pieces: every input has a real <label>, every form submits with Enter, and the outcome of
// an action is announced (role=status / role=alert) next to the button that caused it.

import { type ReactNode, useId } from 'react';
import type { Action } from '../action.ts';
import type { Role } from '../api.ts';
import { useCan } from '../session.ts';

interface FieldProps {
  label: string;
  hint?: string;
  className?: string;
}

export function TextField({ label, hint, className, value, onChange, required, placeholder, type = 'text', list, autoComplete, name, size }: FieldProps & {
  value: string;
  onChange: (v: string) => void;
  required?: boolean;
  placeholder?: string;
  type?: 'text' | 'password' | 'email' | 'search';
  list?: string;
  autoComplete?: string;
  name?: string;
  size?: number;
}) {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        required={required}
        placeholder={placeholder}
        list={list}
        size={size}
        autoComplete={autoComplete ?? 'off'}
        spellCheck={false}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint && <small id={`${id}-hint`}>{hint}</small>}
    </div>
  );
}

export function NumberField({ label, hint, className, value, onChange, min = 0, required, name }: FieldProps & {
  value: string;
  onChange: (v: string) => void;
  min?: number;
  required?: boolean;
  name?: string;
}) {
  const id = useId();
  return (
    <div className={`field field-number ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} type="number" inputMode="numeric" step={1} min={min} value={value} required={required} aria-describedby={hint ? `${id}-hint` : undefined} onChange={(e) => onChange(e.target.value)} />
      {hint && <small id={`${id}-hint`}>{hint}</small>}
    </div>
  );
}

export function SelectField({ label, hint, className, value, onChange, options, required, name }: FieldProps & {
  value: string;
  onChange: (v: string) => void;
  options: readonly (string | { value: string; label: string })[];
  required?: boolean;
  name?: string;
}) {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} value={value} required={required} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => {
          const opt = typeof o === 'string' ? { value: o, label: o || '—' } : o;
          return (
            <option key={opt.value} value={opt.value}>
              {opt.label}
            </option>
          );
        })}
      </select>
      {hint && <small>{hint}</small>}
    </div>
  );
}

export function CheckField({ label, checked, onChange }: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  const id = useId();
  return (
    <div className="field field-check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** A submit button that is disabled while busy or when the role is too low (and says why). */
export function Submit({ children, action, role = 'operate', disabled, kind = 'primary' }: { children: ReactNode; action?: Action; role?: Role; disabled?: boolean; kind?: 'primary' | 'plain' | 'danger' }) {
  const can = useCan();
  const allowed = can(role);
  return (
    <button type="submit" className={`btn btn-${kind}`} disabled={!allowed || disabled || action?.busy} title={allowed ? undefined : `needs the ${role} role`} aria-busy={action?.busy || undefined}>
      {children}
    </button>
  );
}

/** A button that runs an action on click (not inside a form). */
export function ActionButton({ children, onClick, action, role = 'operate', disabled, kind = 'plain', label }: {
  children: ReactNode;
  onClick: () => void;
  action?: Action;
  role?: Role;
  disabled?: boolean;
  kind?: 'primary' | 'plain' | 'danger';
  label?: string;
}) {
  const can = useCan();
  const allowed = can(role);
  return (
    <button type="button" className={`btn btn-${kind}`} aria-label={label} disabled={!allowed || disabled || action?.busy} title={allowed ? undefined : `needs the ${role} role`} onClick={onClick}>
      {children}
    </button>
  );
}

/** A confirmation's buttons: the confirming one (given), then Cancel, which reads Close once the action is done. */
export function ConfirmRow({ action, onClose, children }: { action: Action; onClose: () => void; children: ReactNode }) {
  return (
    <div className="button-row">
      {children}{' '}
      <button type="button" className="btn btn-plain" onClick={onClose}>
        {action.done ? 'Close' : 'Cancel'}
      </button>
    </div>
  );
}

/** What the last action said: its error (alert) or its success (status). */
export function Outcome({ action }: { action: Action }) {
  return (
    <>
      {action.error && (
        <p className="outcome outcome-error" role="alert">
          {action.error}
        </p>
      )}
      <p className="outcome outcome-ok" role="status">
        {action.done ?? ''}
      </p>
    </>
  );
}

/** Parse a whole non-negative number from an input ('' → undefined). */
export function whole(v: string): number | undefined {
  if (v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : Number.NaN;
}

/** A number input inside a table cell: its label is read out, not shown (the column says it). */
export function CellNumber({ label, value, onChange, min = 0 }: { label: string; value: string; onChange: (v: string) => void; min?: number }) {
  const id = useId();
  return (
    <>
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input id={id} className="cell-input" type="number" inputMode="numeric" step={1} min={min} value={value} onChange={(e) => onChange(e.target.value)} />
    </>
  );
}

/** Quantities typed per row, keyed by line; blank means nothing for that line. */
export type Entries = Record<string, Record<string, string>>;

export function setEntry(entries: Entries, row: string | number, field: string, value: string): Entries {
  return { ...entries, [row]: { ...entries[row], [field]: value } };
}

/**
 * A delivery line's "good now" and "damaged now" cells (receiving a PO, receiving a transfer):
 * what arrives in sellable shape and what arrives broken, typed per line.
 */
export function GoodDamagedCells({ sku, line, entries, setEntries }: { sku: string; line: number; entries: Entries; setEntries: (e: Entries) => void }) {
  return (
    <>
      <td>
        <CellNumber label={`Good units of ${sku} now`} value={entries[line]?.good ?? ''} onChange={(v) => setEntries(setEntry(entries, line, 'good', v))} />
      </td>
      <td>
        <CellNumber label={`Damaged units of ${sku} now`} value={entries[line]?.damaged ?? ''} onChange={(v) => setEntries(setEntry(entries, line, 'damaged', v))} />
      </td>
    </>
  );
}
