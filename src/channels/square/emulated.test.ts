// The Square connector against the Square emulator (emulators/square) through the kit's
// in-process fetch: the official SDK really goes through the fetch it is given (no node-fetch or
// global fallback — the emulator is reachable no other way), every inventory request is valid
// against Square's official model, a retried push is replayed rather than applied again, and a
// POS sale rung up while our count is on its way is not wiped by it.

import { describe, expect, it } from 'vitest';
import { inProcessFetch } from '../../../emulators/kit/index.ts';
import { createSquareEmulator, type SquareEmulator } from '../../../emulators/square/index.ts';
import { unitsOf } from '../../../emulators/square/decimal.ts';
import type { Connector, PushItem } from '../../sync/connector.ts';
import { square } from './kind.ts';
import { validatingFetch } from './square.fixture.ts';

const ORIGIN = 'http://connect.squareup.emulated';
const LOC = 'LSTORE000001';

function setup(wrap: (inner: typeof fetch, emu: SquareEmulator, clock: { t: number }) => typeof fetch = (f) => f) {
  const clock = { t: Date.parse('2026-12-05T12:00:00Z') };
  const emu = createSquareEmulator({ clock: { now: () => clock.t } });
  for (const id of ['OBJ-A', 'OBJ-B']) emu.addCatalogObject({ id, name: id });
  const invalid: string[] = [];
  const inner = inProcessFetch(emu.handler, { origin: ORIGIN });
  const c = square.connect!({ access_token: emu.accessToken, endpoint: ORIGIN, square_version: '2026-05-20', locations: { [LOC]: 'STORE' } }, { clock: { now: () => clock.t }, fetch: validatingFetch(wrap(inner, emu, clock), invalid) });
  if ('code' in c) throw new Error(c.detail);
  return { emu, c: c as Connector, invalid, clock };
}

const item = (object: string, quantity: number, version = 1): PushItem => ({ listingId: `lst_${object}`, version, external: { catalog_object_id: object }, quantity, expected: null });

describe('Square connector against the emulator', () => {
  it('pushes and reads back through the injected fetch, every request valid against the model', async () => {
    const { emu, c, invalid } = setup();
    expect(await c.push([item('OBJ-A', 7), item('OBJ-B', 3)])).toEqual({ ok: true, outcomes: [{ status: 'acknowledged' }, { status: 'acknowledged' }] });
    expect([emu.quantity('OBJ-A', LOC), emu.quantity('OBJ-B', LOC)]).toEqual(['7', '3']);
    expect(await c.readBack([item('OBJ-A', 0), item('OBJ-B', 0), item('OBJ-UNKNOWN', 0)])).toEqual({ ok: true, shown: [7, 3, null] });
    expect(invalid).toEqual([]);
    expect(emu.counters().requests).toBe(2);
  });

  it('an unknown catalog object is rejected, the others pushed again at once', async () => {
    const { emu, c } = setup();
    const r = await c.push([item('OBJ-A', 4), item('OBJ-NOPE', 1)]);
    expect(r).toMatchObject({ ok: true, outcomes: [{ status: 'not_applied' }, { status: 'rejected' }] });
    expect(await c.push([item('OBJ-A', 4)])).toMatchObject({ ok: true, outcomes: [{ status: 'acknowledged' }] });
    expect(emu.quantity('OBJ-A', LOC)).toBe('4');
  });

  it('a retried intent is replayed by Square, not applied over a sale rung up since; a new version is', async () => {
    const { emu, c, clock } = setup();
    expect(await c.push([item('OBJ-A', 8)])).toMatchObject({ ok: true });
    clock.t += 2_000;
    emu.posSale({ locationId: LOC, lines: [{ catalogObjectId: 'OBJ-A', quantity: unitsOf(3) }] });
    expect(emu.quantity('OBJ-A', LOC)).toBe('5');
    clock.t += 2_000;
    // The same push again (its answer was lost): the same key and body, answered from Square's memory.
    expect(await c.push([item('OBJ-A', 8)])).toMatchObject({ ok: true, outcomes: [{ status: 'acknowledged' }] });
    expect(emu.quantity('OBJ-A', LOC)).toBe('5');
    expect(await c.push([item('OBJ-A', 5, 2)])).toMatchObject({ ok: true });
    expect(emu.quantity('OBJ-A', LOC)).toBe('5');
  });

  it('a POS sale rung up while our count is on its way is applied after it, not wiped', async () => {
    let ringUp = true;
    const { emu, c } = setup((inner, e, clock) => async (input, init) => {
      const req = new Request(input, init);
      if (ringUp && new URL(req.url).pathname === '/v2/inventory/changes/batch-create') {
        // Our count of 10 was dated when it was sent; the till sells 2 before Square gets it.
        ringUp = false;
        clock.t += 1_500;
        e.posSale({ locationId: LOC, lines: [{ catalogObjectId: 'OBJ-A', quantity: unitsOf(2) }] });
      }
      return inner(req);
    });
    emu.handCount({ catalogObjectId: 'OBJ-A', locationId: LOC, quantity: unitsOf(12) });
    expect(await c.push([item('OBJ-A', 10)])).toMatchObject({ ok: true, outcomes: [{ status: 'acknowledged' }] });
    // Square orders by occurred_at: our count, then the sale on top of it.
    expect(emu.quantity('OBJ-A', LOC)).toBe('8');
  });

  it('classifies the emulator\'s answers: 401 auth, 429 throttled, 503 transient', async () => {
    const { emu, c } = setup();
    emu.setAccessToken('rotated');
    expect(await c.push([item('OBJ-A', 1)])).toMatchObject({ ok: false, failure: 'auth' });
    const again = setup();
    again.emu.setRateLimit({ burst: 1, ratePerSecond: 0.001 });
    await again.c.push([item('OBJ-A', 1)]);
    expect(await again.c.push([item('OBJ-A', 2)])).toMatchObject({ ok: false, failure: 'throttled' });
    expect(await again.c.readBack([item('OBJ-A', 0)])).toMatchObject({ ok: false, failure: 'throttled' });
    const down = setup();
    down.emu.goDown(60);
    expect(await down.c.push([item('OBJ-A', 1)])).toMatchObject({ ok: false, failure: 'transient' });
  });
});
