// /v1 routes: channel sync controls and status — pause and resume, hidden SKUs, the dead-letter
// list — for running a channel through an outage.

import type { FastifyInstance } from 'fastify';
import { HIDDEN_SKUS_MAX, retryDead, setHiddenSkus, setPaused, syncStatus } from '../app/channel-sync.ts';
import type { Truestock } from '../app/truestock.ts';
import { notFound, type Params, type RouteKit } from './routes.ts';
import { sku } from './schemas.ts';

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required }) as const;
const channelParam = object({ id: { type: 'string', minLength: 1, maxLength: 100, description: 'Channel id or name' } }, ['id']);
const hiddenBody = object({ skus: { type: 'array', maxItems: HIDDEN_SKUS_MAX, items: sku, description: 'The SKUs this channel shows as 0 (replaces the list; [] unhides all)' } }, ['skus']);
const retryBody = { anyOf: [object({ listing_ids: { type: 'array', minItems: 1, maxItems: 1_000, items: { type: 'string', minLength: 1, maxLength: 100 } } }), { type: 'null' }] } as const;

export function registerSyncRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {
  const { read, mutation, route, write } = kit;
  const tags = ['sync'];

  app.get<{ Params: Params }>('/channels/:id/sync', route('read', tags, "A channel's sync: paused, hidden SKUs, queue depth, oldest pending age, dead letters; breaker, budget, pushes per minute, calls and p50/p99 lag from this process's dispatcher", { params: channelParam }), async (req) => {
    const status = await read((db) => syncStatus(db, req.principal.workspaceId, req.params.id, ts.clock.now(), (id) => ts.sync.status(id)));
    if (!status) throw notFound('channel', req.params.id);
    return status;
  });
  const pause = (paused: boolean) =>
    app.post<{ Params: Params }>(`/channels/:id/${paused ? 'pause' : 'resume'}`, write('operate', tags, paused ? 'Pause a channel: nothing is pushed, its orders are still taken in, numbers keep queueing' : 'Resume a paused channel: the latest queued numbers go out', undefined, { params: channelParam }), async (req, reply) => {
      const res = await mutation(req, reply, (db, now) => setPaused(db, req.principal.workspaceId, req.params.id, paused, now));
      await ts.sync.refresh(true);
      return res;
    });
  pause(true);
  pause(false);
  app.put<{ Params: Params; Body: { skus: string[] } }>('/channels/:id/hidden-skus', write('operate', tags, 'Hide SKUs on a channel: they publish 0 until unhidden', hiddenBody, { params: channelParam }), (req, reply) =>
    mutation(req, reply, (db, now) => setHiddenSkus(db, req.principal.workspaceId, req.params.id, req.body.skus, now)));
  app.post<{ Params: Params; Body: { listing_ids?: string[] } | null }>('/channels/:id/dead-letters/retry', write('operate', tags, 'Put dead-lettered listings back in the queue (all, or those named)', retryBody, { params: channelParam }), (req, reply) =>
    mutation(req, reply, (db) => retryDead(db, req.principal.workspaceId, req.params.id, req.body?.listing_ids)));
}
