// /v1 routes. Resources are plural nouns; actions on a hold are sub-resources
// (`/holds/{id}/allocate`). Mutations need an Idempotency-Key; lists use cursors.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiKeyView, createApiKey } from '../app/access.ts';
import { itemComponents } from '../app/bundles.ts';
import * as catalog from '../app/catalog.ts';
import { allocateChannelOrder, type OrderExtras } from '../app/channel-order-terms.ts';
import { fingerprint } from '../app/fingerprint.ts';
import { idempotent, shownOnce, type Written } from '../app/idempotent.ts';
import { holdsOfSku, type ItemListParams, listItemsWithNumbers } from '../app/item-list.ts';
import type { CommandResponse, DocumentStep } from '../app/ledger.ts';
import { exceptions, type ExceptionQuery } from '../app/exceptions.ts';
import * as queries from '../app/queries.ts';
import type { Truestock } from '../app/truestock.ts';
import { verify } from '../app/verify.ts';
import { locationView } from '../app/views.ts';
import type { AllocateOrderCommand, StockCommand } from '../domain/commands.ts';
import { type Refusal, TruestockError } from '../domain/errors.ts';
import type { HoldState, Role } from '../domain/model.ts';
import { listApiKeys, revokeApiKey } from '../store/access-repo.ts';
import { getLocation, listLocations } from '../store/catalog-repo.ts';
import type { Db } from '../store/store.ts';
import { registerAvailabilityRoutes } from './availability-routes.ts';
import { registerCatalogRoutes } from './catalog-routes.ts';
import { registerImportRoutes } from './import-routes.ts';
import { registerListingEventRoutes } from './listing-event-routes.ts';
import { registerOrderRoutes } from './order-routes.ts';
import { registerPurchasingRoutes } from './purchasing-routes.ts';
import { registerReturnAndCountRoutes } from './return-count-routes.ts';
import { registerRoutingRoutes } from './routing-routes.ts';
import { registerWebhookRoutes } from './webhook-routes.ts';
import { registerSyncRoutes } from './sync-routes.ts';
import { registerDashboardRoutes } from './dashboard-routes.ts';
import { registerAlertRoutes } from './alert-routes.ts';
import { registerWorkspaceAdminRoutes } from './workspace-admin-routes.ts';
import * as s from './schemas.ts';
import * as r from './response-schemas.ts';
import { core } from './core-responses.ts';

const idempotencyHeader = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', description: 'Required on every mutation. The same key and body replay the first response; the same key with another body is a 409.' } },
} as const;

export function idempotencyKey(req: FastifyRequest): string {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || key.length === 0) {
    throw TruestockError.of('idempotency_key_required', 'send an Idempotency-Key header (any unique string, e.g. a UUID) with every mutation', 'Idempotency-Key');
  }
  return key;
}

function send(reply: FastifyReply, r: CommandResponse) {
  if (r.replayed) reply.header('idempotent-replayed', 'true');
  if (!r.ok) throw new TruestockError(r.refusal);
  return reply.code(r.status).send(r.body);
}

export const notFound = (what: string, id: string) => TruestockError.of('not_found', `no ${what} ${id} in this workspace`);

export type Params = { id: string };

/** What every route module uses: reads, the three kinds of writes, and route options. */
export interface RouteKit {
  read<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** A stock command through the ledger (group commit, idempotency in the same transaction). */
  command(req: FastifyRequest, reply: FastifyReply, cmd: StockCommand): Promise<FastifyReply>;
  /** A step of a warehouse document through the ledger, alone in its transaction. */
  document(req: FastifyRequest, reply: FastifyReply, step: DocumentStep): Promise<FastifyReply>;
  /** A catalog, document-header or access mutation, idempotent on method, route, params and body. */
  mutation(req: FastifyRequest, reply: FastifyReply, fn: (db: Db, now: number) => Promise<Written | Refusal>): Promise<FastifyReply>;
  route(role: Role, tags: string[], summary: string, extra?: Record<string, unknown>): { config: { role: Role }; schema: Record<string, unknown> };
  write(role: Role, tags: string[], summary: string, body: unknown, extra?: Record<string, unknown>): { config: { role: Role }; schema: Record<string, unknown> };
}

