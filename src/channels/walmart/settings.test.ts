import { describe, expect, it } from 'vitest';
import { walmart } from './kind.ts';
import { WALMART_LISTING } from './order-facts.ts';
import { checkWalmartSetting, walmartBaseUrl, walmartSettings, WALMART_ENDPOINT_DEFAULT } from './settings.ts';

describe('Walmart settings', () => {
  it('connect() says which credential is missing, naming the field', () => {
    expect(walmartSettings({})).toMatchObject({ code: 'validation_failed', field: 'settings.client_id' });
    expect(walmartSettings({ client_id: 'c' })).toMatchObject({ field: 'settings.client_secret' });
    expect(walmart.connect!({ client_id: 'c' }, { clock: { now: () => 0 }, fetch })).toMatchObject({ code: 'validation_failed', field: 'settings.client_secret' });
    expect('push' in (walmart.connect!({ client_id: 'c', client_secret: 's' }, { clock: { now: () => 0 }, fetch }) as object)).toBe(true);
  });

  it('the check names the bad field', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ endpoint: 'ftp://x' }, 'settings.endpoint'],
      [{ ship_node: '' }, 'settings.ship_node'],
      [{ poll_seconds: 0 }, 'settings.poll_seconds'],
      [{ locations: { N1: 3 } }, 'settings.locations'],
      // Two nodes on one location would both sell the same units.
      [{ locations: { N1: 'W1', N2: 'W2', N3: 'W1' } }, 'settings.locations.N3'],
      [{ locations: { '': 'W1' } }, 'settings.locations'],
      [{ merchant_locations: 'W1' }, 'settings.merchant_locations'],
      [{ notification_auth: 'OAUTH' }, 'settings.notification_auth'],
      [{ rate_limits: { inventory: { rate: 0, burst: 1 } } }, 'settings.rate_limits.inventory'],
      [{ feed_min_items: 1.5 }, 'settings.feed_min_items'],
      [{ submission_poll_seconds: -1 }, 'settings.submission_poll_seconds'],
    ];
    for (const [s, field] of bad) expect(checkWalmartSetting(s, 'settings'), JSON.stringify(s)).toMatchObject({ code: 'validation_failed', field });
    expect(checkWalmartSetting({ client_id: 'c', ship_node: 'N1', locations: { N1: 'W1' }, notification_auth: 'HMAC' }, 'settings')).toBeNull();
    expect(checkWalmartSetting({ ship_node: 'N1', locations: { N1: 'W1', N2: 'W2' }, merchant_locations: ['W1'] }, 'settings')).toBeNull();
  });

  it('the documented host by default; secrets are write-only; the listing identity matches the kind', () => {
    expect(walmartBaseUrl({})).toBe(WALMART_ENDPOINT_DEFAULT);
    expect(walmartBaseUrl({ endpoint: 'http://emu.local/' })).toBe('http://emu.local');
    expect(walmart.settings.secrets).toEqual(expect.arrayContaining(['client_secret', 'notification_secret']));
    expect(walmart.listing).toEqual(WALMART_LISTING);
  });
});
