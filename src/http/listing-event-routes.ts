// /v1/listings/{id}/events: what a channel was seen to do to a listing that truestock did not push
// (hand edits), newest first — the same events the item page of the dashboard shows.

import type { FastifyInstance } from 'fastify';
import { listingEvents } from '../app/listing-events.ts';
import { PAGE_LIMIT_MAX } from '../app/queries.ts';
import type { Truestock } from '../app/truestock.ts';
import { getListing } from '../store/channel-repo.ts';
import { notFound, type Params, type RouteKit } from './routes.ts';
import { idParam } from './schemas.ts';

const eventsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { cursor: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: PAGE_LIMIT_MAX } },
} as const;

const instant = { type: 'string', format: 'date-time' } as const;
const nullableInt = { type: ['integer', 'null'] } as const;

/** The response, for the OpenAPI document (and Fastify's serializer: a field missing here is not sent). */
const eventsResponse = {
  type: 'object',
  required: ['data', 'next_cursor'],
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'at', 'channel_id', 'event_id', 'shown', 'pushed', 'ours', 'policy', 'outcome', 'due_at', 'explained_by_order'],
        properties: {
          kind: { type: 'string', enum: ['channel_edit'], description: 'channel_edit: the channel showed a number that is neither what truestock pushed nor its echo — a hand edit in the channel\'s admin, or an order not taken in yet' },
          at: { ...instant, description: 'When truestock saw it' },
          channel_id: { type: 'string' },
          event_id: { type: 'string', description: "The channel's id of the event (a redelivery is not recorded twice)" },
          shown: { type: 'integer', description: 'What the channel showed' },
          pushed: { ...nullableInt, description: 'What truestock had last pushed (null: nothing acknowledged yet)' },
          ours: { ...nullableInt, description: "Truestock's own number for the listing then" },
          policy: { type: 'string', enum: ['master_wins', 'adopt'], description: "The channel's edit policy" },
          outcome: { type: 'string', description: "requeued (truestock's number goes back, at due_at), adopted (booked as a channel_edit adjustment), adopt_refused:<code>" },
          due_at: { type: ['string', 'null'], format: 'date-time', description: "When truestock's number was due to go back: at once unless it raises what the channel shows (then after the edit grace)" },
          explained_by_order: { type: ['boolean', 'null'], description: 'For a lowering: true when an order of the channel for the item came with it (its level webhook came first: no hand edit), false when none came within the grace; null while the grace runs, and for a raise' },
        },
      },
    },
    next_cursor: { type: ['string', 'null'], description: 'Pass as cursor for older events; null on the last page' },
  },
} as const;

export function registerListingEventRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {
  const { read, route } = kit;
  app.get<{ Params: Params; Querystring: { cursor?: string; limit?: number } }>(
    '/listings/:id/events',
    route('read', ['listings'], "What a channel was seen to do to a listing that truestock did not push (hand edits), newest first, with what truestock did about it", {
      params: idParam, querystring: eventsQuery, response: { 200: eventsResponse },
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
