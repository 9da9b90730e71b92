// A channel rule as the dashboard's form holds it: every setting typed as text, turned into the
// API's rule body (`ruleBody`) and back (`draftOf`), so editing a rule and saving it unchanged
// sends the rule it was. Nothing is checked here beyond shape: a bad value reaches the server and
// comes back as a refusal naming its field, which `groupOf` places beside the right control.

import * as f from './format.ts';

export interface Rule {
  id: string;
  channel_id: string;
  skus: string[] | null;
  starts_at: string | null;
  ends_at: string | null;
  below_units: number | null;
  settings: RuleSettings;
  does: string;
  active: boolean;
  created_at: string;
  updated_at: string;
}

export interface RuleSettings {
  locations?: { codes?: string[]; kinds?: string[] };
  allocation?: { mode: 'shared' } | { mode: 'share'; percent: number } | { mode: 'ring_fenced'; quantity: number };
  buffer?: { mode: 'none' } | { mode: 'fixed'; units: number } | { mode: 'percent'; percent: number } | { mode: 'adaptive'; confidence: number; min_units: number; max_units: number };
  cap_units?: number | null;
  zero_below_units?: number | null;
  backorder_days?: number | null;
}

export interface RuleBody {
  skus: string[] | null;
  starts_at: string | null;
  ends_at: string | null;
  below_units: number | null;
  settings: Record<string, unknown>;
}

/** A setting a rule may leave to a less specific rule ('unset'), clear (nullable ones) or set. */
export type Tri = 'unset' | 'none' | 'set';

/** The form as typed: strings, so a bad value reaches the server and comes back as its refusal. */
export interface Draft {
  skus: string;
  startsAt: string;
  endsAt: string;
  below: string;
  locations: 'unset' | 'set';
  codes: string[];
  kinds: string[];
  allocation: 'unset' | 'shared' | 'share' | 'ring_fenced';
  percent: string;
  quantity: string;
  buffer: 'unset' | 'none' | 'fixed' | 'percent' | 'adaptive';
  bufferUnits: string;
  bufferPercent: string;
  confidence: string;
  minUnits: string;
  maxUnits: string;
  cap: Tri;
  capUnits: string;
  zeroBelow: Tri;
  zeroBelowUnits: string;
  backorder: Tri;
  backorderDays: string;
}

export const EMPTY: Draft = {
  skus: '',
  startsAt: '',
  endsAt: '',
  below: '',
  locations: 'unset',
  codes: [],
  kinds: [],
  allocation: 'unset',
  percent: '',
  quantity: '',
  buffer: 'unset',
  bufferUnits: '',
  bufferPercent: '',
  confidence: '0.95',
  minUnits: '0',
  maxUnits: '20',
  cap: 'unset',
  capUnits: '',
  zeroBelow: 'unset',
  zeroBelowUnits: '',
  backorder: 'unset',
  backorderDays: '',
};

/** '' → left out; anything else as a number (NaN is sent as null and refused by name). */
const num = (v: string): number | undefined => (v.trim() === '' ? undefined : Number(v));

const pad = (n: number) => String(n).padStart(2, '0');
/** An instant as a datetime-local value, in the browser's zone. */
function localInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
/** A datetime-local value (the browser's zone) as ISO 8601 with an offset, as the API wants it. */
function instant(v: string): string | null {
  if (v.trim() === '') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
}

