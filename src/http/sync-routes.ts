// /v1 routes: channel sync controls and status — pause and resume, hidden SKUs, the dead-letter
// list — for running a channel through an outage.

import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { HIDDEN_SKUS_MAX, retryDead, setHiddenSkus, setPaused, syncStatus } from '../app/channel-sync.ts';
import { findChannel } from '../app/channels.ts';
import * as queries from '../app/queries.ts';
import { servedNumbers, servedNumbersCsv } from '../app/served-numbers.ts';
import type { Truestock } from '../app/truestock.ts';
import { notFound, type Params, type RouteKit } from './routes.ts';
import * as r from './response-schemas.ts';
import { sku } from './schemas.ts';

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required }) as const;
const channelParam = object({ id: { type: 'string', minLength: 1, maxLength: 100, description: 'Channel id or name' } }, ['id']);
const hiddenBody = object({ skus: { type: 'array', maxItems: HIDDEN_SKUS_MAX, items: sku, description: 'The SKUs this channel shows as 0 (replaces the list; [] unhides all)' } }, ['skus']);
const numbersQuery = object({ cursor: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: queries.PAGE_LIMIT_MAX } });
const numbersPage = r.described("One page of the channel's served numbers", r.object({
  channel_id: r.str(),
  numbers: r.oneOf(['pushed', 'served'], '`served`: no connector pushes this channel; read its numbers here'),
  data: r.arrayOf(r.ref('ServedNumber')),
  next_cursor: r.nullable(r.str('Pass as `cursor` for the next page; null on the last page')),
}));
const controls = (description: string, extra: Record<string, unknown> = {}) =>
  r.described(description, r.object({ channel_id: r.str(), paused: r.bool(), hidden_skus: r.arrayOf(r.str(), { description: 'SKUs the channel shows as 0' }), ...extra }));
const CSV_TYPE = 'text/csv; charset=utf-8';
const retryBody = { anyOf: [object({ listing_ids: { type: 'array', minItems: 1, maxItems: 1_000, items: { type: 'string', minLength: 1, maxLength: 100 } } }), { type: 'null' }] } as const;

export function registerSyncRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {
  const { read, mutation, route, write } = kit;
  const tags = ['sync'];

  app.get<{ Params: Params }>('/channels/:id/sync', route('read', tags, "A channel's sync: its overall state (active, served, paused, degraded, failing) and why; paused, hidden SKUs; inbound health (last order poll, last poll error); for a pushed channel queue depth, oldest pending age, dead letters, and breaker, budget, pushes per minute, calls, last error and p50/p99 lag from this process's dispatcher (a served channel has none of these)", { params: channelParam, response: { 200: r.described("The channel's sync", r.ref('ChannelSyncStatus')) } }), async (req) => {
    const status = await read((db) => syncStatus(db, req.principal.workspaceId, req.params.id, ts.clock.now(), (id) => ts.sync.status(id)));
    if (!status) throw notFound('channel', req.params.id);
    return status;
  });
  app.get<{ Params: Params; Querystring: { cursor?: string; limit?: number } }>(
    '/channels/:id/numbers',
    route('read', tags, "The numbers truestock serves for a channel, for whoever pulls them (POS, wholesale, custom: kinds without a connector): each active listing's SKU, identifiers and published number, in listing id order", {
      params: channelParam, querystring: numbersQuery, response: { 200: numbersPage },
    }),
    async (req) => {
      const ws = req.principal.workspaceId;
      const limit = req.query.limit ?? queries.PAGE_LIMIT_DEFAULT;
      const after = req.query.cursor ? queries.decodeCursor(req.query.cursor) : null;
      const out = await read(async (db) => {
        const channel = await findChannel(db, ws, req.params.id);
        return channel && servedNumbers(db, ws, channel, after, limit);
      });
      if (!out) throw notFound('channel', req.params.id);
      const { last, ...page } = out;
      return { ...page, next_cursor: last === null ? null : queries.encodeCursor(last) };
    },
  );
  app.get<{ Params: Params }>(
    '/channels/:id/numbers.csv',
    route('read', tags, "A channel's served numbers as one CSV file: listing_id, sku, the kind's identifier columns, external_key, quantity, backorder_units, computed_at (text cells safe to open in a spreadsheet)", {
      params: channelParam, produces: ['text/csv'], response: { 200: { description: 'CSV, header row first', content: { 'text/csv': { schema: { type: 'string' } } } } },
    }),
    async (req, reply) => {
      const ws = req.principal.workspaceId;
      const channel = await read((db) => findChannel(db, ws, req.params.id));
      if (!channel) throw notFound('channel', req.params.id);
      const chunks = servedNumbersCsv(ts.store, ws, channel);
      return reply
        .type(CSV_TYPE)
        .header('content-disposition', `attachment; filename="${channel.name.replace(/[^\w.-]+/g, '_')}-numbers.csv"`)
        .send(Readable.from((async function* () {
          for await (const c of chunks) yield c.text;
        })()));
    },
  );
  const pause = (paused: boolean) =>
    app.post<{ Params: Params }>(`/channels/:id/${paused ? 'pause' : 'resume'}`, write('operate', tags, paused ? 'Pause a channel: nothing is pushed, its orders are still taken in, numbers keep queueing' : 'Resume a paused channel: the latest queued numbers go out', undefined, {
      params: channelParam, response: { 200: controls(paused ? 'The channel, paused' : 'The channel, resumed') },
    }), async (req, reply) => {
      const res = await mutation(req, reply, (db, now) => setPaused(db, req.principal.workspaceId, req.params.id, paused, now));
      await ts.sync.refresh(true);
      return res;
    });
  pause(true);
  pause(false);
  app.put<{ Params: Params; Body: { skus: string[] } }>('/channels/:id/hidden-skus', write('operate', tags, 'Hide SKUs on a channel: they publish 0 until unhidden', hiddenBody, {
    params: channelParam, response: { 200: controls('The SKUs now hidden, sorted', { listings_changed: r.count('Listings whose number changed (hidden ones publish 0 at once)') }) },
  }), (req, reply) =>
    mutation(req, reply, (db, now) => setHiddenSkus(db, req.principal.workspaceId, req.params.id, req.body.skus, now)));
  app.post<{ Params: Params; Body: { listing_ids?: string[] } | null }>('/channels/:id/dead-letters/retry', write('operate', tags, 'Put dead-lettered listings back in the queue (all, or those named)', retryBody, {
    params: channelParam, response: { 200: r.described('How many listings went back in the queue', r.object({ channel_id: r.str(), retried: r.count('Dead letters taken off the list (their latest number is pushed again)') })) },
  }), (req, reply) =>
    mutation(req, reply, (db) => retryDead(db, req.principal.workspaceId, req.params.id, req.body?.listing_ids)));
}
