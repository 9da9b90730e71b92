import { afterEach, describe, expect, it } from 'vitest';
import { type SquareEmulator, startSquareEmulator } from './emulator.ts';
import { model } from './test-support.ts';

let square: SquareEmulator | undefined;
afterEach(() => square?.close());

describe('over a real socket', () => {
  it('serves the control surface and the Inventory API on 127.0.0.1', async () => {
    square = await startSquareEmulator();
    const control = (path: string, body: unknown) => fetch(`${square!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await control('/_emulator/catalog', { id: 'MUG' })).status).toBe(201);
    expect((await control('/_emulator/pos/counts', { catalog_object_id: 'MUG', location_id: 'LSTORE000001', quantity: 4 })).status).toBe(201);
    const res = await fetch(`${square.url}/v2/inventory/MUG`, { headers: { authorization: `Bearer ${square.accessToken}`, 'square-version': '2026-05-20' } });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(model().validateResponse({ operationId: 'RetrieveInventoryCount', status: 200, body })).toEqual([]);
    expect(body.counts[0].quantity).toBe('4');
  });
});
