// /v1 routes: Products and variants, bundles and multipacks, channels, listings and catalog problems.
// Bundles and multipacks are created like any item (`POST /v1/items` with `kind` and
// `components`); their components are replaced with `PUT /v1/items/{id}/components`.

import type { FastifyInstance } from 'fastify';
import { itemComponents, replaceComponents } from '../app/bundles.ts';
import { CATALOG_PROBLEM_KINDS, type CatalogProblemKind, catalogProblems } from '../app/catalog-problems.ts';
import { channelView, type ChannelCreate, type ChannelPatch, createChannel, findChannel, updateChannel } from '../app/channels.ts';
import { createListing, type ListingCreate, type ListingPatch, listingViews, updateListing } from '../app/listings.ts';
import { createProduct, PRODUCT_VARIANTS_SHOWN_MAX, type ProductCreate, type ProductPatch, productView, productWithVariants, updateProduct } from '../app/products.ts';
import * as queries from '../app/queries.ts';
import type { Truestock } from '../app/truestock.ts';
import type { ComponentInput } from '../domain/catalog-rules.ts';
import { HANDLE_LENGTH_MAX, NAME_LENGTH_MAX, OPTION_LENGTH_MAX, PRODUCT_OPTIONS_MAX } from '../domain/catalog-rules.ts';
import { CHANNEL_NAME_LENGTH_MAX, EXTERNAL_ID_LENGTH_MAX } from '../domain/listing-rules.ts';
import { EXTERNAL_FIELDS, KIND_NAMES } from '../channels/registry.ts';
import { getItemBySku, listProducts } from '../store/catalog-repo.ts';
import { getChannel, getListing, listChannels, listListings } from '../store/channel-repo.ts';
import { notFound, type Params, type RouteKit } from './routes.ts';
import { componentsSchema, idParam, sku } from './schemas.ts';
import * as cr from './catalog-responses.ts';
import { FREE_FORM_PROPERTIES_MAX } from './input-guard.ts';

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required }) as const;
const cursor = { type: 'string', maxLength: 200 } as const;
const limit = { type: 'integer', minimum: 1, maximum: queries.PAGE_LIMIT_MAX } as const;

const productProps = {
  name: { type: 'string', minLength: 1, maxLength: NAME_LENGTH_MAX },
  option_names: { type: 'array', maxItems: PRODUCT_OPTIONS_MAX, items: { type: 'string', minLength: 1, maxLength: OPTION_LENGTH_MAX }, description: 'The options variants differ by, e.g. ["Size", "Color"]' },
  archived: { type: 'boolean' },
};
const productBody = object({ handle: { type: 'string', minLength: 1, maxLength: HANDLE_LENGTH_MAX }, ...productProps }, ['handle', 'name']);
const productPatch = object(productProps);
const productsQuery = object({ cursor, limit, include_archived: { type: 'boolean' } });

const settings = { type: 'object', maxProperties: FREE_FORM_PROPERTIES_MAX, description: 'Free-form JSON. Read by the catalog: lists_all_items (boolean), shop_domain (Shopify), seller_id (Amazon)' } as const;
const channelName = { type: 'string', minLength: 1, maxLength: CHANNEL_NAME_LENGTH_MAX } as const;
const channelBody = object({ kind: { type: 'string', enum: [...KIND_NAMES] }, name: channelName, settings }, ['kind', 'name']);
const channelPatch = object({ name: channelName, settings });

const externalId = { anyOf: [{ type: 'string', minLength: 1, maxLength: EXTERNAL_ID_LENGTH_MAX }, { type: 'integer', minimum: 0 }] } as const;
const external = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: Object.fromEntries(EXTERNAL_FIELDS.map((f) => [f, externalId])),
  description: 'shopify: inventory_item_id + location_id, or variant_id; amazon: seller_sku + marketplace_id; walmart: sku + ship_node, or sku; ebay: sku; square: catalog_object_id; wholesale, custom: external_id',
} as const;
const listingBody = object({ channel: { type: 'string', minLength: 1, maxLength: 100, description: 'Channel id or name' }, sku, external, active: { type: 'boolean' } }, ['channel', 'sku', 'external']);
const listingPatch = object({ active: { type: 'boolean' } });
const listingsQuery = object({ cursor, limit, channel: { type: 'string', maxLength: 100 }, sku, active: { type: 'boolean' } });
const componentsBody = object({ components: componentsSchema }, ['components']);
const problemsQuery = object({ kind: { type: 'string', enum: [...CATALOG_PROBLEM_KINDS] } });