export function ruleBody(d: Draft): RuleBody {
  const settings: Record<string, unknown> = {};
  if (d.locations === 'set') settings.locations = { ...(d.codes.length ? { codes: d.codes } : {}), ...(d.kinds.length ? { kinds: d.kinds } : {}) };
  if (d.allocation === 'shared') settings.allocation = { mode: 'shared' };
  if (d.allocation === 'share') settings.allocation = { mode: 'share', percent: num(d.percent) };
  if (d.allocation === 'ring_fenced') settings.allocation = { mode: 'ring_fenced', quantity: num(d.quantity) };
  if (d.buffer === 'none') settings.buffer = { mode: 'none' };
  if (d.buffer === 'fixed') settings.buffer = { mode: 'fixed', units: num(d.bufferUnits) };
  if (d.buffer === 'percent') settings.buffer = { mode: 'percent', percent: num(d.bufferPercent) };
  if (d.buffer === 'adaptive') settings.buffer = { mode: 'adaptive', confidence: num(d.confidence), min_units: num(d.minUnits), max_units: num(d.maxUnits) };
  const nullable = (t: Tri, v: string) => (t === 'none' ? null : t === 'set' ? num(v) ?? Number.NaN : undefined);
  if (d.cap !== 'unset') settings.cap_units = nullable(d.cap, d.capUnits);
  if (d.zeroBelow !== 'unset') settings.zero_below_units = nullable(d.zeroBelow, d.zeroBelowUnits);
  if (d.backorder !== 'unset') settings.backorder_days = nullable(d.backorder, d.backorderDays);
  // Commas separate SKUs; spaces may be part of one (`seg` escapes them in addresses).
  const skus = d.skus.split(/[,\n]/).map((x) => x.trim()).filter(Boolean);
  return {
    skus: skus.length ? skus : null,
    starts_at: instant(d.startsAt),
    ends_at: instant(d.endsAt),
    below_units: d.below.trim() === '' ? null : Number(d.below),
    settings,
  };
}

export function draftOf(r: Pick<Rule, 'skus' | 'starts_at' | 'ends_at' | 'below_units' | 'settings'>): Draft {
  const s = r.settings;
  const d: Draft = { ...EMPTY, skus: (r.skus ?? []).join(', '), startsAt: localInput(r.starts_at), endsAt: localInput(r.ends_at), below: r.below_units === null ? '' : String(r.below_units) };
  if (s.locations) Object.assign(d, { locations: 'set', codes: s.locations.codes ?? [], kinds: s.locations.kinds ?? [] });
  const a = s.allocation;
  if (a) Object.assign(d, { allocation: a.mode }, a.mode === 'share' ? { percent: String(a.percent) } : a.mode === 'ring_fenced' ? { quantity: String(a.quantity) } : {});
  const b = s.buffer;
  if (b) {
    d.buffer = b.mode;
    if (b.mode === 'fixed') d.bufferUnits = String(b.units);
    if (b.mode === 'percent') d.bufferPercent = String(b.percent);
    if (b.mode === 'adaptive') Object.assign(d, { confidence: String(b.confidence), minUnits: String(b.min_units), maxUnits: String(b.max_units) });
  }
  const tri = (v: number | null | undefined): [Tri, string] => (v === undefined ? ['unset', ''] : v === null ? ['none', ''] : ['set', String(v)]);
  [d.cap, d.capUnits] = tri(s.cap_units);
  [d.zeroBelow, d.zeroBelowUnits] = tri(s.zero_below_units);
  [d.backorder, d.backorderDays] = tri(s.backorder_days);
  return d;
}

/** Whether a rule applies now, and if not, why (a valve's shortage depends on the item). */
export function inForce(r: Pick<Rule, 'active' | 'starts_at' | 'ends_at' | 'below_units'>, now: number): { yes: boolean; text: string } {
  if (!r.active) return { yes: false, text: 'no: removed' };
  if (r.starts_at && now < Date.parse(r.starts_at)) return { yes: false, text: `no: starts ${f.time(r.starts_at)}` };
  if (r.ends_at && now >= Date.parse(r.ends_at)) return { yes: false, text: `no: ended ${f.time(r.ends_at)}` };
  if (r.below_units !== null) return { yes: true, text: `while the pool is below ${f.int(r.below_units)} units` };
  return { yes: true, text: 'yes' };
}

/** The part of the form a refusal's field names (`settings.buffer.min_units` → buffer). */
export type FieldGroup = 'skus' | 'starts_at' | 'ends_at' | 'below_units' | 'locations' | 'allocation' | 'buffer' | 'cap_units' | 'zero_below_units' | 'backorder_days';
export function groupOf(field: string | undefined): FieldGroup | null {
  if (!field) return null;
  const path = field.replace(/^settings\./, '').replace(/\[\d+\]/g, '');
  const head = path.split('.')[0]!;
  const groups: readonly string[] = ['skus', 'starts_at', 'ends_at', 'below_units', 'locations', 'allocation', 'buffer', 'cap_units', 'zero_below_units', 'backorder_days'];
  return groups.includes(head) ? (head as FieldGroup) : null;
}
