// /v1 routes: Purchase orders and transfers between locations. Every step that moves units goes
// through the ledger as a document step; reads show each document's lines and its movements.

import type { FastifyInstance } from 'fastify';
import * as po from '../app/purchase-orders.ts';
import * as tr from '../app/transfers.ts';
import type { Truestock } from '../app/truestock.ts';
import { PAGE_LIMIT_MAX } from '../app/queries.ts';
import { DOCUMENT_LINES_MAX, DOCUMENT_NOTE_LENGTH_MAX, DOCUMENT_NUMBER_LENGTH_MAX, RECEIPT_LINES_MAX, SUPPLIER_LENGTH_MAX, CLOSE_REASON_LENGTH_MAX } from '../domain/purchase-order-rules.ts';
import { notFound, type Params, type RouteKit } from './routes.ts';
import { code, idParam, sku } from './schemas.ts';
import { documentAnswers as d } from './document-responses.ts';

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

const QUANTITY_MAX = 1_000_000_000;
const quantity = { type: 'integer', minimum: 1, maximum: QUANTITY_MAX } as const;
const units = { type: 'integer', minimum: 0, maximum: QUANTITY_MAX } as const;
const text = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;
const date = { type: ['string', 'null'], maxLength: 40, description: 'ISO 8601 date or date-time, e.g. 2026-12-01' } as const;
const number = { type: ['string', 'null'], minLength: 1, maxLength: DOCUMENT_NUMBER_LENGTH_MAX, description: 'Unique per workspace; generated (PO-000001, TR-000001) when absent' } as const;
const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required }) as const;
const array = (items: unknown, max: number) => ({ type: 'array', minItems: 1, maxItems: max, items }) as const;
const orNull = (schema: unknown) => ({ anyOf: [schema, { type: 'null' }] }) as const;

const receiptLine = {
  line: { type: 'integer', minimum: 1, description: 'The document line; or name it by sku' },
  sku,
  good: { ...units, description: 'Units in good condition (default 0)' },
  damaged: { ...units, description: 'Units that arrived damaged (default 0)' },
};

export const purchaseOrderBody = object(
  { number, supplier: { type: 'string', minLength: 1, maxLength: SUPPLIER_LENGTH_MAX }, location: code, eta: date, note: text(DOCUMENT_NOTE_LENGTH_MAX), lines: array(object({ sku, quantity, eta: date }, ['sku', 'quantity']), DOCUMENT_LINES_MAX) },
  ['supplier', 'location', 'lines'],
);
export const purchaseOrderReceiptBody = object(
  {
    lines: array(object({ ...receiptLine, location: { ...code, description: 'Put away at another location than the PO’s (a carton split off); incoming is cleared at the PO’s location' } }), RECEIPT_LINES_MAX),
    reference: { ...text(DOCUMENT_NOTE_LENGTH_MAX), description: 'Delivery note or carton; kept as the movements’ note' },
    allow_over_receipt: { type: 'boolean', description: 'Accept more units than are still expected' },
  },
  ['lines'],
);
export const purchaseOrderCloseBody = orNull(object({ reason: { ...text(CLOSE_REASON_LENGTH_MAX), description: 'Required when units are still expected' } }));
export const transferBody = object(
  { number, from: code, to: code, eta: date, note: text(DOCUMENT_NOTE_LENGTH_MAX), lines: array(object({ sku, quantity }, ['sku', 'quantity']), DOCUMENT_LINES_MAX) },
  ['from', 'to', 'lines'],
);
export const transferReceiptBody = object({ lines: array(object(receiptLine), RECEIPT_LINES_MAX), reference: text(DOCUMENT_NOTE_LENGTH_MAX) }, ['lines']);
export const transferCloseBody = orNull(object({ note: text(DOCUMENT_NOTE_LENGTH_MAX) }));
const listQuery = (states: readonly string[]) =>
  object({ cursor: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: PAGE_LIMIT_MAX }, state: { type: 'string', enum: [...states] } });

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

