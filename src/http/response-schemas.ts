// JSON Schemas for what the API answers: the shapes a generated client is built from. Shared
// resources (an item, a location, a hold, a movement, a stock level) are named components,
// registered once on the server (`registerResponseSchemas`) and referenced with `ref('Item')`;
// shapes of one route live next to that route's module (`*-responses.ts`).
//
// Schemas here describe, they never reshape: server.ts serializes answers with JSON.stringify,
// and the tests hold every answer of the HTTP suite to these schemas, each object closed
// (test/support/response-contract.ts), so a field the server sends and no schema lists fails.

import type { FastifyInstance } from 'fastify';
import { BUCKETS, EXTERNAL_ACCOUNTS } from '../domain/buckets.ts';
import { ADJUST_REASONS } from '../domain/commands.ts';
import { HOLD_STATES, ITEM_KINDS, LOCATION_KINDS } from '../domain/model.ts';
import { PROBLEM_SCHEMA } from './openapi-contract.ts';

type Schema = Record<string, unknown>;

/** An object whose listed properties are all required unless named in `optional`. */
export const object = (properties: Record<string, unknown>, optional: string[] = [], extra: Schema = {}): Schema =>
  ({ type: 'object', properties, required: Object.keys(properties).filter((k) => !optional.includes(k)), ...extra });
export const nullable = (schema: Schema): Schema => {
  const { type, ...rest } = schema;
  if (type === undefined) return { anyOf: [schema, { type: 'null' }] };
  // An enum lists every value the field takes, null too.
  const values = Array.isArray(rest.enum) ? { enum: [...rest.enum, null] } : {};
  return { ...rest, ...values, type: [...(Array.isArray(type) ? type : [type]), 'null'] };
};
export const arrayOf = (items: unknown, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
export const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
export const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
export const count = (description?: string): Schema => ({ type: 'integer', minimum: 0, ...(description ? { description } : {}) });
export const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
export const oneOf = (values: readonly string[], description?: string): Schema => ({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
export const dateTime = (description?: string): Schema => ({ type: 'string', format: 'date-time', ...(description ? { description } : {}) });
/** A free-form JSON object (settings, a channel's own payload). */
export const freeForm = (description?: string): Schema => ({ type: 'object', additionalProperties: true, ...(description ? { description } : {}) });
/** A reference to a named component: `ref('Item')` → `#/components/schemas/Item`. */
export const ref = (name: string): Schema => ({ $ref: `${name}#` });
/** A response with its description: `response: { 201: described('The new item', schema) }`. */
export const described = (description: string, schema: Schema): Schema => ({ description, ...schema });
/** A problem+json answer a route gives beyond the ones every operation declares (openapi-contract.ts). */
export const problem = (description: string): Schema => ({ description, content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } });

/** The fields an answer holding a new secret adds (list `secret_note` as optional): the secret, and in a replay why it is null. */
export const shownOnceFields = (what: string): Record<string, Schema> => ({
  secret: nullable(str(`${what}: in the first answer only, never shown again; null in a replay of the same Idempotency-Key (see secret_note)`)),
  secret_note: str('In a replay only: why `secret` is null (docs/security.md)'),
});

/** One page of a list: `data` and the cursor of the next page (null on the last). */
export const page = (items: unknown, extra: Record<string, unknown> = {}): Schema =>
  object({ data: arrayOf(items), next_cursor: nullable(str('Pass as `cursor` for the next page; null on the last page')), ...extra });

/**
 * An item's fields, for answers that add some to it (`object({ ...ITEM_PROPERTIES, stock })`):
 * the tests check objects closed, so `allOf: [Item, extra]` would refuse the extra fields.
 */
export const ITEM_PROPERTIES = {
  id: str(), sku: str(), name: str(), barcode: nullable(str()), archived: bool(),
  kind: oneOf(ITEM_KINDS), product_id: nullable(str('The product this item is a variant of')),
  options: nullable({ type: 'object', additionalProperties: { type: 'string' }, description: 'One value per option name of the product' }),
  units_per_case: nullable(int()), requires_inspection: bool(), skip_return_inspection: bool(), stocks_prebuilt: bool(),
  created_at: dateTime(), updated_at: dateTime(),
};

/** Every bucket of a stock level, its oversold debt and on_hand (what the building holds). */
export const STOCK_COUNTS = Object.fromEntries([...BUCKETS, 'oversold', 'on_hand'].map((b) => [b, int()]));

const COMPONENTS = {
  Problem: PROBLEM_SCHEMA,
  Item: object(ITEM_PROPERTIES),
  Location: object({
    id: str(), code: str(), name: str(), kind: oneOf(LOCATION_KINDS), postal_code: nullable(str()), country: nullable(str('ISO 3166-1 alpha-2')),
    ships_online: bool(), pickup: bool(), requires_inspection: bool(), created_at: dateTime(), updated_at: dateTime(),
  }),
  Movement: object({
    id: str(), sku: str(), location: str('Location code'),
    from: oneOf([...BUCKETS, 'oversold', ...EXTERNAL_ACCOUNTS], 'The account the units left'), to: oneOf([...BUCKETS, 'oversold', ...EXTERNAL_ACCOUNTS], 'The account the units entered'),
    quantity: int(), command: str('The command or document step that made it (receive, reserve, adjust, transfer_receive, count_post…)'),
    reason: nullable(str(`Why: an adjust reason (${ADJUST_REASONS.join(', ')}) or the step's own (oversold, ring_fence_draw, transfer_out, damaged_on_receipt, po_short_closed…)`)),
    reference: nullable(str('The document or order it belongs to')), note: nullable(str()),
    hold_id: nullable(str('The hold whose units it moved (absent in a purchase order\'s or transfer\'s own movements)')), actor: str('The API key, user or worker that acted'),
    actor_name: str('The actor\'s name, when it is known'), created_at: dateTime(),
  }, ['actor_name', 'hold_id']),
  HoldLine: object({
    line: int(), sku: str(), location: str('Location code'), quantity: count(), shipped: count(), oversold: count('Units promised beyond what was available'),
    bundle_sku: str('The bundle this line is a component of'),
  }, ['bundle_sku']),
  Hold: object({
    id: str(), state: oneOf(HOLD_STATES), reference: nullable(str()), order_reference: nullable(str()), channel_id: nullable(str()),
    expires_at: nullable(dateTime('When an active hold is released by itself')), created_at: dateTime(), updated_at: dateTime(), lines: arrayOf(ref('HoldLine')),
  }),
  StockLevel: object({ sku: str(), location: str('Location code'), ...STOCK_COUNTS, updated_at: dateTime() }),
  StockTotals: object(STOCK_COUNTS, [], { description: 'Every bucket summed over the locations' }),
  BundleComponent: object({ sku: str(), item_id: str(), quantity: int('Units of this item in one unit of the bundle or multipack') }),
} as const;

/** Make the named components known to Fastify (and so to /openapi.json, under their names). */
export function registerResponseSchemas(app: FastifyInstance, ...areas: Record<string, Schema>[]): void {
  const seen = new Set<string>();
  for (const area of [COMPONENTS, ...areas]) {
    for (const [name, schema] of Object.entries(area)) {
      // Two areas naming one component would silently describe one of them wrongly.
      if (seen.has(name)) throw new Error(`response component ${name} is declared twice`);
      seen.add(name);
      app.addSchema({ $id: name, title: name, ...schema });
    }
  }
}

/** The stock command answer: the levels it left and the movements it wrote. */
export const stockAnswer = object({ stock_level: ref('StockLevel'), movements: arrayOf(ref('Movement')) });
