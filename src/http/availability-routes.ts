// /v1 routes: channel rules, what each listing may show and why, what a rule change would do,
// pickup and POS availability per location, a full recompute, and the outbox.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { locationAvailability, recomputeAll } from '../app/availability.ts';
import { createRule, deactivateRule, explainListing, replaceRule, type RuleInput, ruleView, WHAT_IF_CHANGES_MAX, whatIf } from '../app/channel-rule-admin.ts';
import { findChannel } from '../app/channels.ts';
import { fingerprint } from '../app/fingerprint.ts';
import { checkIdempotencyKey, type CommandResponse, idempotent, replay, type Written } from '../app/idempotent.ts';
import * as queries from '../app/queries.ts';
import { type FenceReport, reconcileRingFence } from '../app/ring-fence.ts';
import type { Truestock } from '../app/truestock.ts';
import { iso } from '../app/views.ts';
import { type Refusal, refusal, TruestockError } from '../domain/errors.ts';
import { loadIdempotency } from '../store/ledger-repo.ts';
import { getItemBySku, locationsByCode } from '../store/catalog-repo.ts';
import { getRule, levelsAtLocation, outboxPage, ringFenceLines, rulesOfChannel } from '../store/availability-repo.ts';
import type { Db } from '../store/store.ts';
import { idempotencyKey, notFound, type Params, type RouteKit } from './routes.ts';
import { code, idParam, sku } from './schemas.ts';
import { FREE_FORM_PROPERTIES_MAX } from './input-guard.ts';
import * as r from './response-schemas.ts';
import { ITEM_KINDS } from '../domain/model.ts';

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required }) as const;
const cursor = { type: 'string', maxLength: 200 } as const;
const limit = { type: 'integer', minimum: 1, maximum: queries.PAGE_LIMIT_MAX } as const;
const time = { type: ['string', 'null'], maxLength: 40, description: 'ISO 8601, e.g. 2026-11-27T00:00:00Z; the rule applies while starts_at <= now < ends_at' } as const;

const ruleProps = {
  skus: { type: ['array', 'null'], minItems: 1, maxItems: 1_000, items: sku, description: 'Items this rule is for; null (default) for every item on the channel' },
  starts_at: time,
  ends_at: time,
  below_units: { type: ['integer', 'null'], minimum: 1, description: 'Applies only while the pool the channel draws on is below this many units' },
  settings: {
    type: 'object',
    maxProperties: FREE_FORM_PROPERTIES_MAX,
    description: 'Any of: locations {codes | kinds}, allocation {mode: shared | share (percent) | ring_fenced (quantity)}, buffer {mode: none | fixed (units) | percent (percent) | adaptive (confidence, min_units, max_units)}, cap_units, zero_below_units, backorder_days. See docs/availability.md.',
  },
};
const ruleBody = object(ruleProps, ['settings']);
const whatIfBody = object({ ...ruleProps, replaces: { type: ['string', 'null'], maxLength: 100, description: 'The id of the active rule this proposal would replace; omit for a new rule' } }, ['settings']);
const channelParam = object({ id: { type: 'string', minLength: 1, maxLength: 100, description: 'Channel id or name' } }, ['id']);
const rulesQuery = object({ include_inactive: { type: 'boolean' } });
const locationParam = object({ code }, ['code']);
const locationQuery = object({ sku, cursor, limit });
const outboxQuery = object({ channel: { type: 'string', maxLength: 100, description: 'Channel id or name' }, cursor, limit });
const recomputeBody = { anyOf: [object({ channel: { type: 'string', minLength: 1, maxLength: 100 } }), { type: 'null' }] } as const;