type ListQuery = { state?: string; cursor?: string; limit?: number };

export function registerPurchasingRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {
  const { read, document, route, write } = kit;
  const ws = (req: { principal: { workspaceId: string } }) => req.principal.workspaceId;

  // Purchase orders
  app.get<{ Querystring: ListQuery }>('/purchase-orders', route('read', ['purchase orders'], 'List purchase orders, optionally by state', { querystring: listQuery(po.PO_STATES), response: { 200: d.purchaseOrders } }), (req) =>
    read((db) => po.purchaseOrders(db, ws(req), req.query)));
  app.get<{ Params: Params }>('/purchase-orders/:id', route('read', ['purchase orders'], 'A purchase order (by id or number): lines, what is still expected, and its movements', { params: idParam, response: { 200: d.purchaseOrder } }), async (req) => {
    const found = await read((db) => po.purchaseOrder(db, ws(req), req.params.id));
    if (!found) throw notFound('purchase order', req.params.id);
    return found;
  });
  app.post<{ Body: Record<string, any> }>('/purchase-orders', write('operate', ['purchase orders'], 'Open a purchase order: its lines become incoming at the destination', purchaseOrderBody, { response: { 201: d.purchaseOrderOpened } }), (req, reply) =>
    document(req, reply, po.openPurchaseOrderStep(ws(req), req.body as never)));
  app.post<{ Params: Params; Body: Record<string, any> }>('/purchase-orders/:id/receipts', write('operate', ['purchase orders'], 'Receive a delivery (or part of one): good and damaged units per line', purchaseOrderReceiptBody, { params: idParam, response: { 200: d.purchaseOrderStep } }), (req, reply) =>
    document(req, reply, po.receivePurchaseOrderStep(ws(req), req.params.id, req.body as never)));
  app.post<{ Params: Params; Body: Record<string, any> | null }>('/purchase-orders/:id/close', write('operate', ['purchase orders'], 'Close a purchase order; a shortfall stops being incoming, with a reason', purchaseOrderCloseBody, { params: idParam, response: { 200: d.purchaseOrderStep } }), (req, reply) =>
    document(req, reply, po.closePurchaseOrderStep(ws(req), req.params.id, req.body ?? {})));

  // Transfers
  app.get<{ Querystring: ListQuery }>('/transfers', route('read', ['transfers'], 'List transfers, optionally by state', { querystring: listQuery(tr.TRANSFER_STATES), response: { 200: d.transfers } }), (req) =>
    read((db) => tr.transfers(db, ws(req), req.query)));
  app.get<{ Params: Params }>('/transfers/:id', route('read', ['transfers'], 'A transfer (by id or number): lines, what is still in transit, and its movements', { params: idParam, response: { 200: d.transfer } }), async (req) => {
    const found = await read((db) => tr.transfer(db, ws(req), req.params.id));
    if (!found) throw notFound('transfer', req.params.id);
    return found;
  });
  app.post<{ Body: Record<string, any> }>('/transfers', write('operate', ['transfers'], 'Create and ship a transfer: source available goes in transit, the destination expects it', transferBody, { response: { 201: d.transferShipped } }), (req, reply) =>
    document(req, reply, tr.shipTransferStep(ws(req), req.body as never)));
  app.post<{ Params: Params; Body: Record<string, any> }>('/transfers/:id/receipts', write('operate', ['transfers'], 'Receive part or all of a transfer at its destination, good or damaged', transferReceiptBody, { params: idParam, response: { 200: d.transferStep } }), (req, reply) =>
    document(req, reply, tr.receiveTransferStep(ws(req), req.params.id, req.body as never)));
  app.post<{ Params: Params; Body: Record<string, any> | null }>('/transfers/:id/close', write('operate', ['transfers'], 'Close a transfer: what never arrived is written off as lost in transit', transferCloseBody, { params: idParam, response: { 200: d.transferStep } }), (req, reply) =>
    document(req, reply, tr.closeTransferStep(ws(req), req.params.id, req.body ?? {})));
}
