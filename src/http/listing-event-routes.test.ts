// GET /v1/listings/{id}/events over HTTP, on SQLite and PostgreSQL: a hand edit seen on a channel
// is readable on its listing, newest first, a page at a time, and documented in the OpenAPI
// document; an unknown listing is a 404 and a forged cursor a 400 naming `cursor`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, unique } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';
import { applyChannelEvent, type ChannelContext } from '../app/channel-events.ts';
import { lineKeys, shopifyMapping } from '../channels/shopify/webhooks.ts';
import { getChannel } from '../store/channel-repo.ts';

describe.each(STORE_KINDS)('listing events over HTTP on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  async function edited(levels: number[]) {
    const ch = await h.post('/v1/channels', { kind: 'shopify', name: unique('shop'), settings: { shop_domain: `${unique('s')}.myshopify.com`, locations: { 'gid://shopify/Location/1': 'WH1' } } }, { key: h.a.keys.admin });
    expect(ch.statusCode, ch.body).toBe(201);
    const { sku } = await h.item();
    const item = unique('gid://shopify/InventoryItem/');
    const l = await h.post('/v1/listings', { channel: ch.json().channel.id, sku, external: { inventory_item_id: item, location_id: 'gid://shopify/Location/1' } });
    expect(l.statusCode, l.body).toBe(201);
    expect((await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: 10 })).statusCode).toBe(200);
    const channel = (await h.ts.store.read((d) => getChannel(d, h.a.id, ch.json().channel.id)))!;
    const cx: ChannelContext = { channel, mapping: shopifyMapping(channel.settings), editPolicy: 'master_wins', timeResolutionMs: 1_000, editGraceMs: 30_000 };
    for (const [i, available] of levels.entries()) {
      h.clock.advance(1_000);
      const keys = lineKeys(null, item, ['gid://shopify/Location/1']).keys;
      expect(await applyChannelEvent(h.ts, cx, { kind: 'level_updated', occurredAt: h.clock.now(), eventId: `ev-${i}`, level: { keys, locationId: 'gid://shopify/Location/1', available } })).toBe('requeued');
    }
    return { listing: l.json().listing as Json, channel: channel.id };
  }

  it('a hand edit is readable on its listing, newest first, a page at a time', async () => {
    const { listing, channel } = await edited([25, 3, 4]);
    const first = await h.get(`/v1/listings/${listing.id}/events?limit=2`, h.a.keys.read);
    expect(first.statusCode, first.body).toBe(200);
    const body = first.json();
    expect(body.data).toEqual([
      { kind: 'channel_edit', at: expect.any(String), channel_id: channel, event_id: 'ev-2', shown: 4, pushed: null, ours: 10, policy: 'master_wins', outcome: 'requeued', due_at: expect.any(String), explained_by_order: null },
      { kind: 'channel_edit', at: expect.any(String), channel_id: channel, event_id: 'ev-1', shown: 3, pushed: null, ours: 10, policy: 'master_wins', outcome: 'requeued', due_at: expect.any(String), explained_by_order: null },
    ]);
    // Ours (10) raises 3 and 4: after the grace; it lowers 25: at once.
    expect(Date.parse(body.data[0].due_at) - Date.parse(body.data[0].at)).toBe(30_000);
    const rest = (await h.get(`/v1/listings/${listing.id}/events?limit=2&cursor=${body.next_cursor}`, h.a.keys.read)).json();
    expect(rest.data).toMatchObject([{ event_id: 'ev-0', shown: 25 }]);
    expect(rest.data[0].due_at).toBe(rest.data[0].at);
    expect(rest.next_cursor).toBeNull();
    // Three edits within the hour: one exception, on the listing's channel.
    const exc = (await h.get(`/v1/exceptions?kind=channel_edit_recurring&channel=${channel}`, h.a.keys.read)).json().data as Json[];
    expect(exc).toMatchObject([{ kind: 'channel_edit_recurring', channel_id: channel, reference: listing.id, severity: 'medium' }]);
  });

  it('an unknown listing is a 404; a listing of another workspace too; a forged cursor is a 400 naming cursor', async () => {
    const { listing } = await edited([2]);
    expectProblem(await h.get('/v1/listings/lst_nope/events', h.a.keys.read), 'not_found');
    expectProblem(await h.get(`/v1/listings/${listing.id}/events`, h.b.keys.read), 'not_found');
    expectProblem(await h.get(`/v1/listings/${listing.id}/events?cursor=${Buffer.from('x y').toString('base64url')}`, h.a.keys.read), 'validation_failed', 'cursor');
    expectProblem(await h.get(`/v1/listings/${listing.id}/events?limit=0`, h.a.keys.read), 'validation_failed');
  });

  it('is documented, with its response, in the OpenAPI document', async () => {
    const doc = (await h.get('/openapi.json', null)).json();
    const op = doc.paths['/v1/listings/{id}/events'].get;
    expect(op.tags).toEqual(['listings']);
    const schema = op.responses['200'].content['application/json'].schema;
    expect(schema.properties.data.items).toEqual({ $ref: '#/components/schemas/ListingEvent' });
    expect(Object.keys(doc.components.schemas.ListingEvent.properties)).toEqual(['kind', 'at', 'channel_id', 'event_id', 'shown', 'pushed', 'ours', 'policy', 'outcome', 'due_at', 'explained_by_order']);
  });
});
