// The audit log in words: who did it, by name ("Ana", "operate key", "CLI (bob)", "system: hold
// sweeper", "channel webstore"), and what was done as a sentence ("received 12 units on
// PO-000003", "paused channel outlet", "signed in"). Pure: the caller looks up the names and the
// stored response; the API and the CLI render the same words from here.
//
// The sentence is built from the request's method and path and, when the response is still kept
// (the idempotency record, for its retention window), from what the request did: quantities and
// document numbers. Without it the sentence still says what was done to what, without the figures.

/** Names the caller looked up for the ids that appear in actors and paths. */
export interface AuditNames {
  /** api key id, user id or channel id → its name */
  actors: ReadonlyMap<string, string>;
  /** channel id → name, purchase order / transfer / return / count id → number (PO-000003) */
  things: ReadonlyMap<string, string>;
}

export const NO_NAMES: AuditNames = { actors: new Map(), things: new Map() };

/** Non-human actors as the ledger writes them (`system:sweeper`), in words. */
const SYSTEM_ACTORS: Record<string, string> = {
  sweeper: 'system: hold sweeper',
  'ring-fence': 'system: ring-fence',
  demo: 'system: demo',
};

/**
 * A ledger or audit actor as a person reads it. `id` is what the ledger stores: an API key id, a
 * user id, `cli:<os user>`, `system:<job>` or `system:channel:<channel id>`.
 */
export function actorWords(id: string, names: AuditNames = NO_NAMES, storedName?: string | null): string {
  const named = names.actors.get(id) ?? storedName;
  if (named) return named;
  if (id.startsWith('cli:')) return `CLI (${id.slice(4)})`;
  if (id.startsWith('system:channel:')) {
    const ch = id.slice('system:channel:'.length);
    return `channel ${names.actors.get(ch) ?? names.things.get(ch) ?? ch}`;
  }
  if (id.startsWith('system:')) return SYSTEM_ACTORS[id.slice(7)] ?? `system: ${id.slice(7).replace(/[-_]/g, ' ')}`;
  return id;
}

/** What kind of actor an id is, for the filter list and a badge beside the name. */
export function actorKind(id: string, storedKind?: string): 'user' | 'api_key' | 'cli' | 'system' | 'channel' {
  if (id.startsWith('cli:')) return 'cli';
  if (id.startsWith('system:channel:')) return 'channel';
  if (id.startsWith('system:')) return 'system';
  if (storedKind === 'user' || id.startsWith('user_')) return 'user';
  return 'api_key';
}

type Json = Record<string, unknown>;
interface Movement { sku?: string; location?: string; quantity?: number; from?: string; to?: string; command?: string; reason?: string | null }

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const intFormat = new Intl.NumberFormat('en-US');
const units = (n: number) => `${intFormat.format(n)} ${n === 1 ? 'unit' : 'units'}`;

/** What a response tells: its movements and its main object. */
function facts(response: unknown): { moves: Movement[]; doc: Json; refusal?: Json } {
  if (!isObj(response)) return { moves: [], doc: {} };
  const moves = Array.isArray(response.movements) ? (response.movements.filter(isObj) as Movement[]) : [];
  const doc = Object.values(response).find((v) => isObj(v)) as Json | undefined;
  return { moves, doc: doc ?? {}, ...(isObj(response.refusal) ? { refusal: response.refusal } : {}) };
}

/** "12 units of SKU-1 at WH1", or "12 units of 3 SKUs" when the movements span several. */
function moved(moves: Movement[], filter: (m: Movement) => boolean = () => true): string | undefined {
  const ms = moves.filter(filter);
  if (ms.length === 0) return undefined;
  const total = ms.reduce((s, m) => s + (num(m.quantity) ?? 0), 0);
  const skus = [...new Set(ms.map((m) => m.sku).filter(Boolean))];
  const locs = [...new Set(ms.map((m) => m.location).filter(Boolean))];
  const what = skus.length === 1 ? ` of ${skus[0]}` : skus.length > 1 ? ` of ${skus.length} SKUs` : '';
  const where = locs.length === 1 ? ` at ${locs[0]}` : '';
  return `${units(total)}${what}${where}`;
}

