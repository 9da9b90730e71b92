import { afterEach, describe, expect, it } from 'vitest';
import { startWalmartEmulator, type WalmartEmulator } from './emulator.ts';

let e: WalmartEmulator | undefined;
afterEach(() => e?.close());

describe('over a real socket', () => {
  it('serves the token API and an inventory read on 127.0.0.1', async () => {
    e = await startWalmartEmulator();
    e.addSku({ sku: 'A', quantity: 2 });
    const headers = { 'WM_SVC.NAME': 'Walmart Marketplace', 'WM_QOS.CORRELATION_ID': 'socket-test', Accept: 'application/json' };
    const tok = await fetch(`${e.url}/v3/token`, { method: 'POST', headers: { ...headers, Authorization: `Basic ${Buffer.from(`${e.clientId}:${e.clientSecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    const { access_token } = (await tok.json()) as { access_token: string };
    const res = await fetch(`${e.url}/v3/inventory?sku=A`, { headers: { ...headers, 'WM_SEC.ACCESS_TOKEN': access_token } });
    expect(res.status).toBe(200);
    expect(res.headers.get('wm_qos.correlation_id')).toBe('socket-test');
    expect(await res.json()).toEqual({ sku: 'A', quantity: { unit: 'EACH', amount: 2 } });
  });
});
