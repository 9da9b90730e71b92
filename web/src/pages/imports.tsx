// CSV import and export (docs/catalog.md "CSV import and export", src/http/import-routes.ts): pick
// a file of items or of counted stock and import it — all rows or none: a file with a bad row is
// refused whole and every bad row is listed (row, column, message) — and download the items or
// the stock as CSV, in the columns the imports read back.

import { type FormEvent, useId, useRef, useState } from 'react';
import { api, ApiError, describeError, newIdempotencyKey, NetworkError, type Problem, type Query } from '../api.ts';
import * as f from '../format.ts';
import { CheckField, SelectField, Submit } from '../ui/forms.tsx';
import { PageHeader, Section, TableWrap } from '../ui/page.tsx';
import { useOnce } from '../live.ts';

/** Bad rows listed under a refused file; the API lists the first ones and counts them all. */
const ROW_ERRORS_SHOWN_MAX = 500;
/** The longest `file_name` the stock import takes (it goes into the movements' reference). */
const FILE_NAME_MAX = 150;

interface RowError {
  line: number;
  column: string | null;
  reason: string;
}

type Summary = Record<string, number | string>;

interface Upload {
  busy: boolean;
  summary: Summary | null;
  refusal: Problem | null;
  error: string | null;
  run(path: string, text: string, query?: Query): Promise<void>;
}

/**
 * One import: a new Idempotency-Key per attempt, except that a retry of the same file after no
 * definite answer (network error, 5xx) sends the same key, so the server replays the first outcome.
 */
function useUpload(): Upload {
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [refusal, setRefusal] = useState<Problem | null>(null);
  const [error, setError] = useState<string | null>(null);
  const last = useRef<{ key: string; fingerprint: string; uncertain: boolean } | null>(null);
  const run = async (path: string, text: string, query?: Query) => {
    const fingerprint = `${path} ${JSON.stringify(query ?? {})} ${text}`;
    const key = last.current?.uncertain && last.current.fingerprint === fingerprint ? last.current.key : newIdempotencyKey();
    last.current = { key, fingerprint, uncertain: true };
    setBusy(true);
    setSummary(null);
    setRefusal(null);
    setError(null);
    try {
      const res = await api.upload<{ import: Summary }>(path, { body: text, type: 'text/csv' }, key, query);
      last.current.uncertain = false;
      setSummary(res.import);
    } catch (err) {
      const uncertain = err instanceof NetworkError || (err instanceof ApiError && err.status >= 500);
      last.current = { key, fingerprint, uncertain };
      if (err instanceof ApiError) setRefusal(err.problem);
      setError(describeError(err) + (uncertain ? ' — trying again is safe' : ''));
    } finally {
      setBusy(false);
    }
  };
  return { busy, summary, refusal, error, run };
}

function FileField({ label, onFile }: { label: string; onFile: (file: File | null) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="file" accept=".csv,text/csv,text/plain" onChange={(e) => onFile(e.target.files?.[0] ?? null)} />
    </div>
  );
}