const lastSeg = (s: string) => s.split('/').filter(Boolean).at(-1) ?? s;

interface Ctx {
  method: string;
  seg: string[];
  moves: Movement[];
  doc: Json;
  names: AuditNames;
  /** the name or number of the thing at path segment `i` (a channel, a document) */
  thing(i: number): string;
}

type Phrase = (c: Ctx) => string;

const docNumber = (c: Ctx, i: number) => str(c.doc.number) ?? c.thing(i);
const goodDamaged = (c: Ctx) => {
  const into = (to: string) => c.moves.filter((m) => m.to === to).reduce((s, m) => s + (num(m.quantity) ?? 0), 0);
  const total = c.moves.filter((m) => ['available', 'damaged', 'quality_control'].includes(m.to ?? '') && !['reserved', 'committed'].includes(m.from ?? '')).reduce((s, m) => s + (num(m.quantity) ?? 0), 0);
  if (total === 0) return '';
  const damaged = into('damaged');
  return damaged > 0 ? `${units(total)} (${intFormat.format(damaged)} damaged) ` : `${units(total)} `;
};

/**
 * Method, path pattern (segments after /v1; `*` is any one segment) and the words. The first
 * match wins; anything unmatched falls back to the method and the path in words.
 */
const PHRASES: [string, string, Phrase][] = [
  ['POST', 'session', () => 'signed in'],
  ['DELETE', 'session', () => 'signed out'],
  ['POST', 'stock/receive', (c) => `received ${moved(c.moves) ?? 'stock'}`],
  ['POST', 'stock/adjust', (c) => {
    const m = c.moves[0];
    if (!m) return 'adjusted stock';
    const sign = m.from === 'available' || m.to === 'shrinkage' ? '−' : '+';
    return `adjusted ${m.sku} at ${m.location} by ${sign}${intFormat.format(m.quantity ?? 0)}${m.reason ? ` (${m.reason})` : ''}`;
  }],
  ['POST', 'stock/move', (c) => {
    const m = c.moves[0];
    return m ? `moved ${units(m.quantity ?? 0)} of ${m.sku} at ${m.location} from ${m.from} to ${m.to}` : 'moved stock';
  }],
  ['POST', 'stock/safety-stock', (c) => {
    const sku = str(c.doc.sku);
    return sku ? `set safety stock of ${sku} at ${str(c.doc.location)} to ${intFormat.format(num(c.doc.safety_stock) ?? 0)}` : 'set safety stock';
  }],
  ['POST', 'stock/count', (c) => (str(c.doc.sku) ? `counted ${c.doc.sku} at ${str(c.doc.location)}: ${intFormat.format(num(c.doc.on_hand) ?? 0)} on hand` : 'recorded a count')],
  ['POST', 'holds', (c) => `reserved ${moved(c.moves) ?? 'stock'}${str(c.doc.order_reference) ? ` for ${c.doc.order_reference}` : ''}`],
  ['POST', 'holds/*/extend', (c) => `extended hold ${c.seg[1]}`],
  ['POST', 'holds/*/release', (c) => `released hold ${c.seg[1]}${c.moves.length ? ` (${moved(c.moves)})` : ''}`],
  ['POST', 'holds/*/allocate', (c) => `allocated hold ${c.seg[1]}${str(c.doc.order_reference) ? ` to order ${c.doc.order_reference}` : ''}`],
  ['POST', 'holds/*/ship', (c) => `shipped ${moved(c.moves, (m) => m.to === 'customer' || m.command === 'ship') ?? moved(c.moves) ?? 'stock'} on hold ${c.seg[1]}`],
  ['POST', 'holds/*/cancel', (c) => `cancelled the allocation of hold ${c.seg[1]}`],
  ['POST', 'allocations', (c) => `allocated ${moved(c.moves) ?? 'an order'}${str(c.doc.order_reference) ? ` to order ${c.doc.order_reference}` : ''}`],
  ['POST', 'purchase-orders', (c) => `opened ${str(c.doc.number) ?? 'a purchase order'}${str(c.doc.supplier) ? ` with ${c.doc.supplier}` : ''}${num(c.doc.ordered) !== undefined ? ` for ${units(num(c.doc.ordered)!)}` : ''}`],
  ['POST', 'purchase-orders/*/receipts', (c) => `received ${goodDamaged(c)}on ${docNumber(c, 1)}`],
  ['POST', 'purchase-orders/*/close', (c) => `closed ${docNumber(c, 1)}${str(c.doc.close_reason) ? ` (${c.doc.close_reason})` : ''}`],
  ['POST', 'transfers', (c) => {
    const shipped = moved(c.moves, (m) => m.to === 'in_transit');
    return `shipped transfer ${str(c.doc.number) ?? ''}${shipped ? ` with ${shipped}` : ''}`.replace('  ', ' ').trimEnd();
  }],
  ['POST', 'transfers/*/receipts', (c) => `received ${goodDamaged(c)}on ${docNumber(c, 1)}`],
  ['POST', 'transfers/*/close', (c) => `closed ${docNumber(c, 1)}`],
  ['POST', 'returns', (c) => `opened return ${str(c.doc.number) ?? ''}`.trimEnd()],
  ['POST', 'returns/*/receipts', (c) => `received ${goodDamaged(c)}on return ${docNumber(c, 1)}`],
  ['POST', 'returns/*/inspections', (c) => `inspected ${moved(c.moves) ?? 'lines'} on return ${docNumber(c, 1)}`],
  ['POST', 'returns/*/close', (c) => `closed return ${docNumber(c, 1)}`],
  ['POST', 'counts', (c) => `started count ${str(c.doc.number) ?? ''}`.trimEnd()],
  ['POST', 'counts/*/entries', (c) => `entered counts on ${docNumber(c, 1)}`],
  ['POST', 'counts/*/post', (c) => `posted count ${docNumber(c, 1)}`],
  ['POST', 'counts/*/approve', (c) => `approved count ${docNumber(c, 1)}`],
  ['POST', 'counts/*/cancel', (c) => `cancelled count ${docNumber(c, 1)}`],
  ['POST', 'channels', (c) => `added channel ${str(c.doc.name) ?? ''}`.trimEnd()],
  ['PATCH', 'channels/*', (c) => `changed channel ${c.thing(1)}`],
  ['POST', 'channels/*/pause', (c) => `paused channel ${c.thing(1)}`],
  ['POST', 'channels/*/resume', (c) => `resumed channel ${c.thing(1)}`],
  ['POST', 'channels/*/dead-letters/retry', (c) => `retried dead letters of channel ${c.thing(1)}`],
  ['PUT', 'channels/*/hidden-skus', (c) => `changed the hidden SKUs of channel ${c.thing(1)}`],
  ['POST', 'channels/*/rules', (c) => `added a rule to channel ${c.thing(1)}`],
  ['PUT', 'channel-rules/*', () => 'changed a channel rule'],
  ['DELETE', 'channel-rules/*', () => 'removed a channel rule'],
  ['POST', 'items', (c) => `created item ${str(c.doc.sku) ?? ''}`.trimEnd()],
  ['PATCH', 'items/*', (c) => `changed item ${str(c.doc.sku) ?? ''}`.trimEnd()],
  ['PUT', 'items/*/components', (c) => `set the components of ${str(c.doc.sku) ?? 'an item'}`],
  ['POST', 'locations', (c) => `created location ${str(c.doc.code) ?? ''}`.trimEnd()],
  ['PATCH', 'locations/*', (c) => `changed location ${str(c.doc.code) ?? ''}`.trimEnd()],
  ['POST', 'products', (c) => `created product ${str(c.doc.name) ?? ''}`.trimEnd()],
  ['PATCH', 'products/*', (c) => `changed product ${str(c.doc.name) ?? ''}`.trimEnd()],
  ['POST', 'listings', () => 'added a listing'],
  ['PATCH', 'listings/*', () => 'changed a listing'],
  ['POST', 'api-keys', (c) => `created API key ${str(c.doc.name) ?? ''}`.trimEnd()],
  ['POST', 'api-keys/*/revoke', (c) => `revoked API key ${c.names.actors.get(c.seg[1]!) ?? str(c.doc.name) ?? ''}`.trimEnd()],
  ['POST', 'users', (c) => `added user ${str(c.doc.name) ?? ''}`.trimEnd()],
  ['POST', 'imports/items', () => 'imported items from a file'],
  ['POST', 'imports/stock', () => 'imported stock from a file'],
  ['POST', 'exceptions/*/acknowledge', () => 'acknowledged an exception'],
  ['POST', 'exceptions/*/assign', (c) => `assigned an exception${str(c.doc.assignee) ? ` to ${c.doc.assignee}` : ''}`],
  ['POST', 'exceptions/*/resolve', () => 'resolved an exception'],
  ['POST', 'availability/recompute', () => 'recomputed the published numbers'],
  ['PUT', 'routing/rules', () => 'changed the routing rules'],
  ['PUT', 'settings/counts', () => 'changed the count settings'],
  ['POST', 'alerts/subscriptions', () => 'added an alert subscription'],
  ['PATCH', 'alerts/subscriptions/*', () => 'changed an alert subscription'],
  ['POST', 'alerts/subscriptions/*/secret', () => "rotated an alert webhook's signing secret"],
  ['DELETE', 'alerts/subscriptions/*', () => 'deleted an alert subscription'],
  ['POST', 'alerts/deliveries/*/redeliver', () => 'redelivered an alert'],
  ['PUT', 'alerts/smtp', () => 'changed the e-mail settings'],
  ['DELETE', 'alerts/smtp', () => 'removed the e-mail settings'],
  ['PUT', 'alerts/thresholds', () => 'changed the low-stock thresholds'],
];

