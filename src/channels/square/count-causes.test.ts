// Under `edit_policy: adopt`, a count a till sale moved is its order's to report, not a hand edit
// to adopt; a staff count stays a level. Against the emulator's change history; under
// master_wins nothing is looked up.

import { describe, expect, it } from 'vitest';
import { inProcessFetch } from '../../../emulators/kit/index.ts';
import { createSquareEmulator } from '../../../emulators/square/index.ts';
import { unitsOf } from '../../../emulators/square/decimal.ts';
import type { Verified } from '../kind.ts';
import { parseSquareFromChannel } from './order-fetch.ts';

const ORIGIN = 'http://connect.squareup.emulated';
const LOC = 'LSTORE000001';

function setup(policy: 'adopt' | 'master_wins') {
  const clock = { t: Date.parse('2026-12-05T12:00:00Z') };
  const emu = createSquareEmulator({ clock: { now: () => clock.t } });
  emu.addCatalogObject({ id: 'OBJ-A' });
  const calls: string[] = [];
  const inner = inProcessFetch(emu.handler, { origin: ORIGIN });
  const env = {
    settings: { access_token: emu.accessToken, endpoint: ORIGIN, locations: { [LOC]: 'STORE' }, edit_policy: policy },
    clock: { now: () => clock.t },
    fetch: (async (input, init) => (calls.push(new Request(input, init).url), inner(input, init))) as typeof fetch,
  };
  let n = 0;
  /** The count event Square sends now for OBJ-A at the store. */
  const countEvent = () => {
    const count = emu.counts().find((c) => c.catalog_object_id === 'OBJ-A' && c.location_id === LOC && c.state === 'IN_STOCK')!;
    const id = `evt-${++n}`;
    const body = { merchant_id: emu.merchantId, type: 'inventory.count.updated', event_id: id, created_at: new Date(clock.t).toISOString(), data: { type: 'inventory_counts', id, object: { inventory_counts: [count] } } };
    const verified: Verified = { ok: true, deliveryId: id, eventId: id, topic: 'inventory.count.updated', sentAt: clock.t };
    return parseSquareFromChannel(verified, body, env);
  };
  return { emu, clock, calls, countEvent };
}

describe('what moved a Square count', () => {
  it('under adopt: the count a till sale left is the order\'s, a staff count is a level', async () => {
    const { emu, clock, countEvent } = setup('adopt');
    emu.handCount({ catalogObjectId: 'OBJ-A', locationId: LOC, quantity: unitsOf(10) });
    expect(await countEvent()).toMatchObject({ ok: true, events: [{ kind: 'level_updated', level: { available: 10 } }] });
    clock.t += 5_000;
    emu.posSale({ locationId: LOC, lines: [{ catalogObjectId: 'OBJ-A', quantity: unitsOf(2) }] });
    expect(await countEvent()).toMatchObject({ ok: false, ignored: expect.stringContaining('till') });
    clock.t += 5_000;
    emu.handCount({ catalogObjectId: 'OBJ-A', locationId: LOC, quantity: unitsOf(7) });
    expect(await countEvent()).toMatchObject({ ok: true, events: [{ kind: 'level_updated', level: { available: 7 } }] });
  });

  it('under master_wins nothing is looked up', async () => {
    const { emu, calls, countEvent } = setup('master_wins');
    emu.posSale({ locationId: LOC, lines: [{ catalogObjectId: 'OBJ-A', quantity: unitsOf(2) }] });
    expect(await countEvent()).toMatchObject({ ok: true, events: [{ kind: 'level_updated', level: { available: -2 } }] });
    expect(calls).toEqual([]);
  });
});
