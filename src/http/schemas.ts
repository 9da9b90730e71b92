// JSON Schemas for request bodies and queries. They serve validation and the OpenAPI document.
// Bodies reject unknown fields, so a typo ("quantitty") is an error, not a silent default.

import { MOVABLE_BUCKETS } from '../domain/buckets.ts';
import { ADJUST_REASONS, HOLD_LINES_MAX, HOLD_LOCATIONS_MAX, HOLD_TIMEOUT_MAX_MS } from '../domain/commands.ts';
import { BARCODE_LENGTH_MAX, BUNDLE_COMPONENTS_MAX, CODE_LENGTH_MAX, COMPONENT_QUANTITY_MAX, NAME_LENGTH_MAX, OPTION_LENGTH_MAX, PRODUCT_OPTIONS_MAX, SKU_LENGTH_MAX, UNITS_PER_CASE_MAX } from '../domain/catalog-rules.ts';
import { EXCEPTION_KINDS, HOLD_STATES, ITEM_KINDS, LOCATION_KINDS, ROLES } from '../domain/model.ts';
import { PAGE_LIMIT_MAX } from '../app/queries.ts';
import { ITEM_SEARCH_LENGTH_MAX } from '../app/item-list.ts';
import { ITEM_SORTS, ITEM_STOCK_FILTERS } from '../store/item-list-repo.ts';

const QUANTITY_MAX = 1_000_000_000;

export const sku = { type: 'string', minLength: 1, maxLength: SKU_LENGTH_MAX } as const;
export const code = { type: 'string', minLength: 1, maxLength: CODE_LENGTH_MAX } as const;
const quantity = { type: 'integer', minimum: 1, maximum: QUANTITY_MAX } as const;
const text = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;
const reference = text(200);
const note = text(1000);

const object = (properties: Record<string, unknown>, required: string[] = []) =>
  ({ type: 'object', additionalProperties: false, properties, required }) as const;

const itemProps = {
  name: { type: 'string', minLength: 1, maxLength: NAME_LENGTH_MAX },
  barcode: text(BARCODE_LENGTH_MAX),
  archived: { type: 'boolean' },
  product_id: { type: ['string', 'null'], minLength: 1, maxLength: 100, description: 'The product this item is a variant of' },
  options: {
    type: ['object', 'null'],
    maxProperties: PRODUCT_OPTIONS_MAX,
    additionalProperties: { type: 'string', minLength: 1, maxLength: OPTION_LENGTH_MAX },
    description: "One value per option name of the product, e.g. {\"Size\": \"M\"}",
  },
  units_per_case: { type: ['integer', 'null'], minimum: 1, maximum: UNITS_PER_CASE_MAX },
  requires_inspection: { type: 'boolean', description: 'Received units go to quality_control first' },
  skip_return_inspection: { type: 'boolean', description: 'Returned units go straight back to available' },
  stocks_prebuilt: { type: 'boolean', description: 'Bundles and multipacks: pre-assembled units are kept in stock and sold before more are built from components' },
};
export const componentsSchema = {
  type: 'array',
  minItems: 1,
  maxItems: BUNDLE_COMPONENTS_MAX,
  items: object({ sku, quantity: { type: 'integer', minimum: 1, maximum: COMPONENT_QUANTITY_MAX } }, ['sku', 'quantity']),
} as const;
export const itemBody = object(
  { sku, ...itemProps, kind: { type: 'string', enum: [...ITEM_KINDS] }, components: { ...componentsSchema, description: 'Bundles and multipacks only: the standard items one unit is made of' } },
  ['sku', 'name'],
);
export const itemPatch = object(itemProps);

const locationProps = {
  name: { type: 'string', minLength: 1, maxLength: NAME_LENGTH_MAX },
  kind: { type: 'string', enum: [...LOCATION_KINDS] },
  postal_code: text(32),
  country: { type: ['string', 'null'], pattern: '^[A-Z]{2}$' },
  ships_online: { type: 'boolean' },
  pickup: { type: 'boolean' },
  requires_inspection: { type: 'boolean', description: 'Everything received here goes to quality_control first' },
};
export const locationBody = object({ code, ...locationProps }, ['code', 'name', 'kind']);
export const locationPatch = object(locationProps);

export const receiveBody = object({ sku, location: code, quantity, into: { type: 'string', enum: ['available', 'quality_control'] }, reference, note }, ['sku', 'location', 'quantity']);
export const adjustBody = object(
  { sku, location: code, delta: { type: 'integer', minimum: -QUANTITY_MAX, maximum: QUANTITY_MAX, not: { const: 0 } }, bucket: { type: 'string', enum: [...MOVABLE_BUCKETS] }, reason: { type: 'string', enum: [...ADJUST_REASONS] }, reference, note },
  ['sku', 'location', 'delta', 'reason'],
);
export const moveBody = object({ sku, location: code, quantity, from: { type: 'string', enum: [...MOVABLE_BUCKETS] }, to: { type: 'string', enum: [...MOVABLE_BUCKETS] }, reference, note }, ['sku', 'location', 'quantity', 'from', 'to']);
export const safetyStockBody = object({ sku, location: code, quantity: { type: 'integer', minimum: 0, maximum: QUANTITY_MAX }, reference, note }, ['sku', 'location', 'quantity']);
export const countBody = object({ sku, location: code, counted: { type: 'integer', minimum: 0, maximum: QUANTITY_MAX }, reference, note }, ['sku', 'location', 'counted']);

