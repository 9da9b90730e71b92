// /v1 routes: Returns with inspection, and cycle counts.
//
// Steps that move units (receive, inspect, post, approve) go through the ledger as document
// steps; header-only changes (create, enter counts, cancel, settings) are idempotent mutations.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as counts from '../app/counts.ts';
import * as returns from '../app/returns.ts';
import type { Truestock } from '../app/truestock.ts';
import { COUNT_ENTRIES_MAX, COUNT_SCOPE_MAX, COUNT_SCOPES, COUNT_STATES, COUNTER_LENGTH_MAX, type CountState, type EntryRequest } from '../domain/count-rules.ts';
import { type Refusal, TruestockError } from '../domain/errors.ts';
import { RETURN_LINES_MAX, RETURN_STATES, type InspectRequest, type ReceiveRequest, type ReturnState } from '../domain/return-rules.ts';
import { PAGE_LIMIT_MAX } from '../app/queries.ts';
import { notFound, type Params, type RouteKit } from './routes.ts';
import { code, emptyBody, idParam, sku } from './schemas.ts';
import { documentAnswers as d } from './document-responses.ts';

const QUANTITY_MAX = 1_000_000_000;
const NUMBER_LENGTH_MAX = 64;

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required }) as const;
const quantity = { type: 'integer', minimum: 1, maximum: QUANTITY_MAX } as const;
const units = { type: 'integer', minimum: 0, maximum: QUANTITY_MAX } as const;
const text = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;
const number = { type: ['string', 'null'], minLength: 1, maxLength: NUMBER_LENGTH_MAX, pattern: '^[\\w.:/-]+$' } as const;
const lineNo = { type: 'integer', minimum: 1, maximum: RETURN_LINES_MAX } as const;
const list = (items: unknown, max: number) => ({ type: 'array', minItems: 1, maxItems: max, items }) as const;
const pageProps = { cursor: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: PAGE_LIMIT_MAX } };

const returnBody = object(
  { number, location: code, channel_id: { ...text(100), minLength: 1 }, order_reference: text(200), note: text(1000), lines: list(object({ sku, quantity }, ['sku', 'quantity']), RETURN_LINES_MAX) },
  ['location', 'lines'],
);
const receiptBody = object({ lines: list(object({ line: lineNo, sku, quantity }, ['quantity']), RETURN_LINES_MAX), allow_over_receipt: { type: 'boolean' } }, ['lines']);
const inspectionBody = object(
  { lines: list(object({ line: lineNo, sku, restock: units, damaged: units, write_off: units, return_to_vendor: units }), RETURN_LINES_MAX) },
  ['lines'],
);
const returnsQuery = object({ ...pageProps, state: { type: 'string', enum: [...RETURN_STATES] } });

const countBody = object(
  {
    number,
    location: code,
    scope: { type: 'string', enum: [...COUNT_SCOPES] },
    zones: { type: ['array', 'null'], minItems: 1, maxItems: COUNT_SCOPE_MAX, items: { type: 'string', minLength: 1, maxLength: 100 } },
    skus: { type: ['array', 'null'], minItems: 1, maxItems: COUNT_SCOPE_MAX, items: sku },
    blind: { type: 'boolean' },
  },
  ['location', 'scope'],
);
const entriesBody = object({ entries: list(object({ sku, counted: units, counter: { type: ['string', 'null'], minLength: 1, maxLength: COUNTER_LENGTH_MAX } }, ['sku', 'counted']), COUNT_ENTRIES_MAX) }, ['entries']);
const countsQuery = object({ ...pageProps, state: { type: 'string', enum: [...COUNT_STATES] } });
const settingsBody = object({ variance_units_max: { type: ['integer', 'null'], minimum: 0, maximum: QUANTITY_MAX }, variance_percent_max: { type: ['number', 'null'], minimum: 0, maximum: 1_000_000 } });

const isRefusal = (r: object): r is Refusal => 'code' in r && 'detail' in r;
const viewer = (req: FastifyRequest): counts.Viewer => ({ actor: req.principal.keyId, admin: req.principal.role === 'admin' });

