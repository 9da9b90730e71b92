// Relayed LISTINGS_ITEM_MFN_QUANTITY_CHANGE notifications through truestock's one webhook route,
// on SQLite and PostgreSQL: our own number read back is an echo, a lower one a hand edit (pushed
// back under master_wins, booked under adopt), an older one than the last recorded is stale even
// within one second, a redelivery is a duplicate, another seller's is refused; the number of a
// submission Amazon is still processing (even one a newer push overtook) is an echo. A property: in any
// order of arrival, with redeliveries, what is recorded as shown is the newest report's number.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, unique } from '../../../test/support/http.ts';
import { STORE_KINDS } from '../../../test/support/truestock.ts';
import { applyChannelEvent } from '../../app/channel-events.ts';
import { insertSubmission } from '../../store/submission-repo.ts';
import { channelById } from '../../store/channel-event-repo.ts';
import { type Claimed, recordPushed } from '../../store/sync-repo.ts';
import { channelContext } from '../context.ts';
import { listingKey } from './order-facts.ts';
import { RELAY_SIGNATURE_HEADER, relaySignature } from './notifications.ts';
import { MFN_QUANTITY_CHANGE } from './quantity-change.ts';

const US = 'ATVPDKIKX0DER';
const SELLER = 'A1SELLER';
const SECRET = 'relay-secret';

function envelope(id: string, sku: string, quantity: number, at: number, seller = SELLER): Json {
  return {
    NotificationVersion: '1.0', NotificationType: MFN_QUANTITY_CHANGE, PayloadVersion: '1.0', EventTime: new Date(at).toISOString(),
    Payload: { SellerId: seller, FulfillmentChannelCode: 'DEFAULT', Sku: sku, Quantity: quantity },
    NotificationMetadata: { ApplicationId: 'app', SubscriptionId: 'sub', PublishTime: new Date(at).toISOString(), NotificationId: id },
  };
}

