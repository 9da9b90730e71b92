import { afterEach, describe, expect, it } from 'vitest';
import { type AmazonEmulator, startAmazonEmulator } from './emulator.ts';
import { MARKETPLACE, modelFor } from './test-support.ts';

let amazon: AmazonEmulator | undefined;
afterEach(() => amazon?.close());

describe('over a real socket', () => {
  it('serves LWA, the SP-API and document URLs on its own origin', async () => {
    amazon = await startAmazonEmulator();
    amazon.addListing({ sku: 'MUG', quantity: 4 });
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: amazon.refreshToken, client_id: amazon.clientId, client_secret: amazon.clientSecret });
    const { access_token } = (await (await fetch(`${amazon.url}/auth/o2/token`, { method: 'POST', body: form })).json()) as { access_token: string };
    const headers = { 'x-amz-access-token': access_token, 'content-type': 'application/json' };
    const path = `/listings/2021-08-01/items/${amazon.sellerId}/MUG`;
    const item = await fetch(`${amazon.url}${path}?marketplaceIds=${MARKETPLACE}&includedData=fulfillmentAvailability`, { headers });
    const body = await item.json();
    expect(modelFor(path).validateResponse({ operationId: 'getListingsItem', status: item.status, body })).toEqual([]);
    expect(body.fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 4 }]);
    const doc = (await (await fetch(`${amazon.url}/feeds/2021-06-30/documents`, { method: 'POST', headers, body: JSON.stringify({ contentType: 'application/json' }) })).json()) as { url: string };
    expect(doc.url.startsWith(`${amazon.url}/`)).toBe(true);
    expect((await fetch(doc.url, { method: 'PUT', body: '{}' })).status).toBe(200);
  });
});