export function registerReturnAndCountRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {
  const { read, document, mutation, route, write } = kit;
  const ws = (req: FastifyRequest) => req.principal.workspaceId;
  const tags = { returns: ['returns'], counts: ['counts'] };

  // Returns
  app.post<{ Body: returns.ReturnCreate }>('/returns', write('operate', tags.returns, 'Open a customer return (from a channel order or standalone); no units move yet', returnBody, { response: { 201: d.returnOpened } }), (req, reply) =>
    mutation(req, reply, (db, now) => returns.createReturn(db, ws(req), req.body, now)));
  app.get<{ Querystring: { state?: ReturnState; cursor?: string; limit?: number } }>('/returns', route('read', tags.returns, 'List returns, optionally by state', { querystring: returnsQuery, response: { 200: d.returns } }), (req) =>
    read((db) => returns.returnsPage(db, ws(req), req.query)));
  app.get<{ Params: Params }>('/returns/:id', route('read', tags.returns, 'Get a return with its lines', { params: idParam, response: { 200: d.return } }), async (req) => {
    const r = await read((db) => returns.returnById(db, ws(req), req.params.id));
    if (!r) throw notFound('return', req.params.id);
    return { return: r };
  });
  app.post<{ Params: Params; Body: ReceiveRequest }>(
    '/returns/:id/receipts',
    write('operate', tags.returns, 'Receive returned units into quality_control (available for items that skip return inspection)', receiptBody, { params: idParam, response: { 200: d.returnStep } }),
    (req, reply) => document(req, reply, returns.receiveStep(ws(req), req.params.id, req.body)),
  );
  app.post<{ Params: Params; Body: InspectRequest }>(
    '/returns/:id/inspections',
    write('operate', tags.returns, 'Decide inspected units: restock, damaged, write_off or return_to_vendor', inspectionBody, { params: idParam, response: { 200: d.returnStep } }),
    (req, reply) => document(req, reply, returns.inspectStep(ws(req), req.params.id, req.body)),
  );
  app.post<{ Params: Params }>('/returns/:id/close', write('operate', tags.returns, 'Close a return once nothing awaits inspection', emptyBody, { params: idParam, response: { 200: d.returnStep } }), (req, reply) =>
    document(req, reply, returns.closeStep(ws(req), req.params.id)));

  // Cycle counts
  app.post<{ Body: counts.CountCreate }>('/counts', write('operate', tags.counts, 'Open a cycle count of a location (all, zones or SKUs); snapshots on_hand', countBody, { response: { 201: d.countOpened } }), (req, reply) =>
    mutation(req, reply, (db, now) => counts.createCount(db, ws(req), req.body, viewer(req), now)));
  app.get<{ Querystring: { state?: CountState; cursor?: string; limit?: number } }>('/counts', route('read', tags.counts, 'List counts, optionally by state', { querystring: countsQuery, response: { 200: d.counts } }), (req) =>
    read((db) => counts.countsPage(db, ws(req), req.query)));
  app.get<{ Params: Params }>('/counts/:id', route('read', tags.counts, 'A count with its variance report (a blind count hides the books from non-admins until posted)', { params: idParam, response: { 200: d.count } }), async (req) => {
    const c = await read((db) => counts.countById(db, ws(req), req.params.id, viewer(req)));
    if (!c) throw notFound('count', req.params.id);
    return { count: c };
  });
  app.get<{ Params: Params }>('/counts/:id/variances', route('read', tags.counts, 'The variance report of a count', { params: idParam, response: { 200: d.variances } }), async (req) => {
    const r = await read((db) => counts.countVariances(db, ws(req), req.params.id, viewer(req)));
    if (!r) throw notFound('count', req.params.id);
    if (isRefusal(r)) throw new TruestockError(r);
    return r;
  });
  app.post<{ Params: Params; Body: { entries: EntryRequest[] } }>(
    '/counts/:id/entries',
    write('operate', tags.counts, 'Enter counted quantities (several counters may count one SKU; a counter re-entering corrects their number)', entriesBody, { params: idParam, response: { 200: d.countEntered } }),
    (req, reply) => mutation(req, reply, (db, now) => counts.enterCounts(db, ws(req), req.params.id, req.body.entries, viewer(req), now)),
  );
  app.post<{ Params: Params }>(
    '/counts/:id/post',
    write('operate', tags.counts, 'Post the variances as cycle_count movements; over the threshold, a non-admin gets 202 and the count awaits approval', emptyBody, { params: idParam, response: { 200: d.countPosted, 202: d.countAwaiting } }),
    (req, reply) => document(req, reply, counts.postStep(ws(req), req.params.id, viewer(req))),
  );
  app.post<{ Params: Params }>('/counts/:id/approve', write('admin', tags.counts, 'Approve and post a count, recording who approved', emptyBody, { params: idParam, response: { 200: d.countPosted } }), (req, reply) =>
    document(req, reply, counts.postStep(ws(req), req.params.id, viewer(req), true)));
  app.post<{ Params: Params }>('/counts/:id/cancel', write('operate', tags.counts, 'Cancel a count that has not been posted', emptyBody, { params: idParam, response: { 200: d.countCancelled } }), (req, reply) =>
    mutation(req, reply, (db, now) => counts.cancelCount(db, ws(req), req.params.id, viewer(req), now)));

  // Settings
  app.get('/settings/counts', route('read', ['settings'], 'Count variance thresholds', { response: { 200: d.countSettings } }), (req) => read((db) => counts.countSettings(db, ws(req))));
  app.put<{ Body: counts.CountSettings }>('/settings/counts', write('admin', ['settings'], 'Set the variance thresholds above which a count needs an admin (null: no threshold)', settingsBody, { response: { 200: d.countSettings } }), (req, reply) =>
    mutation(req, reply, (db) => counts.updateCountSettings(db, ws(req), req.body)));
}