const lines = { type: 'array', minItems: 1, maxItems: HOLD_LINES_MAX, items: object({ sku, quantity, location: code }, ['sku', 'quantity']) } as const;
const locations = { type: 'array', maxItems: HOLD_LOCATIONS_MAX, items: code } as const;
const expiresIn = { type: 'integer', minimum: 1_000, maximum: HOLD_TIMEOUT_MAX_MS } as const;

const channel = { type: 'string', minLength: 1, maxLength: 100, description: 'The channel id the cart or order came from' };
export const reserveBody = object({ lines, locations, expires_in_ms: expiresIn, reference, channel }, ['lines']);
const channelAccepted = {
  type: 'boolean',
  description: 'Required, never defaulted. true: the channel already took the order — it is allocated even when stock is short, the shortfall oversold and raised as an exception. false: placed by staff or a checkout — a short line is refused (insufficient_stock).',
} as const;
export const allocationBody = object({
  lines, locations, order_reference: { type: 'string', minLength: 1, maxLength: 200 }, channel_accepted: channelAccepted, channel,
  // A channel's order terms (wholesale, docs/wholesale.md) look at these; the ledger does not.
  customer: { type: 'string', minLength: 1, maxLength: 200, description: "The customer's reference at the channel (wholesale: whose minimum applies)" },
  requested_ship_date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD: when the customer wants it shipped (wholesale: at least the lead time away)' },
}, ['lines', 'order_reference', 'channel_accepted']);
export const extendBody = object({ expires_in_ms: expiresIn }, ['expires_in_ms']);
export const allocateBody = object({ order_reference: { type: 'string', minLength: 1, maxLength: 200 } }, ['order_reference']);
export const shipBody = object({ lines: { type: 'array', minItems: 1, maxItems: HOLD_LINES_MAX, items: object({ line: { type: 'integer', minimum: 1 }, quantity }, ['line', 'quantity']) } });
export const emptyBody = { anyOf: [object({}), { type: 'null' }] } as const;
export const apiKeyBody = object({ name: { type: 'string', minLength: 1, maxLength: 100 }, role: { type: 'string', enum: [...ROLES] } }, ['name', 'role']);

export const idParam = object({ id: { type: 'string', minLength: 1, maxLength: 100 } }, ['id']);
export const skuParam = object({ sku }, ['sku']);

const cursor = { type: 'string', maxLength: 200 } as const;
const limit = { type: 'integer', minimum: 1, maximum: PAGE_LIMIT_MAX } as const;
export const pageQuery = object({ cursor, limit });
export const itemsQuery = object({
  cursor,
  limit,
  include_archived: { type: 'boolean', description: 'List archived items too' },
  archived: { type: 'boolean', description: 'true: only archived items; false: none (the default)' },
  sort: { type: 'string', enum: [...ITEM_SORTS], description: 'The column to sort by (default id); numbers are totals, or at `location`' },
  order: { type: 'string', enum: ['asc', 'desc'] },
  location: { ...code, description: 'A location code: the numbers at that location, and only items with stock there' },
  kind: { type: 'string', enum: [...ITEM_KINDS] },
  product: { type: 'string', minLength: 1, maxLength: 100, description: 'A product id: its variants' },
  stock: { type: 'string', enum: [...ITEM_STOCK_FILTERS], description: 'in_stock, out_of_stock (available 0), oversold, low_stock (available at or below a low_stock threshold)' },
  q: { type: 'string', maxLength: ITEM_SEARCH_LENGTH_MAX, description: 'Text found in the SKU, name or barcode (any case)' },
});
export const holdsQuery = object({ cursor, limit, state: { type: 'string', enum: [...HOLD_STATES] } });
export const exceptionsQuery = object({
  cursor,
  limit,
  state: { type: 'string', enum: ['open', 'acknowledged', 'resolved'] },
  kind: { type: 'string', enum: [...EXCEPTION_KINDS], description: 'A kind from GET /v1/exceptions/kinds' },
  sku,
  location: code,
  channel: { type: 'string', maxLength: 100, description: 'Channel id' },
  owner: { type: 'string', maxLength: 100, description: 'A user id (GET /v1/exceptions/owners)' },
  older_than_hours: { type: 'number', minimum: 0, maximum: 100_000 },
});
export const movementsQuery = object({
  cursor,
  limit,
  sku,
  location: code,
  reference: { type: 'string', maxLength: 200 },
  reason: { type: 'string', maxLength: 64 },
  command: { type: 'string', maxLength: 64 },
  since: { type: 'string', format: 'date-time' },
  until: { type: 'string', format: 'date-time' },
});
