import { afterEach, describe, expect, it } from 'vitest';
import { type EbayEmulator, startEbayEmulator } from './emulator.ts';
import { basicOf, checkAnswer, INV, modelFor } from './test-support.ts';

let ebay: EbayEmulator | undefined;
afterEach(() => ebay?.close());

describe('over a real socket', () => {
  it('serves the token endpoint and the APIs on its own origin', async () => {
    ebay = await startEbayEmulator();
    ebay.addListing({ sku: 'MUG', quantity: 4 });
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: ebay.refreshToken });
    const token = await fetch(`${ebay.url}/identity/v1/oauth2/token`, { method: 'POST', headers: { authorization: basicOf(ebay), 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    const { access_token } = (await token.json()) as { access_token: string };
    const path = `${INV}/bulk_update_price_quantity`;
    const res = await fetch(`${ebay.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ requests: [{ sku: 'MUG', shipToLocationAvailability: { quantity: 2 } }] }) });
    const body = await res.json();
    expect(checkAnswer(modelFor(path), 'bulkUpdatePriceQuantity', res.status, body, {})).toEqual([]);
    expect(body).toEqual({ responses: [{ statusCode: 200, sku: 'MUG' }] });
    expect(ebay.quantity('MUG')).toBe(2);
  });
});
