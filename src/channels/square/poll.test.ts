// The SearchOrders poll against the Square emulator: sales and returns of the channel's store
// since the cursor, oldest first, as order and refund events; the cursor moves to the newest
// order seen; another store's orders are not this channel's; a refused token is an auth failure.

import { describe, expect, it } from 'vitest';
import { inProcessFetch } from '../../../emulators/kit/index.ts';
import { createSquareEmulator } from '../../../emulators/square/index.ts';
import { unitsOf } from '../../../emulators/square/decimal.ts';
import type { PollEnv, PollPage } from '../kind.ts';
import { squareOrderPages } from './poll.ts';

const ORIGIN = 'http://connect.squareup.emulated';
const LOC = 'LSTORE000001';

function setup() {
  const clock = { t: Date.parse('2026-12-05T12:00:00Z') };
  const emu = createSquareEmulator({ clock: { now: () => clock.t }, locations: [{ id: LOC }, { id: 'LOTHER' }] });
  emu.addCatalogObject({ id: 'OBJ-A' });
  let spent = 0;
  const token = emu.accessToken;
  const env = (cursor: string | null): PollEnv => ({
    settings: { access_token: token, endpoint: ORIGIN, locations: { [LOC]: 'STORE' } },
    cursor, since: Date.parse('2026-12-05T11:00:00Z'), clock: { now: () => clock.t },
    fetch: inProcessFetch(emu.handler, { origin: ORIGIN }),
    spend: async () => (spent++, true), observe: () => {},
  });
  return { emu, clock, env, spent: () => spent };
}

async function pages(it: AsyncIterable<PollPage>): Promise<PollPage[]> {
  const out: PollPage[] = [];
  for await (const p of it) out.push(p);
  return out;
}

describe('the Square order poll', () => {
  it('reads the store\'s sales and returns since the cursor as events, and moves the cursor', async () => {
    const { emu, clock, env, spent } = setup();
    clock.t += 1_000;
    const sale = emu.posSale({ locationId: LOC, lines: [{ catalogObjectId: 'OBJ-A', quantity: unitsOf(2) }] });
    clock.t += 1_000;
    emu.posSale({ locationId: 'LOTHER', lines: [{ catalogObjectId: 'OBJ-A', quantity: unitsOf(5) }] });
    clock.t += 1_000;
    emu.posReturn({ orderId: String(sale.id), lines: [{ catalogObjectId: 'OBJ-A', quantity: unitsOf(1) }], restock: true });
    const first = await pages(squareOrderPages(env(null)));
    expect(first).toHaveLength(1);
    const page = first[0]!;
    if (!page.ok) throw new Error(page.message);
    expect(page.events.map((e) => e.kind)).toEqual(['order_updated', 'refund_created']);
    expect(page.events[0]).toMatchObject({ order: { orderId: sale.id, locationId: LOC, lines: [{ quantity: 2 }] } });
    expect(page.events[1]).toMatchObject({ refund: { orderId: sale.id, lines: [{ quantity: 1, restock: 'return' }] } });
    expect(page.cursor).toBe('2026-12-05T12:00:03.000Z');
    expect(spent()).toBe(1);
    clock.t += 1_000;
    const later = emu.posSale({ locationId: LOC, lines: [{ catalogObjectId: 'OBJ-A', quantity: unitsOf(1) }] });
    const second = await pages(squareOrderPages(env(page.cursor)));
    const ids = second.flatMap((p) => (p.ok ? p.events : [])).map((e) => ('order' in e ? e.order.orderId : e.kind === 'refund_created' ? e.refund.refundId : ''));
    // The boundary order may come again (applied once); the new one comes.
    expect(ids).toContain(later.id);
    expect(ids).not.toContain(sale.id);
  });

  it('a refused token is an auth failure', async () => {
    const { emu, env } = setup();
    emu.setAccessToken('rotated');
    expect(await pages(squareOrderPages(env(null)))).toMatchObject([{ ok: false, failure: 'auth' }]);
  });
});