export function registerCatalogRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {
  void ts;
  const { read, mutation, route, write } = kit;
  const after = (c?: string) => (c ? { after: queries.decodeCursor(c) } : {});

  // Products and variants
  app.post<{ Body: ProductCreate }>('/products', write('operate', ['products'], 'Create a product (variants are items that name it)', productBody, { response: { 201: cr.productAnswer('The new product', 'Its variants: none yet') } }), (req, reply) =>
    mutation(req, reply, (db, now) => createProduct(db, req.principal.workspaceId, req.body, now)));
  app.get<{ Querystring: { cursor?: string; limit?: number; include_archived?: boolean } }>('/products', route('read', ['products'], 'List products', { querystring: productsQuery, response: { 200: cr.productsPage } }), async (req) => {
    const limit = req.query.limit ?? queries.PAGE_LIMIT_DEFAULT;
    const rows = await read((db) => listProducts(db, req.principal.workspaceId, { limit, includeArchived: req.query.include_archived ?? false, ...after(req.query.cursor) }));
    return queries.page(rows, limit, (p) => p.id, productView);
  });
  app.get<{ Params: Params }>('/products/:id', route('read', ['products'], 'Get a product with its variants', { params: idParam, response: { 200: cr.productAnswer('The product with its variants', `The items that name it as their product (at most ${PRODUCT_VARIANTS_SHOWN_MAX})`) } }), async (req) => {
    const found = await read((db) => productWithVariants(db, req.principal.workspaceId, req.params.id));
    if (!found) throw notFound('product', req.params.id);
    return found;
  });
  app.patch<{ Params: Params; Body: ProductPatch }>('/products/:id', write('operate', ['products'], 'Rename, re-option (without variants) or archive a product', productPatch, { params: idParam, response: { 200: cr.productAnswer('The product as it is now, with its variants', `The items that name it as their product (at most ${PRODUCT_VARIANTS_SHOWN_MAX})`) } }), (req, reply) =>
    mutation(req, reply, (db, now) => updateProduct(db, req.principal.workspaceId, req.params.id, req.body, now)));

  // Bundles and multipacks
  app.get<{ Params: Params }>('/items/:id/components', route('read', ['items'], "A bundle's components and their history; the bundles an item is part of", { params: idParam, response: { 200: cr.componentsAnswer } }), async (req) => {
    const found = await read((db) => itemComponents(db, req.principal.workspaceId, req.params.id));
    if (!found) throw notFound('item', req.params.id);
    return found;
  });
  app.put<{ Params: Params; Body: { components: ComponentInput[] } }>('/items/:id/components', write('operate', ['items'], "Replace a bundle's or multipack's components (the bundle and its history stay)", componentsBody, { params: idParam, response: { 200: cr.componentsReplaced } }), (req, reply) =>
    mutation(req, reply, (db, now) => replaceComponents(db, req.principal.workspaceId, req.params.id, req.body.components, now)));

  // Channels
  app.post<{ Body: ChannelCreate }>('/channels', write('admin', ['channels'], 'Create a channel', channelBody, { response: { 201: cr.channelAnswer('The new channel') } }), (req, reply) =>
    mutation(req, reply, (db, now) => createChannel(db, req.principal.workspaceId, req.body, now)));
  app.get<{ Querystring: { cursor?: string; limit?: number } }>('/channels', route('read', ['channels'], 'List channels', { querystring: object({ cursor, limit }), response: { 200: cr.channelsPage } }), async (req) => {
    const limit = req.query.limit ?? queries.PAGE_LIMIT_DEFAULT;
    const rows = await read((db) => listChannels(db, req.principal.workspaceId, { limit, ...after(req.query.cursor) }));
    return queries.page(rows, limit, (c) => c.id, channelView);
  });
  app.get<{ Params: Params }>('/channels/:id', route('read', ['channels'], 'Get a channel', { params: idParam, response: { 200: cr.channelAnswer('The channel') } }), async (req) => {
    const channel = await read((db) => getChannel(db, req.principal.workspaceId, req.params.id));
    if (!channel) throw notFound('channel', req.params.id);
    return { channel: channelView(channel) };
  });
  app.patch<{ Params: Params; Body: ChannelPatch }>('/channels/:id', write('admin', ['channels'], 'Rename a channel or replace its settings', channelPatch, { params: idParam, response: { 200: cr.channelAnswer('The channel as it is now') } }), (req, reply) =>
    mutation(req, reply, (db, now) => updateChannel(db, req.principal.workspaceId, req.params.id, req.body, now)));

  // Listings
  app.post<{ Body: ListingCreate }>('/listings', write('operate', ['listings'], "Map a channel's identifiers to an item, bundle or multipack", listingBody, { response: { 201: cr.listingAnswer('The new listing') } }), (req, reply) =>
    mutation(req, reply, (db, now) => createListing(db, req.principal.workspaceId, req.body, now)));
  app.get<{ Querystring: { cursor?: string; limit?: number; channel?: string; sku?: string; active?: boolean } }>(
    '/listings',
    route('read', ['listings'], 'List listings, by channel (id or name), SKU or state', { querystring: listingsQuery, response: { 200: cr.listingsPage } }),
    async (req) => {
      const ws = req.principal.workspaceId;
      const limit = req.query.limit ?? queries.PAGE_LIMIT_DEFAULT;
      return read(async (db) => {
        // An unknown channel or SKU filters everything out: an empty page, as for movements.
        let channelId: string | undefined;
        let itemId: string | undefined;
        if (req.query.channel !== undefined) channelId = (await findChannel(db, ws, req.query.channel))?.id ?? '-';
        if (req.query.sku !== undefined) itemId = (await getItemBySku(db, ws, req.query.sku))?.id ?? '-';
        const rows = await listListings(db, ws, {
          limit,
          ...(channelId !== undefined ? { channelId } : {}),
          ...(itemId !== undefined ? { itemId } : {}),
          ...(req.query.active !== undefined ? { active: req.query.active } : {}),
          ...after(req.query.cursor),
        });
        const views = await listingViews(db, ws, rows);
        return { data: views, next_cursor: rows.length === limit ? queries.encodeCursor(rows[rows.length - 1]!.id) : null };
      });
    },
  );
  app.get<{ Params: Params }>('/listings/:id', route('read', ['listings'], 'Get a listing', { params: idParam, response: { 200: cr.listingAnswer('The listing with its numbers') } }), async (req) => {
    const ws = req.principal.workspaceId;
    const view = await read(async (db) => {
      const listing = await getListing(db, ws, req.params.id);
      return listing && (await listingViews(db, ws, [listing]))[0];
    });
    if (!view) throw notFound('listing', req.params.id);
    return { listing: view };
  });
  app.patch<{ Params: Params; Body: ListingPatch }>('/listings/:id', write('operate', ['listings'], 'Deactivate or reactivate a listing (listings are never deleted)', listingPatch, { params: idParam, response: { 200: cr.listingAnswer('The listing as it is now') } }), (req, reply) =>
    mutation(req, reply, (db, now) => updateListing(db, req.principal.workspaceId, req.params.id, req.body, now)));

  // Catalog problems
  app.get<{ Querystring: { kind?: CatalogProblemKind } }>(
    '/catalog/problems',
    route('read', ['catalog'], 'What is wrong with the catalog: duplicate or missing listings, listings of archived items, shared barcodes, bundles with archived components', { querystring: problemsQuery, response: { 200: cr.catalogProblemsAnswer } }),
    (req) => read((db) => catalogProblems(db, req.principal.workspaceId, req.query.kind)),
  );
}
