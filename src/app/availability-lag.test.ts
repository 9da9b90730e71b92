// A channel whose sales reach truestock late widens the other channels' adaptive buffers, and
// their explanations name it — by its name and its kind's label from the registry.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { kindOf } from '../channels/registry.ts';
import { createChannel } from './channels.ts';
import { createListing } from './listings.ts';
import { createRule, explainListing } from './channel-rule-admin.ts';
import { Truestock } from './truestock.ts';

describe.each(STORE_KINDS)('the slow channel in buffer explanations on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open(db.config);
  });
  afterAll(async () => {
    await ts.close();
    await db.drop();
  });

  it("names the channel whose orders arrive latest, with its kind's label and its lag", async () => {
    const f = await Fixture.create(ts, { skus: ['A'] });
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 50 });
    const listingId = await ts.store.transaction(async (tx) => {
      const now = ts.clock.now();
      const make = async (k: string, name: string, settings: Record<string, unknown>) => {
        const made = await createChannel(tx, f.workspaceId, { kind: k, name, settings }, now);
        if ('code' in made) throw new Error(made.detail);
        return (made.body.channel as { id: string }).id;
      };
      const shop = await make('shopify', 'webstore', { shop_domain: 'x.myshopify.com', access_token: 't' });
      await make('amazon', 'marketplace-us', { seller_id: 'S1' });
      const l = await createListing(tx, f.workspaceId, { channel: shop, sku: 'A', external: { variant_id: '1' } }, now);
      if ('code' in l) throw new Error(l.detail);
      const r = await createRule(tx, f.workspaceId, shop, { settings: { buffer: { mode: 'adaptive', confidence: 0.95, min_units: 0, max_units: 10 } } }, now);
      if ('code' in r) throw new Error(r.detail);
      return (l.body.listing as { id: string }).id;
    });
    const explained = await ts.store.read((d) => explainListing(d, f.workspaceId, listingId, ts.clock.now()));
    const buffer = (explained!.steps as { step: string; why: string; detail: Record<string, unknown> }[]).find((s) => s.step === 'buffer')!;
    const slow = kindOf('amazon');
    expect(buffer.detail).toMatchObject({ inbound_lag_seconds: slow.lags.inboundSeconds, inbound_lag_channel: 'marketplace-us' });
    expect(buffer.why).toContain(`marketplace-us (${slow.label})'s orders arrive up to ${Math.ceil(slow.lags.inboundSeconds / 60)} min late`);
  });
});
