// What the document routes answer: purchase orders, transfers, returns, cycle counts and orders
// (purchasing-routes.ts, return-count-routes.ts, order-routes.ts). The named components are
// registered in server.ts; the answers of each route are built from them at the bottom.
//
// The shapes mirror the view functions (src/app/purchase-orders.ts, transfers.ts, returns.ts,
// counts.ts, order-views.ts); the HTTP tests hold every answer to them with objects closed.

import { PO_STATES } from '../app/purchase-orders.ts';
import { TRANSFER_STATES } from '../app/transfers.ts';
import { COUNT_SCOPES, COUNT_STATES } from '../domain/count-rules.ts';
import { EXCEPTION_KINDS, EXCEPTION_STATES, HOLD_STATES } from '../domain/model.ts';
import { ORDER_SOURCES, ORDER_STATES, SERVICE_LEVELS } from '../domain/order-rules.ts';
import { RETURN_STATES } from '../domain/return-rules.ts';
import { arrayOf, bool, count, dateTime, described, int, nullable, object, oneOf, page, ref, str } from './response-schemas.ts';

type Schema = Record<string, unknown>;

const number = (description?: string): Schema => ({ type: 'number', ...(description ? { description } : {}) });
const date = (description?: string): Schema => ({ type: 'string', format: 'date', ...(description ? { description } : {}) });
/** Values the orders row's `exception` column takes (src/app/orders.ts, orders-channel.ts). */
const ORDER_EXCEPTIONS = ['oversold', 'promise_at_risk', 'unapplied', 'unmapped_line'] as const;

const countHeader = {
  id: str(), number: str(), location: str('Location code'), scope: oneOf(COUNT_SCOPES), zones: nullable(arrayOf(str(), { description: 'The zones counted (scope zones)' })),
  blind: bool('Counters do not see the books until the count is posted'), state: oneOf(COUNT_STATES),
  approved_by: nullable(str('The admin (key) who approved a count over the threshold, or who posted it')),
  created_at: dateTime(), updated_at: dateTime(), posted_at: nullable(dateTime()),
};
const counted = object({ counter: str('Who counted (a name, or the key that entered it)'), counted: count() });
const varianceReport = {
  thresholds: ref('CountThresholds'),
  lines: arrayOf(ref('CountLine')),
  uncounted: arrayOf(str(), { description: 'SKUs nobody has counted yet' }),
  exceeding: arrayOf(str(), { description: 'SKUs whose variance exceeds a threshold' }),
};

const orderProps = {
  id: str(), number: int('Sequential per workspace'), reference: str('The reference its holds and movements carry (SO-000042, or the channel\'s order name)'),
  source: oneOf(ORDER_SOURCES), state: oneOf(ORDER_STATES), channel_id: nullable(str()), channel_reference: nullable(str('The channel\'s own id of the order')),
  service_level: oneOf(SERVICE_LEVELS), pickup_location: nullable(str('Code of the store the customer collects from')),
  ship_to: object({ postal_code: nullable(str()), country: nullable(str('ISO 3166-1 alpha-2')) }),
  promised_ship_by: nullable(dateTime()), promised_deliver_by: nullable(dateTime()), requested_ship_date: nullable(date()),
  customer_reference: nullable(str()), fulfilled_by_channel: bool('The channel ships it from its own warehouse: nothing is allocated here'),
  exception: nullable(oneOf(ORDER_EXCEPTIONS, 'What a person must look at, if anything')),
  lines: arrayOf(ref('OrderLine')),
  created_at: dateTime(), updated_at: dateTime(),
};