// Answers (named shapes in availability-responses.ts).
const ruleSaved = (description: string) => r.described(description, r.ref('ChannelRuleSaved'));
const rulesAnswer = r.described("The channel's rules, oldest first", r.object({ channel_id: r.str(), data: r.arrayOf(r.ref('ChannelRule')) }));
const ruleAnswer = r.described('The rule', r.object({ rule: r.ref('ChannelRule') }));
const whatIfAnswer = r.described('What the proposed rule would change; nothing is saved', r.object({
  channel_id: r.str(),
  listings: r.count('Listings of the channel looked at'),
  changed: r.count('Listings whose number would change'),
  changes: r.arrayOf(r.object({
    listing_id: r.str(), sku: r.str(), before: r.int(), after: r.int(), delta: r.int('after − before'),
    backorder_before: r.count(), backorder_after: r.count(),
    rules_applied: r.arrayOf(r.str(), { description: 'Rule ids in force under the proposal, least to most specific; `proposed` is the proposed rule when it is new' }),
  }), { description: `The changed listings (the first ${WHAT_IF_CHANGES_MAX})` }),
  truncated: r.bool('More listings changed than `changes` lists'),
  saved: { type: 'boolean', enum: [false], description: 'Always false: a what-if writes nothing' },
}));
const locationAnswer = r.described('What the location can sell over the counter or hand over for pickup', r.object({
  location: r.str('Location code'),
  pickup: r.bool('The location hands over pickup orders'),
  ships_online: r.bool(),
  data: r.arrayOf(r.object({
    sku: r.str(), kind: r.oneOf(ITEM_KINDS), available: r.int('Available units here; a bundle: the kits buildable here, plus pre-built ones'),
    safety_stock: r.count('Units kept back as safety stock here (already outside available)'),
  })),
  next_cursor: r.nullable(r.str('Pass as `cursor` for the next page; null on the last page')),
}));
const recomputeAnswer = r.described('How many listings were recomputed', r.object({
  recomputed: r.object({ listings: r.count(), changed: r.count('Listings whose number changed (and were enqueued)'), chunks: r.count('Transactions the work ran in'), duration_ms: r.count() }),
}));
const outboxAnswer = r.described('Pending pushes, in listing id order', r.page(r.ref('OutboxEntry')));

