// CSV imports and exports over HTTP: `POST /v1/imports/items` and `/v1/imports/stock` take a
// `text/csv` body (up to CSV_BODY_LIMIT_BYTES, see server.ts) and answer like the CLI: a summary,
// or `422 csv_invalid` listing every bad row as `{line, column, reason}` with nothing written.
// `GET /v1/exports/items` and `/v1/exports/stock` stream the same columns back.

import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { exportItemsCsv, exportStockCsv } from '../app/csv-export.ts';
import type { RowError } from '../app/csv.ts';
import { importItems } from '../app/item-import.ts';
import { importStock, OWN_STOCK_FORMAT, STOCK_FORMATS } from '../app/stock-import.ts';
import type { Truestock } from '../app/truestock.ts';
import { kindOf } from '../channels/registry.ts';
import { TruestockError } from '../domain/errors.ts';
import type { RouteKit } from './routes.ts';
import { itemImportAnswer, stockFormatsAnswer, stockImportAnswer } from './catalog-responses.ts';

const CSV_TYPE = 'text/csv; charset=utf-8';

const idempotencyHeader = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', description: 'Required. The same key and file replay the first answer; the same key with another file is a 409.' } },
} as const;

/** The channels' own exports the stock import takes besides ours (each named after its kind). */
const exportFormats = [...STOCK_FORMATS].filter(([name]) => name !== OWN_STOCK_FORMAT);
const creatingFormats = exportFormats.filter(([, f]) => f.createsItems).map(([name]) => kindOf(name).label);
const exportsText = exportFormats.map(([, f]) => f.label).join(' or ');

const stockQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: { type: 'string', enum: [...STOCK_FORMATS.keys()], description: `\`${OWN_STOCK_FORMAT}\` (sku,location,on_hand[,zone])${exportsText ? ` or ${exportsText}` : ''}` },
    create_items: { type: 'boolean', description: `${creatingFormats.join(' or ')} files: create items for unknown SKUs first` },
    file_name: { type: 'string', minLength: 1, maxLength: 150, description: 'shown in the movements’ reference, `import:<file_name>`' },
  },
} as const;

function keyOf(req: FastifyRequest): string {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || key.length === 0) {
    throw TruestockError.of('idempotency_key_required', 'send an Idempotency-Key header (any unique string, e.g. a UUID) with every import', 'Idempotency-Key');
  }
  return key;
}

function csvBody(req: FastifyRequest): string {
  if (typeof req.body !== 'string') throw TruestockError.of('unsupported_media_type', 'send the file as the request body with Content-Type: text/csv');
  return req.body;
}

function csvInvalid(errors: RowError[], errorCount: number, read: number): TruestockError {
  const listed = errorCount > errors.length ? ` (the first ${errors.length} listed)` : '';
  return TruestockError.of('csv_invalid', `${errorCount} ${errorCount === 1 ? 'error' : 'errors'} in ${read} rows${listed}; nothing was imported`, undefined, {
    errors: errors.map((e) => ({ line: e.line, column: e.column ?? null, reason: e.reason })),
    error_count: errorCount,
  });
}

function replayed(reply: FastifyReply, yes: boolean): void {
  if (yes) reply.header('idempotent-replayed', 'true');
}

export function registerImportRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {
  const { route } = kit;

  app.post('/imports/items', route('operate', ['imports'], 'Create or update items from a CSV file: all rows or none', {
    headers: idempotencyHeader,
    description: 'Body: `text/csv` with a header row: sku,name and optionally barcode, archived, kind, units_per_case, requires_inspection, skip_return_inspection.',
    response: {
      200: itemImportAnswer('Applied, and no item was created (every row updated or unchanged); or a replay of such an import'),
      201: itemImportAnswer('Applied, and at least one item was created; or a replay of such an import'),
    },
  }), async (req, reply) => {
    const res = await importItems(ts, req.principal.workspaceId, csvBody(req), keyOf(req));
    if (!res.ok && 'errors' in res) throw csvInvalid(res.errors, res.errorCount, res.read);
    if (!res.ok) throw new TruestockError(res.refusal);
    replayed(reply, res.replayed);
    return reply.code(res.summary.created > 0 ? 201 : 200).send({ import: res.summary });
  });

  // The formats the stock import takes, for a client to offer (ours, and each kind's own export).
  app.get('/imports/stock/formats', route('read', ['imports'], 'The formats POST /v1/imports/stock takes: ours and each channel kind\'s own inventory export', { response: { 200: stockFormatsAnswer } }), async () => ({
    data: [...STOCK_FORMATS].map(([format, f]) => ({ format, label: format === OWN_STOCK_FORMAT ? 'truestock CSV (sku,location,on_hand[,zone])' : f.label, creates_items: f.createsItems })),
  }));

  app.post<{ Querystring: { format?: string; create_items?: boolean; file_name?: string } }>('/imports/stock', route('operate', ['imports'], `Set counted stock from a CSV file${exportsText ? ` (or ${exportsText})` : ''}: one ledger step, all rows or none`, {
    headers: idempotencyHeader,
    querystring: stockQuery,
    description: 'Body: `text/csv`, sku,location,on_hand[,zone]. Each difference from the ledger becomes a count variance.',
    response: { 200: stockImportAnswer },
  }), async (req, reply) => {
    const res = await importStock(ts, req.principal.workspaceId, csvBody(req), {
      actor: req.principal.keyId,
      key: keyOf(req),
      format: req.query.format ?? OWN_STOCK_FORMAT,
      createItems: req.query.create_items ?? false,
      ...(req.query.file_name ? { fileName: req.query.file_name } : {}),
    });
    if (!res.ok && 'errors' in res) throw csvInvalid(res.errors, res.errorCount, res.read);
    if (!res.ok) throw new TruestockError(res.refusal);
    replayed(reply, res.replayed);
    return reply.code(200).send({ import: res.summary });
  });

  // For the OpenAPI document only: the body is a stream of text, which Fastify sends as is.
  const csvAnswer = { produces: ['text/csv'], response: { 200: { description: 'CSV, header row first', content: { 'text/csv': { schema: { type: 'string' } } } } } };
  const stream = (chunks: AsyncGenerator<{ text: string }>) => Readable.from((async function* () {
    for await (const c of chunks) yield c.text;
  })());
  app.get('/exports/items', route('read', ['imports'], 'Every item as CSV, in the columns the items import takes', csvAnswer), async (req, reply) =>
    reply.type(CSV_TYPE).send(stream(exportItemsCsv(ts.store, req.principal.workspaceId))));
  app.get('/exports/stock', route('read', ['imports'], 'Every stock level as CSV (sku,location,on_hand,zone)', csvAnswer), async (req, reply) =>
    reply.type(CSV_TYPE).send(stream(exportStockCsv(ts.store, req.principal.workspaceId))));
}
