// /v1 routes: the workspace's routing rules, and what-if routing under proposed rules (writes nothing).

import type { FastifyInstance } from 'fastify';
import { getRules, putRules, whatIf, WHAT_IF_ORDERS_MAX, type WhatIfOrder } from '../app/routing-rules.ts';
import type { Truestock } from '../app/truestock.ts';
import { HOLD_LINES_MAX, HOLD_LOCATIONS_MAX } from '../domain/commands.ts';
import { refusal, TruestockError } from '../domain/errors.ts';
import { MAX_SHIPMENTS_LIMIT, SERVICE_LEVELS } from '../domain/routing.ts';
import { RULE_LOCATIONS_MAX, SHIPPING_LEVELS, TRANSIT_BANDS_MAX, TRANSIT_DAYS_MAX } from '../domain/routing-rules.ts';
import type { RouteKit } from './routes.ts';
import { WHAT_IF_ROUTING } from './availability-responses.ts';
import * as r from './response-schemas.ts';
import { sku } from './schemas.ts';

const object = (properties: Record<string, unknown>, required: string[] = [], description?: string) =>
  ({ type: 'object', additionalProperties: false, properties, required, ...(description ? { description } : {}) }) as const;
const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });

const band = object({
  max_km: { type: ['number', 'null'], minimum: 0, description: 'Up to this distance (km); null in the last band: any distance' },
  days: { type: ['integer', 'null'], minimum: 0, maximum: TRANSIT_DAYS_MAX, description: 'Transit days; null: cannot ship this far' },
}, ['max_km', 'days']);
const bands = nullable({ type: 'array', minItems: 1, maxItems: TRANSIT_BANDS_MAX, items: band, description: 'Distance bands in ascending max_km; beyond the last band the level cannot ship' });
const transitTable = object(Object.fromEntries(SHIPPING_LEVELS.map((l) => [l, bands])), [], 'Transit days per service level, as distance bands; null for a level: cannot ship it');
const locationRules = object({
  priority: { type: 'number', minimum: 0, description: 'Lower ranks first (default 100)' },
  cost: { type: 'number', minimum: 0, description: 'Lower ranks first (default 0)' },
  transit: transitTable,
});
const rulesDoc = object({
  max_shipments: { type: 'integer', minimum: 1, maximum: MAX_SHIPMENTS_LIMIT, description: 'Most shipments an order is split into' },
  transit: transitTable,
  locations: { type: 'object', maxProperties: RULE_LOCATIONS_MAX, additionalProperties: locationRules, description: 'Per location code: priority, cost, transit overrides' },
}, [], 'Routing rules; parts left out take the defaults (docs/routing.md)');
const rulesAnswer = (description: string) =>
  r.described(description, r.object({ rules: r.ref('RoutingRules'), updated_at: r.nullable(r.dateTime('null: the defaults, never set')) }));

const code = { type: 'string', minLength: 1, maxLength: 100 };
const whatIfOrder = object({
  lines: { type: 'array', minItems: 1, maxItems: HOLD_LINES_MAX, items: object({ sku, quantity: { type: 'integer', minimum: 1 } }, ['sku', 'quantity']) },
  service_level: { type: 'string', enum: [...SERVICE_LEVELS] },
  ship_to: nullable(object({ postal_code: { type: ['string', 'null'], maxLength: 20 }, country: { type: ['string', 'null'], maxLength: 2, description: 'US or CA for a known distance' } })),
  pickup_location: { type: ['string', 'null'], maxLength: 100, description: 'The store a pickup order is collected at' },
  promise_days: { type: ['integer', 'null'], minimum: 0, description: 'Days the promise allows from now' },
  candidates: { type: 'array', maxItems: HOLD_LOCATIONS_MAX, items: code, description: 'Location codes the order may ship from; every location when absent' },
  fulfilled_by_channel: { type: 'boolean', description: 'The channel fulfils it (FBA): only channel-managed locations ship it' },
}, ['lines', 'service_level']);
const whatIfBody = object({
  rules: { type: 'object', description: 'Proposed routing rules (same shape as PUT /v1/routing/rules); absent: only the current rules' },
  orders: { type: 'array', minItems: 1, maxItems: WHAT_IF_ORDERS_MAX, items: whatIfOrder },
  open_orders: { type: 'boolean', description: `true: the workspace's open orders (the newest ${WHAT_IF_ORDERS_MAX}) instead of orders: their units not yet shipped, counting what each already holds as its own` },
});

export function registerRoutingRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {
  const { read, mutation, route, write } = kit;
  const tags = ['routing'];

  app.get('/routing/rules', route('read', tags, "The workspace's routing rules (the defaults until set)", { response: { 200: rulesAnswer("The workspace's routing rules") } }), (req) =>
    read((db) => getRules(db, req.principal.workspaceId)));
  app.put<{ Body: unknown }>('/routing/rules', write('admin', tags, 'Replace the routing rules: per location priority, cost and transit bands per service level, workspace defaults, max shipments', rulesDoc, { response: { 200: rulesAnswer('The rules as saved, missing parts filled with the defaults') } }), (req, reply) =>
    mutation(req, reply, (db, now) => putRules(db, req.principal.workspaceId, req.body, now)));
  app.post<{ Body: { rules?: unknown; orders?: WhatIfOrder[]; open_orders?: boolean } }>(
    '/routing/what-if',
    route('read', tags, 'How orders (given, or the open ones) would route under the current rules and under proposed ones, with every candidate\'s verdict and reasons. Writes nothing.', {
      body: whatIfBody, response: { 200: r.described('Each order routed under the current rules and, when given, the proposed ones', WHAT_IF_ROUTING) },
    }),
    async (req) => {
      const { orders, open_orders: open } = req.body;
      if ((orders === undefined) === (open !== true)) {
        throw new TruestockError(refusal('validation_failed', 'give either orders or open_orders: true', orders === undefined ? 'orders' : 'open_orders'));
      }
      const out = await whatIf(ts, req.principal.workspaceId, open === true ? 'open' : orders!, req.body.rules);
      if ('code' in out) throw new TruestockError(out);
      return out;
    },
  );
}