export const DOCUMENT_COMPONENTS = {
  PurchaseOrderLine: object({
    line: int(), sku: str(), ordered: count(), received_good: count(), received_damaged: count(), still_expected: count('Units still incoming'), eta: nullable(dateTime()),
  }),
  PurchaseOrder: object({
    id: str(), number: str(), supplier: str(), location: str('Destination location code'), state: oneOf(PO_STATES),
    close_reason: nullable(str('Why it was closed short')), note: nullable(str()),
    ordered: count('Summed over the lines'), received_good: count(), received_damaged: count(), still_expected: count(),
    lines: arrayOf(ref('PurchaseOrderLine')), created_at: dateTime(), updated_at: dateTime(), closed_at: nullable(dateTime()),
  }),

  TransferLine: object({ line: int(), sku: str(), shipped: count(), received: count(), damaged: count(), lost: count('Written off in transit at close'), in_transit: count() }),
  Transfer: object({
    id: str(), number: str(), from: str('Source location code'), to: str('Destination location code'), state: oneOf(TRANSFER_STATES),
    eta: nullable(dateTime()), note: nullable(str()),
    shipped: count('Summed over the lines'), received: count(), damaged: count(), lost: count(), in_transit: count(),
    lines: arrayOf(ref('TransferLine')), created_at: dateTime(), updated_at: dateTime(), closed_at: nullable(dateTime()),
  }),

  ReturnLine: object({
    line: int(), sku: str(), expected: count(), received: count(), restocked: count(), damaged: count(), written_off: count(), returned_to_vendor: count(),
    awaiting_inspection: count('Received and not yet decided'), skips_inspection: bool('Received straight into available'),
  }),
  Return: object({
    id: str(), number: str(), location: str('Location code'), channel_id: nullable(str()), order_reference: nullable(str()), state: oneOf(RETURN_STATES), note: nullable(str()),
    lines: arrayOf(ref('ReturnLine')), created_at: dateTime(), updated_at: dateTime(), closed_at: nullable(dateTime()),
  }),

  CountThresholds: object({
    variance_units_max: nullable(int('A line varying by more units needs an admin to post; null: no threshold')),
    variance_percent_max: nullable(number('A line varying by more percent of expected needs an admin; null: no threshold')),
  }),
  CountLine: object({
    sku: str(), snapshot: int('on_hand when the count was opened'), expected: nullable(int('on_hand when it was counted, less what moved since')),
    counted: nullable(count('Summed over the counters; null until counted')), variance: nullable(int('counted − expected')),
    variance_percent: nullable(number('|variance| as a percent of expected')), exceeds_threshold: bool(), counters: arrayOf(counted),
  }),
  CountSummary: object(countHeader, [], { description: 'A count in a list: its header' }),
  Count: {
    description: 'A count with its variance report; a blind count in progress shows a non-admin only the SKUs and their own entries (books_hidden)',
    oneOf: [
      object({ ...countHeader, books_hidden: { type: 'boolean', const: false }, ...varianceReport }),
      object({
        ...countHeader, books_hidden: { type: 'boolean', const: true },
        lines: arrayOf(object({ sku: str(), your_counts: arrayOf(counted) })),
      }),
    ],
  },

  OrderLine: object({
    line: int(), sku: nullable(str('null for a channel line that maps to no item')), channel_line_id: nullable(str()),
    quantity: count(), allocated: count('Held or committed, not yet shipped'), shipped: count(), cancelled: count(), backordered: count('Waiting for stock'), returned: count(),
    unmapped: str('Why the line was not allocated'),
  }, ['unmapped']),
  Order: object(orderProps, [], { description: 'An order as lists show it' }),
  OrderFirstFit: object({
    strategy: oneOf(['first_fit']), candidates: nullable(arrayOf(str())), reason: str(),
  }, [], { description: 'How a channel order was allocated without routing' }),
  OrderDetail: object({
    ...orderProps,
    candidates: nullable(arrayOf(str(), { description: 'Location codes it may be allocated from, best first' })),
    returns: arrayOf(object({ id: str(), number: str(), state: oneOf(RETURN_STATES), location: str() })),
    routing: { anyOf: [ref('RouteDecision'), ref('OrderFirstFit'), { type: 'null' }], description: 'How its locations were chosen; null when nothing chose' },
    allocations: arrayOf(object({
      hold_id: str(), hold_state: oneOf(HOLD_STATES), line: nullable(int('The order line it serves')), location: str(), sku: str(),
      bundle_sku: str('The bundle this is a component of'), quantity: count(), shipped: count(), oversold: count(),
    }, ['bundle_sku'])),
    shipments: arrayOf(object({ id: str(), location: str(), lines: arrayOf(object({ line: int(), quantity: count() })), created_at: dateTime() })),
    movements: arrayOf(ref('Movement')),
    movements_truncated: bool('More movements than shown: page them with GET /v1/movements?reference='),
    exceptions: arrayOf(object({
      id: str(), kind: oneOf(EXCEPTION_KINDS), state: oneOf(EXCEPTION_STATES), quantity: nullable(int()), hold_id: nullable(str()), message: str(), created_at: dateTime(),
    })),
  }, [], { description: 'An order with its allocation per location, shipments, movements, exceptions and routing' }),
} as const;