export function registerAvailabilityRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {
  const { read, route, write } = kit;

  /**
   * A rule mutation, then the channel's ring-fence brought in line with its rules (reserves and
   * releases go through the ledger after the rule is saved). The fence report is added to the
   * answer, a replay included: it says what the fence holds now.
   */
  const ruleMutation = async (req: FastifyRequest, reply: FastifyReply, fn: (db: Db, now: number) => Promise<Written | Refusal>) => {
    const ws = req.principal.workspaceId;
    const r: CommandResponse = await idempotent(ts.store, ts.clock, ws, idempotencyKey(req), fingerprint({ m: req.method, r: req.routeOptions.url, p: req.params, b: req.body }), fn);
    if (r.replayed) reply.header('idempotent-replayed', 'true');
    if (!r.ok) throw new TruestockError(r.refusal);
    const channelId = (r.body.rule as { channel_id: string }).channel_id;
    const fence = await fenceOf(ws, channelId);
    return reply.code(r.status).send(fence ? { ...r.body, ring_fence: fence } : r.body);
  };
  const fenceOf = async (ws: string, channelId: string): Promise<FenceReport[] | null> => {
    const involved = await read(async (db) =>
      (await rulesOfChannel(db, ws, channelId)).some((x) => x.settings.allocation?.mode === 'ring_fenced') || (await ringFenceLines(db, ws, channelId)).length > 0);
    return involved ? reconcileRingFence(ts.ledger, ws, channelId) : null;
  };

  // Rules
  app.post<{ Params: Params; Body: RuleInput }>('/channels/:id/rules', write('admin', ['availability'], 'Add a rule to a channel (the default, an item override, a promotion window, a below-N takeover)', ruleBody, { params: channelParam, response: { 201: ruleSaved('The new rule, with the listings it changed') } }), (req, reply) =>
    ruleMutation(req, reply, (db, now) => createRule(db, req.principal.workspaceId, req.params.id, req.body, now)));
  app.get<{ Params: Params; Querystring: { include_inactive?: boolean } }>('/channels/:id/rules', route('read', ['availability'], "A channel's rules, oldest first; deactivated ones with include_inactive", { params: channelParam, querystring: rulesQuery, response: { 200: rulesAnswer } }), async (req) => {
    const ws = req.principal.workspaceId;
    const found = await read(async (db) => {
      const channel = await findChannel(db, ws, req.params.id);
      return channel && { channel, rules: await rulesOfChannel(db, ws, channel.id, req.query.include_inactive ?? false) };
    });
    if (!found) throw notFound('channel', req.params.id);
    return { channel_id: found.channel.id, data: found.rules.map(ruleView) };
  });
  app.get<{ Params: Params }>('/channel-rules/:id', route('read', ['availability'], 'Get a channel rule', { params: idParam, response: { 200: ruleAnswer } }), async (req) => {
    const rule = await read((db) => getRule(db, req.principal.workspaceId, req.params.id));
    if (!rule) throw notFound('channel rule', req.params.id);
    return { rule: ruleView(rule) };
  });
  app.put<{ Params: Params; Body: RuleInput }>('/channel-rules/:id', write('admin', ['availability'], 'Replace a channel rule', ruleBody, { params: idParam, response: { 200: ruleSaved('The rule as replaced, with the listings it changed') } }), (req, reply) =>
    ruleMutation(req, reply, (db, now) => replaceRule(db, req.principal.workspaceId, req.params.id, req.body, now)));
  app.delete<{ Params: Params }>('/channel-rules/:id', write('admin', ['availability'], 'Deactivate a channel rule (it stays in the history)', undefined, { params: idParam, response: { 200: ruleSaved('The deactivated rule, with the listings it changed') } }), (req, reply) =>
    ruleMutation(req, reply, (db, now) => deactivateRule(db, req.principal.workspaceId, req.params.id, now)));
  app.post<{ Params: Params; Body: RuleInput & { replaces?: string | null } }>(
    '/channels/:id/rules/what-if',
    route('read', ['availability'], 'Which listings a proposed rule would change, before → after; nothing is saved', { params: channelParam, body: whatIfBody, response: { 200: whatIfAnswer } }),
    async (req) => {
      const out = await read((db) => whatIf(db, req.principal.workspaceId, req.params.id, req.body, ts.clock.now()));
      if ('code' in out) throw new TruestockError(out);
      return out.body;
    },
  );

  // Availability
  app.get<{ Params: Params }>('/listings/:id/availability', route('read', ['availability'], "A listing's number and every step that made it (explain)", { params: idParam, response: { 200: r.described("The listing's number, explained", r.ref('ListingAvailability')) } }), async (req) => {
    const explained = await read((db) => explainListing(db, req.principal.workspaceId, req.params.id, ts.clock.now()));
    if (!explained) throw notFound('listing', req.params.id);
    return explained;
  });
  app.get<{ Params: { code: string }; Querystring: { sku?: string; cursor?: string; limit?: number } }>(
    '/locations/:code/availability',
    route('read', ['availability'], "What a location can sell over the counter or hand over for pickup: its available units (safety stock, holds and orders excluded); bundles as kits buildable there", { params: locationParam, querystring: locationQuery, response: { 200: locationAnswer } }),
    async (req) => {
      const ws = req.principal.workspaceId;
      const lim = req.query.limit ?? queries.PAGE_LIMIT_DEFAULT;
      const out = await read(async (db) => {
        const [location] = await locationsByCode(db, ws, [req.params.code]);
        if (!location) return { missing: 'location' as const };
        const where = { location: location.code, pickup: location.pickup, ships_online: location.shipsOnline };
        /** Rows for these items with their safety stock here (a kit has no level of its own: 0), joined by item id. */
        const rows = async (itemIds: string[], levels: { item_id: string; safety_stock: number }[]) => {
          const safety = new Map(levels.map((l) => [l.item_id, l.safety_stock]));
          return (await locationAvailability(db, ws, location, itemIds)).map(({ item_id, ...row }) => ({ ...row, safety_stock: safety.get(item_id) ?? 0 }));
        };
        if (req.query.sku !== undefined) {
          const item = await getItemBySku(db, ws, req.query.sku);
          if (!item) return { missing: 'item' as const };
          return { ...where, data: await rows([item.id], await levelsAtLocation(db, ws, location.id, null, 1, item.id)), next_cursor: null };
        }
        const levels = await levelsAtLocation(db, ws, location.id, req.query.cursor ? queries.decodeCursor(req.query.cursor) : null, lim);
        return { ...where, ...queries.page(levels, lim, (l) => l.item_id, () => null), data: await rows(levels.map((l) => l.item_id), levels) };
      });
      if ('missing' in out) {
        if (out.missing === 'location') throw notFound('location with code', req.params.code);
        throw TruestockError.of('unknown_item', `no item with SKU ${JSON.stringify(req.query.sku)} in this workspace`, 'sku');
      }
      return out;
    },
  );
  // Like every POST, recompute takes an Idempotency-Key: a replay answers the first counts without
  // recomputing, another body under the key is a 409. The work runs in chunks, each its own
  // transaction (a workspace can have a million listings), so the answer is stored after it, not
  // with it: a crash in between only recomputes again on the retry, which is safe to repeat.
  app.post<{ Body: { channel?: string } | null }>('/availability/recompute', write('admin', ['availability'], 'Recompute every listing of the workspace (or one channel) and enqueue what changed; safe to repeat', recomputeBody, { response: { 200: recomputeAnswer } }), async (req, reply) => {
    const ws = req.principal.workspaceId;
    const key = idempotencyKey(req);
    const print = fingerprint({ m: req.method, r: req.routeOptions.url, p: req.params, b: req.body });
    const answer = (r: CommandResponse) => {
      if (r.replayed) reply.header('idempotent-replayed', 'true');
      if (!r.ok) throw new TruestockError(r.refusal);
      return reply.code(r.status).send(r.body);
    };
    const badKey = checkIdempotencyKey(key);
    if (badKey) throw new TruestockError(badKey);
    const [seen] = await read((db) => loadIdempotency(db, ws, [key]));
    if (seen) return answer(replay(seen, print));
    let channelId: string | undefined;
    if (req.body?.channel !== undefined) {
      const ref = req.body.channel;
      channelId = (await read((db) => findChannel(db, ws, ref)))?.id;
      if (!channelId) return answer(await idempotent(ts.store, ts.clock, ws, key, print, async () => refusal('not_found', `no channel ${ref} in this workspace`, 'channel')));
    }
    const counts = await recomputeAll(ts.store, () => ts.clock.now(), ws, channelId ? { channelId } : {});
    // A concurrent request under the same key that stored first is what both answer.
    return answer(await idempotent(ts.store, ts.clock, ws, key, print, async () => ({ status: 200, body: { recomputed: counts } })));
  });

  // Outbox
  app.get<{ Querystring: { channel?: string; cursor?: string; limit?: number } }>('/outbox', route('read', ['availability'], 'Pending pushes: the latest number per listing, with its version', { querystring: outboxQuery, response: { 200: outboxAnswer } }), async (req) => {
    const ws = req.principal.workspaceId;
    const lim = req.query.limit ?? queries.PAGE_LIMIT_DEFAULT;
    return read(async (db) => {
      let channelId: string | undefined;
      if (req.query.channel !== undefined) channelId = (await findChannel(db, ws, req.query.channel))?.id ?? '-';
      const rows = await outboxPage(db, ws, { limit: lim, ...(channelId !== undefined ? { channelId } : {}), ...(req.query.cursor ? { after: queries.decodeCursor(req.query.cursor) } : {}) });
      return queries.page(rows, lim, (r) => r.listing_id, (r) => ({ ...r, enqueued_at: iso(r.enqueued_at) }));
    });
  });
}
