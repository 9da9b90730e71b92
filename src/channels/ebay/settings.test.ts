import { describe, expect, it } from 'vitest';
import { ebay } from './kind.ts';
import { EBAY_LISTING } from './order-facts.ts';
import { checkEbaySetting, ebaySettings } from './settings.ts';

describe('eBay settings', () => {
  it('refuses bad values naming the field', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ client_id: '' }, 'settings.client_id'],
      [{ endpoint: 'ftp://x' }, 'settings.endpoint'],
      [{ auth_url: 'nope' }, 'settings.auth_url'],
      [{ endpoint_url: 3 }, 'settings.endpoint_url'],
      [{ marketplace_id: 'US' }, 'settings.marketplace_id'],
      [{ verification_token: 'short' }, 'settings.verification_token'],
      [{ poll_seconds: 0 }, 'settings.poll_seconds'],
      [{ daily_revisions: 251 }, 'settings.daily_revisions'],
      [{ bucket_size: -1 }, 'settings.bucket_size'],
      [{ locations: { WH: '' } }, 'settings.locations'],
    ];
    for (const [s, field] of bad) expect(checkEbaySetting(s, 'settings'), JSON.stringify(s)).toMatchObject({ code: 'validation_failed', field });
    expect(checkEbaySetting({ marketplace_id: 'EBAY_GB', verification_token: 'a'.repeat(40), locations: { 'WH-1': 'W1' }, daily_revisions: 200 }, 'settings')).toBeNull();
  });

  it('says which credential a connection lacks', () => {
    expect(ebaySettings({ client_id: 'a', client_secret: 'b' })).toMatchObject({ field: 'settings.refresh_token' });
    expect(ebay.connect!({}, { clock: { now: () => 0 }, fetch })).toMatchObject({ code: 'validation_failed', field: 'settings.client_id' });
  });

  it('declares the listing identity the order facts key lines by, and keeps its secrets secret', () => {
    expect(ebay.listing).toEqual(EBAY_LISTING);
    expect(ebay.settings.secrets).toEqual(expect.arrayContaining(['client_secret', 'refresh_token', 'verification_token']));
  });
});