// ---------------------------------------------------------------------------------------------
// Answers, per route
// ---------------------------------------------------------------------------------------------

const withMovements = (key: string, name: string) => object({ [key]: ref(name), movements: arrayOf(ref('Movement'), { description: 'The movements this step wrote' }) });
const withHistory = (key: string, name: string) =>
  object({ [key]: ref(name), movements: arrayOf(ref('Movement'), { description: 'Its movements, oldest first' }), movements_truncated: bool('More than shown: page them with GET /v1/movements?reference=') });

export const documentAnswers = {
  purchaseOrders: described('A page of purchase orders', page(ref('PurchaseOrder'))),
  purchaseOrder: described('The purchase order and its movements', withHistory('purchase_order', 'PurchaseOrder')),
  purchaseOrderOpened: described('The new purchase order and the movements that made its units incoming', withMovements('purchase_order', 'PurchaseOrder')),
  purchaseOrderStep: described('The purchase order as it now is, and the movements of this step', withMovements('purchase_order', 'PurchaseOrder')),
  transfers: described('A page of transfers', page(ref('Transfer'))),
  transfer: described('The transfer and its movements', withHistory('transfer', 'Transfer')),
  transferShipped: described('The new transfer, shipped, and its movements', withMovements('transfer', 'Transfer')),
  transferStep: described('The transfer as it now is, and the movements of this step', withMovements('transfer', 'Transfer')),

  returnOpened: described('The new return', object({ return: ref('Return') })),
  returns: described('A page of returns', page(ref('Return'))),
  return: described('The return', object({ return: ref('Return') })),
  returnStep: described('The return as it now is, and the movements of this step', withMovements('return', 'Return')),

  countOpened: described('The new count', object({ count: ref('Count') })),
  counts: described('A page of counts', page(ref('CountSummary'))),
  count: described('The count', object({ count: ref('Count') })),
  variances: described('The variance report of the count', object({ count_id: str(), number: str(), state: oneOf(COUNT_STATES), ...varianceReport })),
  countEntered: described('The count with the entries recorded', object({ count: ref('Count') })),
  countPosted: described('Posted: the count and its cycle_count movements', withMovements('count', 'Count')),
  countAwaiting: described('A variance over the threshold, posted by a non-admin: the count now awaits an admin\'s approval; nothing was booked (movements is empty)', withMovements('count', 'Count')),
  countCancelled: described('The cancelled count', object({ count: ref('Count') })),
  countSettings: described('The workspace\'s variance thresholds', object({ settings: ref('CountThresholds') })),

  orderPlaced: described('The new order', object({ order: ref('OrderDetail') })),
  orderExisting: described('A channel order whose channel and reference are already recorded: the first one, unchanged', object({ order: ref('OrderDetail') })),
  orders: described('A page of orders, newest first', page(ref('Order'))),
  order: described('The order', object({ order: ref('OrderDetail') })),
  orderStep: described('The order as it now is', object({ order: ref('OrderDetail') })),
};
