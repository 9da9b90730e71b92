// /v1/listings/{id}/events: what a channel was seen to do to a listing that truestock did not push
// (hand edits), newest first — the same events the item page of the dashboard shows.

import type { FastifyInstance } from 'fastify';
import { listingEvents } from '../app/listing-events.ts';
import { PAGE_LIMIT_MAX } from '../app/queries.ts';
import type { Truestock } from '../app/truestock.ts';
import { getListing } from '../store/channel-repo.ts';
import { notFound, type Params, type RouteKit } from './routes.ts';
import { idParam } from './schemas.ts';
import { listingEventsPage } from './catalog-responses.ts';

const eventsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { cursor: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: PAGE_LIMIT_MAX } },
} as const;

export function registerListingEventRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {
  const { read, route } = kit;
  app.get<{ Params: Params; Querystring: { cursor?: string; limit?: number } }>(
    '/listings/:id/events',
    route('read', ['listings'], "What a channel was seen to do to a listing that truestock did not push (hand edits), newest first, with what truestock did about it", {
      params: idParam, querystring: eventsQuery, response: { 200: listingEventsPage },
    }),
    async (req) => {
      const ws = req.principal.workspaceId;
      const page = await read(async (db) => {
        const listing = await getListing(db, ws, req.params.id);
        return listing ? listingEvents(db, ws, listing, ts.clock.now(), req.query) : null;
      });
      if (!page) throw notFound('listing', req.params.id);
      return page;
    },
  );
}