export function routeKit(ts: Truestock): RouteKit {
  const route = (role: Role, tags: string[], summary: string, extra: Record<string, unknown> = {}) => ({
    config: { role },
    schema: { tags, summary, ...extra },
  });
  const who = (req: FastifyRequest) => ({ workspaceId: req.principal.workspaceId, idempotencyKey: idempotencyKey(req), actor: req.principal.keyId });
  return {
    read: (fn) => ts.store.read(fn),
    command: (req, reply, cmd) => ts.ledger.execute({ ...who(req), command: cmd }).then((r) => send(reply, r)),
    document: (req, reply, step) => ts.ledger.executeDocument(who(req), step).then((r) => send(reply, r)),
    mutation: (req, reply, fn) =>
      idempotent(ts.store, ts.clock, req.principal.workspaceId, idempotencyKey(req), fingerprint({ m: req.method, r: req.routeOptions.url, p: req.params, b: req.body }), fn).then((r) => send(reply, r)),
    route,
    // A DELETE has no body: leave `body` out rather than undefined, which Fastify warns about.
    write: (role, tags, summary, body, extra = {}) => route(role, tags, summary, { ...(body === undefined ? {} : { body }), headers: idempotencyHeader, ...extra }),
  };
}

export function registerRoutes(app: FastifyInstance, ts: Truestock): void {
  const kit = routeKit(ts);
  const { read, command, mutation, route, write } = kit;

  // Items
  app.get<{ Querystring: ItemListParams }>(
    '/items',
    route('read', ['items'], 'List items with their numbers (on hand, available, committed, incoming: totals, or at a location), filtered, searched by SKU, name or barcode, sorted by any column', { querystring: s.itemsQuery, response: { 200: core.itemList } }),
    (req) => read((db) => listItemsWithNumbers(db, req.principal.workspaceId, req.query)),
  );
  app.post<{ Body: catalog.ItemCreate }>('/items', write('operate', ['items'], 'Create an item', s.itemBody, { response: { 201: r.described('The new item, with its components when it is a bundle or multipack', r.object({ item: r.ref('Item'), components: r.arrayOf(r.ref('BundleComponent')) }, ['components'])) } }), (req, reply) =>
    mutation(req, reply, (db, now) => catalog.createItem(db, req.principal.workspaceId, req.body, now)));
  app.get<{ Params: Params }>('/items/:id', route('read', ['items'], 'Get an item, with its components or the bundles it is part of', { params: s.idParam, response: { 200: core.itemDetail } }), async (req) => {
    const found = await read((db) => itemComponents(db, req.principal.workspaceId, req.params.id));
    if (!found) throw notFound('item', req.params.id);
    const { item, components, used_in } = found;
    return { item: { ...item, ...(item.kind === 'standard' ? { used_in } : { components }) } };
  });
  app.patch<{ Params: Params; Body: catalog.ItemPatch }>('/items/:id', write('operate', ['items'], 'Rename, re-barcode or archive an item', s.itemPatch, { params: s.idParam, response: { 200: core.item } }), (req, reply) =>
    mutation(req, reply, (db, now) => catalog.updateItem(db, req.principal.workspaceId, req.params.id, req.body, now)));
  app.get<{ Params: Params }>('/items/:id/stock', route('read', ['stock'], "An item's stock at every location, every bucket", { params: s.idParam, response: { 200: core.itemStock } }), async (req) => {
    const stock = await read((db) => queries.stockByItemId(db, req.principal.workspaceId, req.params.id));
    if (!stock) throw notFound('item', req.params.id);
    return stock;
  });
  app.get<{ Params: { sku: string }; Querystring: { cursor?: string; limit?: number } }>('/stock/:sku/holds', route('read', ['holds'], 'Holds with a line of this SKU, newest first', { params: s.skuParam, querystring: s.pageQuery, response: { 200: core.holdPage } }), async (req) => {
    const found = await read((db) => holdsOfSku(db, req.principal.workspaceId, req.params.sku, req.query));
    if (!found) throw notFound('item with SKU', req.params.sku);
    return found;
  });
  app.get<{ Params: { sku: string } }>('/stock/:sku', route('read', ['stock'], "An item's stock by SKU", { params: s.skuParam, response: { 200: core.itemStock } }), async (req) => {
    const stock = await read((db) => queries.stockBySku(db, req.principal.workspaceId, req.params.sku));
    if (!stock) throw notFound('item with SKU', req.params.sku);
    return stock;
  });

  // Locations
  app.get<{ Querystring: { cursor?: string; limit?: number } }>('/locations', route('read', ['locations'], 'List locations', { querystring: s.pageQuery, response: { 200: core.locationPage } }), async (req) => {
    const limit = req.query.limit ?? queries.PAGE_LIMIT_DEFAULT;
    const rows = await read((db) => listLocations(db, req.principal.workspaceId, { limit, ...(req.query.cursor ? { after: queries.decodeCursor(req.query.cursor) } : {}) }));
    return queries.page(rows, limit, (l) => l.id, locationView);
  });
  app.post<{ Body: catalog.LocationCreate }>('/locations', write('admin', ['locations'], 'Create a location', s.locationBody, { response: { 201: core.location('The new location') } }), (req, reply) =>
    mutation(req, reply, (db, now) => catalog.createLocation(db, req.principal.workspaceId, req.body, now)));
  app.get<{ Params: Params }>('/locations/:id', route('read', ['locations'], 'Get a location', { params: s.idParam, response: { 200: core.location('The location') } }), async (req) => {
    const loc = await read((db) => getLocation(db, req.principal.workspaceId, req.params.id));
    if (!loc) throw notFound('location', req.params.id);
    return { location: locationView(loc) };
  });
  app.patch<{ Params: Params; Body: catalog.LocationPatch }>('/locations/:id', write('admin', ['locations'], 'Change a location', s.locationPatch, { params: s.idParam, response: { 200: core.location('The location as changed') } }), (req, reply) =>
    mutation(req, reply, (db, now) => catalog.updateLocation(db, req.principal.workspaceId, req.params.id, req.body, now)));

  // Stock commands
  const levelAnswer = { 200: r.described('The stock level the command left and the movements it wrote', r.stockAnswer) };
  const stockCommand = (path: string, type: StockCommand['type'], summary: string, body: unknown, response: Record<number, unknown> = levelAnswer) =>
    app.post<{ Body: Record<string, unknown> }>(path, write('operate', ['stock'], summary, body, { response }), (req, reply) => command(req, reply, { ...req.body, type } as StockCommand));
  stockCommand('/stock/receive', 'receive', 'Receive units into available or quality_control', s.receiveBody);
  stockCommand('/stock/adjust', 'adjust', 'Adjust a bucket up or down with a reason code', s.adjustBody);
  stockCommand('/stock/move', 'move', 'Move units between available, damaged, quality_control and safety_stock', s.moveBody);
  stockCommand('/stock/safety-stock', 'set_safety_stock', 'Set the safety stock of a stock level', s.safetyStockBody);
  stockCommand('/stock/count', 'count', 'Record a counted on_hand; the difference becomes a variance movement', s.countBody);

  // Holds and allocations
  stockCommand('/holds', 'reserve', 'Reserve lines (all or none) at a location or the first of a list that can cover each line', s.reserveBody, { 201: core.holdAnswer('The new active hold and the movements that reserved its units') });
  // An order for a channel meets its kind's order terms first (wholesale: docs/wholesale.md).
  app.post<{ Body: Record<string, unknown> & OrderExtras }>('/allocations', write('operate', ['stock'], 'Allocate an order without a prior hold. channel_accepted is required: true for an order the channel already took (never refused: oversold and raised), false for staff (refused when short)', s.allocationBody, {
    response: { 201: core.allocated, 200: core.backorder },
  }), (req, reply) => {
    const { customer, requested_ship_date, ...rest } = req.body;
    const command = { ...rest, type: 'allocate_order' } as AllocateOrderCommand;
    const who = { workspaceId: req.principal.workspaceId, idempotencyKey: idempotencyKey(req), actor: req.principal.keyId };
    return allocateChannelOrder(ts.ledger, { ...who, command, customer, requested_ship_date }).then((r) => send(reply, r));
  });
  const holdAction = (action: string, type: StockCommand['type'], summary: string, body: unknown) =>
    app.post<{ Params: Params; Body: Record<string, unknown> | null }>(`/holds/:id/${action}`, write('operate', ['holds'], summary, body, { params: s.idParam, response: { 200: core.holdAnswer('The hold as the action left it and the movements it wrote') } }), (req, reply) =>
      command(req, reply, { ...(req.body ?? {}), type, hold_id: req.params.id } as StockCommand));
  holdAction('extend', 'extend', 'Give an active hold more time', s.extendBody);
  holdAction('release', 'release', 'Release an active hold', s.emptyBody);
  holdAction('allocate', 'allocate', 'Allocate a hold to an order: reserved becomes committed', s.allocateBody);
  holdAction('ship', 'ship', 'Ship an allocation, whole or by line', s.shipBody);
  holdAction('cancel', 'cancel_allocation', 'Cancel what is left of an allocation', s.emptyBody);
  app.get<{ Querystring: { state?: HoldState; cursor?: string; limit?: number } }>('/holds', route('read', ['holds'], 'List holds, optionally by state', { querystring: s.holdsQuery, response: { 200: core.holdPage } }), (req) =>
    read((db) => queries.holds(db, req.principal.workspaceId, req.query)));
  app.get<{ Params: Params }>('/holds/:id', route('read', ['holds'], 'Get a hold', { params: s.idParam, response: { 200: core.hold } }), async (req) => {
    const hold = await read((db) => queries.hold(db, req.principal.workspaceId, req.params.id));
    if (!hold) throw notFound('hold', req.params.id);
    return { hold };
  });

  // Ledger, exceptions, verify
  app.get<{ Querystring: queries.MovementQuery }>('/movements', route('read', ['ledger'], 'Ledger history, newest first', { querystring: s.movementsQuery, response: { 200: core.movementPage } }), (req) =>
    read((db) => queries.movements(db, req.principal.workspaceId, req.query)));
  app.get<{ Querystring: ExceptionQuery }>('/exceptions', route('read', ['ledger'], 'Exceptions for a human (oversold orders with their live debt, count shortfalls, drift, stale channels, unmapped order lines, sync dead letters), one per condition with its occurrences and links, filtered by state, kind, owner, SKU, location, channel and age', { querystring: s.exceptionsQuery, response: { 200: core.exceptionPage } }), (req) =>
    read((db) => exceptions(db, req.principal.workspaceId, req.query, ts.clock.now())));
  app.get('/verify', route('admin', ['ledger'], 'Replay the ledger and compare with stored balances', { response: { 200: core.verify } }), (req) => verify(ts.store, req.principal.workspaceId));

  // API keys
  app.get('/api-keys', route('admin', ['access'], 'List API keys', { response: { 200: core.apiKeys } }), async (req) => ({
    data: (await read((db) => listApiKeys(db, req.principal.workspaceId))).map(apiKeyView),
  }));
  app.post<{ Body: { name: string; role: Role } }>('/api-keys', write('admin', ['access'], 'Create an API key (its secret is shown once)', s.apiKeyBody, { response: { 201: core.apiKeyCreated } }), (req, reply) =>
    mutation(req, reply, async (db, now) => {
      const made = await createApiKey(db, req.principal.workspaceId, req.body.role, req.body.name, now);
      return 'code' in made ? made : shownOnce(201, { api_key: apiKeyView(made.key), secret: made.plain });
    }));
  app.post<{ Params: Params }>('/api-keys/:id/revoke', write('admin', ['access'], 'Revoke an API key', s.emptyBody, { params: s.idParam, response: { 200: core.apiKeyRevoked } }), (req, reply) =>
    mutation(req, reply, async (db, now) => {
      const changed = await revokeApiKey(db, req.principal.workspaceId, req.params.id, now);
      if (changed === 0) return { code: 'not_found', detail: `no active API key ${req.params.id}` };
      ts.keys.forget();
      return { status: 200, body: { revoked: req.params.id } };
    }));

  registerCatalogRoutes(app, ts, kit);
  registerListingEventRoutes(app, ts, kit);
  registerPurchasingRoutes(app, ts, kit);
  registerOrderRoutes(app, kit);
  registerReturnAndCountRoutes(app, ts, kit);
  registerImportRoutes(app, ts, kit);
  registerAvailabilityRoutes(app, ts, kit);
  registerWebhookRoutes(app, ts);
  registerSyncRoutes(app, ts, kit);
  registerDashboardRoutes(app, ts, kit);
  registerRoutingRoutes(app, ts, kit);
  registerAlertRoutes(app, ts, kit);
  registerWorkspaceAdminRoutes(app, ts, kit);
}