/** What an import answered: its summary, or the refusal with every bad row. */
function UploadOutcome({ upload, what }: { upload: Upload; what: string }) {
  const rows = (Array.isArray(upload.refusal?.errors) ? (upload.refusal.errors as RowError[]) : []).slice(0, ROW_ERRORS_SHOWN_MAX);
  const count = typeof upload.refusal?.error_count === 'number' ? upload.refusal.error_count : rows.length;
  return (
    <>
      {upload.error && (
        <p className="outcome outcome-error" role="alert">
          {upload.error}
        </p>
      )}
      {rows.length > 0 && (
        <TableWrap label={`Row errors in the ${what} file`}>
          <table className="row-errors">
            <thead>
              <tr>
                <th scope="col" className="num">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={`${r.line}-${i}`}>
                  <td className="num">{r.line}</td>
                  <td>{r.column ?? '—'}</td>
                  <td className="message">{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {count > rows.length && <p className="muted">and {f.int(count - rows.length)} more errors not listed</p>}
      <p className="outcome outcome-ok" role="status">
        {upload.summary
          ? `Imported: ${Object.entries(upload.summary)
              .filter(([, v]) => typeof v === 'number')
              .map(([k, v]) => `${f.int(v as number)} ${f.label(k)}`)
              .join(', ')}.`
          : ''}
      </p>
    </>
  );
}

function ItemsImport() {
  const upload = useUpload();
  const [file, setFile] = useState<File | null>(null);
  const [missing, setMissing] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMissing(!file);
    if (file) await upload.run('/imports/items', await file.text());
  };
  return (
    <Section title="Import items" id="import-items">
      <p className="muted">
        A CSV file with a header row: <code>sku,name</code> and optionally <code>barcode, archived, kind, units_per_case, requires_inspection, skip_return_inspection</code>. New SKUs are
        created, known ones updated. All rows or none: a file with a bad row imports nothing.
      </p>
      <form className="inline-form" onSubmit={submit} aria-label="Import items">
        <FileField label="Items file (CSV)" onFile={setFile} />
        <Submit disabled={upload.busy}>Import items</Submit>
      </form>
      {missing && !file && (
        <p className="outcome outcome-error" role="alert">
          Choose a file first.
        </p>
      )}
      <UploadOutcome upload={upload} what="items" />
    </Section>
  );
}

interface StockFormat {
  format: string;
  label: string;
  creates_items: boolean;
}

function StockImport() {
  const upload = useUpload();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState('truestock');
  const [createItems, setCreateItems] = useState(false);
  // The formats come from the server (ours and each channel kind's export): no kind is named here.
  const formats = useOnce(() => api.get<{ data: StockFormat[] }>('/imports/stock/formats'), []);
  const chosen = formats.data?.data.find((x) => x.format === format);
  const [missing, setMissing] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMissing(!file);
    if (!file) return;
    await upload.run('/imports/stock', await file.text(), { format, create_items: chosen?.creates_items && createItems ? true : undefined, file_name: file.name.slice(0, FILE_NAME_MAX) || undefined });
  };
  return (
    <Section title="Import stock" id="import-stock">
      <p className="muted">
        Counted stock: <code>sku,location,on_hand[,zone]</code>, or a channel's own inventory export. Each difference from the books becomes a count variance, in one step. All rows or
        none.
      </p>
      <form className="inline-form" onSubmit={submit} aria-label="Import stock">
        <FileField label="Stock file (CSV)" onFile={setFile} />
        <SelectField
          label="Format"
          value={format}
          onChange={setFormat}
          options={(formats.data?.data ?? [{ format: 'truestock', label: 'truestock CSV (sku,location,on_hand[,zone])', creates_items: false }]).map((x) => ({ value: x.format, label: x.label }))}
        />
        {chosen?.creates_items && <CheckField label="Create items for unknown SKUs" checked={createItems} onChange={setCreateItems} />}
        <Submit disabled={upload.busy}>Import stock</Submit>
      </form>
      {missing && !file && (
        <p className="outcome outcome-error" role="alert">
          Choose a file first.
        </p>
      )}
      <UploadOutcome upload={upload} what="stock" />
    </Section>
  );
}

export function ImportsPage() {
  return (
    <div>
      <PageHeader title="Import and export" sub="Items and stock as CSV files: exports read back unchanged by the imports." />
      <Section title="Export" id="export">
        <p className="muted">Every item, or every stock level, as a CSV file.</p>
        <div className="button-row">
          <a className="btn btn-plain" href="/v1/exports/items" download="items.csv">
            Export items (CSV)
          </a>{' '}
          <a className="btn btn-plain" href="/v1/exports/stock" download="stock.csv">
            Export stock (CSV)
          </a>
        </div>
      </Section>
      <ItemsImport />
      <StockImport />
    </div>
  );
}