const VERBS: Record<string, string> = { POST: 'posted to', PUT: 'replaced', PATCH: 'changed', DELETE: 'deleted' };

function matches(pattern: string, seg: string[]): boolean {
  const p = pattern.split('/');
  return p.length === seg.length && p.every((s, i) => s === '*' || s === seg[i]);
}

/**
 * The sentence for one audit entry. `path` is the request's path (`/v1/channels/ch_1/pause`);
 * `response` is the stored response body when still kept, else null.
 */
export function auditSummary(e: { method: string; path: string; status: number }, response: unknown, names: AuditNames = NO_NAMES): string {
  const seg = e.path.replace(/^\/v1\//, '').split('/').filter(Boolean).map((s) => safeDecode(s));
  const { moves, doc, refusal } = facts(response);
  const ctx: Ctx = { method: e.method, seg, moves, doc, names, thing: (i) => names.things.get(seg[i] ?? '') ?? seg[i] ?? '' };
  const found = PHRASES.find(([m, p]) => m === e.method && matches(p, seg));
  const failed = e.status >= 400;
  // A refused request did nothing: its words come from the path alone, never from a response.
  const words = found ? found[2](failed ? { ...ctx, moves: [], doc: {} } : ctx) : `${VERBS[e.method] ?? e.method.toLowerCase()} ${seg.map((s, i) => ctx.thing(i)).join(' ').replace(/-/g, ' ') || lastSeg(e.path)}`;
  if (!failed) return words;
  const code = refusal && str(refusal.code);
  return `tried: ${words} — refused (${code ? code.replace(/_/g, ' ') : e.status})`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