describe.each(STORE_KINDS)('relayed Amazon MFN quantity changes through the webhook route on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  async function setup(settings: Json = {}) {
    const { sku } = await h.item(10);
    const ch = await h.post('/v1/channels', { kind: 'amazon', name: unique('amazon'), settings: { seller_id: SELLER, notification_secret: SECRET, locations: { [US]: 'WH1' }, ...settings } }, { key: h.a.keys.admin });
    expect(ch.statusCode, ch.body).toBe(201);
    const channel = ch.json().channel as Json;
    const l = await h.post('/v1/listings', { channel: channel.id, sku, external: { seller_sku: sku, marketplace_id: US } });
    expect(l.statusCode, l.body).toBe(201);
    return { sku, channelId: String(channel.id), listingId: String((l.json().listing as Json).id), url: `/v1/channels/${String(channel.id)}/webhooks` };
  }

  const send = (url: string, body: Json, secret = SECRET) => {
    const raw = Buffer.from(JSON.stringify(body));
    return h.inject({ method: 'POST', url, payload: raw, headers: { 'content-type': 'application/json', [RELAY_SIGNATURE_HEADER]: relaySignature(raw, secret) } });
  };
  const outcome = async (url: string, body: Json) => {
    const res = await send(url, body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { status: string; outcome: string };
  };
  const shown = (listingId: string) => h.ts.store.read((db) => db.get<{ q: number | null }>('SELECT shown_quantity AS q FROM listing_sync WHERE listing_id = ?', [listingId]));

  it('master_wins: our number is an echo, a lower one a hand edit pushed back; older reports are stale, even in the same second', async () => {
    const { sku, listingId, url } = await setup();
    const t = Math.floor(h.clock.now() / 1000) * 1000 + 100;
    expect(await outcome(url, envelope(unique('q'), sku, 10, t))).toMatchObject({ status: 'ok', outcome: 'echo' });
    const edit = envelope(unique('q'), sku, 7, t + 500);
    expect(await outcome(url, edit)).toMatchObject({ status: 'ok', outcome: 'requeued' });
    expect(await shown(listingId)).toMatchObject({ q: 7 });
    // The report of an earlier change (the same second, 300 ms before) arrives after it: stale.
    expect(await outcome(url, envelope(unique('q'), sku, 9, t + 200))).toMatchObject({ status: 'ok', outcome: 'stale' });
    expect(await shown(listingId)).toMatchObject({ q: 7 });
    expect(await outcome(url, edit)).toMatchObject({ status: 'duplicate' });
    // Nothing booked: truestock's number stands and goes back to Amazon.
    expect(await h.totals(sku)).toMatchObject({ available: 10 });
    const queued = await h.ts.store.read((db) => db.get<{ quantity: number }>('SELECT quantity FROM channel_outbox WHERE listing_id = ?', [listingId]));
    expect(Number(queued?.quantity)).toBe(10);
    // A SKU the channel has no listing for, and another fulfillment channel's quantity, change nothing.
    expect(await outcome(url, envelope(unique('q'), 'NOT-LISTED', 3, t + 900))).toMatchObject({ outcome: 'no_listing' });
    const regional = envelope(unique('q'), sku, 1, t + 950);
    (regional.Payload as Json).FulfillmentChannelCode = 'REGIONAL';
    expect((await outcome(url, regional)).outcome).toMatch(/^ignored: .*REGIONAL/);
    expect(await shown(listingId)).toMatchObject({ q: 7 });
  });

  it('in any order of arrival, with redeliveries, the newest report is what truestock records as shown', async () => {
    const reports = fc.uniqueArray(fc.record({ offsetMs: fc.integer({ min: 0, max: 3_000 }), quantity: fc.integer({ min: 0, max: 20 }) }), { minLength: 1, maxLength: 6, selector: (r) => r.offsetMs });
    await fc.assert(
      fc.asyncProperty(reports, fc.array(fc.nat(), { maxLength: 3 }), fc.nat(), async (rs, again, seed) => {
        const { sku, listingId, url } = await setup();
        const t = h.clock.now();
        const bodies = rs.map((r) => envelope(unique('q'), sku, r.quantity, t + r.offsetMs));
        // Shuffled by the seed, some delivered twice.
        const order = bodies.map((b, i) => ({ b, k: (i * 7919 + seed) % 1_009 })).sort((x, y) => x.k - y.k).map((x) => x.b);
        for (const i of again) order.push(bodies[i % bodies.length]!);
        for (const b of order) expect((await send(url, b)).statusCode).toBe(200);
        const newest = rs.reduce((a, b) => (b.offsetMs > a.offsetMs ? b : a));
        expect(Number((await shown(listingId))?.q)).toBe(newest.quantity);
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it('the numbers of submissions still processing, the overtaken one included, are echoes, not hand edits', async () => {
    const { sku, channelId, listingId, url } = await setup();
    const ws = h.a.id;
    const claimed = (version: number, quantity: number): Claimed => ({
      listing_id: listingId, workspace_id: ws, channel_id: channelId, quantity, backorder_units: 0, version, enqueued_at: h.clock.now(), attempts: 0,
      external: { seller_sku: sku, marketplace_id: US }, pushed_quantity: null, shown_quantity: null, shown_at: null,
    });
    // Two patches ACCEPTED, 12 then 13: the second supersedes the first, both still processing at Amazon.
    await h.ts.store.transaction(async (db) => {
      await insertSubmission(db, claimed(2, 12), 'sub-12', 12, null, 'w', h.clock.now());
      await insertSubmission(db, claimed(3, 13), 'sub-13', 13, null, 'w', h.clock.now());
    });
    const t = h.clock.now();
    expect(await outcome(url, envelope(unique('q'), sku, 12, t + 10))).toMatchObject({ outcome: 'echo' });
    expect(await outcome(url, envelope(unique('q'), sku, 13, t + 20))).toMatchObject({ outcome: 'echo' });
    expect(await outcome(url, envelope(unique('q'), sku, 4, t + 30))).toMatchObject({ outcome: 'requeued' });
    // The same rule where a level is applied alone (not in a batch).
    const channel = (await h.ts.store.read((db) => channelById(db, channelId)))!;
    const level = (n: number, at: number) => ({ kind: 'level_updated' as const, occurredAt: at, eventId: unique('ev'), level: { keys: [listingKey(sku, US)], locationId: 'DEFAULT', available: n } });
    expect(await applyChannelEvent(h.ts, channelContext(channel), level(12, t + 2_000))).toBe('echo');
    expect(await applyChannelEvent(h.ts, channelContext(channel), level(5, t + 3_000))).toBe('requeued');
  });

  it('another seller’s notification is refused and changes nothing', async () => {
    const { sku, listingId, url } = await setup();
    await h.unchanged(async () => {
      expectProblem(await send(url, envelope(unique('q'), sku, 3, h.clock.now(), 'A2OTHER')), 'webhook_signature_invalid', null);
      expectProblem(await send(url, envelope(unique('q'), sku, 3, h.clock.now()), 'another-secret'), 'webhook_signature_invalid', null);
    }, [sku]);
    expect(await shown(listingId)).toBeUndefined();
  });

  it('adopt: a hand edit is booked once as a channel_edit adjustment at the merchant location', async () => {
    const { sku, channelId, listingId, url } = await setup({ edit_policy: 'adopt' });
    const ws = h.a.id;
    await h.ts.store.transaction((db) => recordPushed(db, { listing_id: listingId, workspace_id: ws, channel_id: channelId, version: 1 }, 10, h.clock.now()));
    h.clock.advance(1_000);
    const edit = envelope(unique('q'), sku, 6, h.clock.now());
    expect(await outcome(url, edit)).toMatchObject({ status: 'ok', outcome: 'adopted' });
    expect(await outcome(url, edit)).toMatchObject({ status: 'duplicate' });
    expect(await h.totals(sku)).toMatchObject({ available: 6 });
    const moves = await h.ts.store.read((db) => db.all<{ quantity: number; code: string }>(
      "SELECT m.quantity, l.code FROM movements m JOIN items i ON i.id = m.item_id JOIN locations l ON l.id = m.location_id WHERE m.workspace_id = ? AND i.sku = ? AND m.reason = 'channel_edit'", [ws, sku]));
    expect(moves.map((m) => [Number(m.quantity), m.code])).toEqual([[4, 'WH1']]);
  });
});
