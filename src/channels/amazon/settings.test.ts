// An Amazon channel's settings: bad values refused when a channel is created or changed, and
// what a connection still lacks said by `connect()` as a refusal naming the field.

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/clock.ts';
import { amazon } from './kind.ts';
import { apiBaseUrl, type AmazonSettings } from './settings.ts';

const env = { clock: new ManualClock(), fetch: (() => Promise.reject(new Error('no network'))) as typeof fetch };
const full = { seller_id: 'A1', client_id: 'c', client_secret: 's', refresh_token: 'r', region: 'eu' };

describe('Amazon settings', () => {
  it('refuses values of the wrong shape, naming the field', () => {
    const check = (s: Record<string, unknown>) => amazon.settings.check(s, 'settings')?.field ?? null;
    expect(check({ seller_id: 'A1' })).toBeNull();
    expect(check({ seller_id: '' })).toBe('settings.seller_id');
    expect(check({ region: 'us' })).toBe('settings.region');
    expect(check({ endpoint: 'ftp://x' })).toBe('settings.endpoint');
    expect(check({ lwa_url: 'not a url' })).toBe('settings.lwa_url');
    expect(check({ rate_limits: { patchListingsItem: { rate: 0, burst: 5 } } })).toBe('settings.rate_limits.patchListingsItem');
    expect(check({ feed_min_items: 0.5 })).toBe('settings.feed_min_items');
    expect(check({ locations: { ATVPDKIKX0DER: '' } })).toBe('settings.locations');
    expect(check({ fba_marketplace_ids: 'ATVPDKIKX0DER' })).toBe('settings.fba_marketplace_ids');
  });

  it('connect() says what a connection lacks; credentials are secrets', () => {
    const lacking = (s: Record<string, unknown>) => {
      const c = amazon.connect!(s, env);
      return 'code' in c ? c.field : null;
    };
    expect(lacking(full)).toBeNull();
    expect(lacking({ ...full, refresh_token: undefined })).toBe('settings.refresh_token');
    expect(lacking({ ...full, client_secret: ' ' })).toBe('settings.client_secret');
    expect(lacking({ ...full, region: undefined })).toBe('settings.region');
    expect(lacking({ ...full, region: undefined, endpoint: 'http://127.0.0.1:9' })).toBeNull();
    expect(amazon.settings.secrets).toEqual(expect.arrayContaining(['refresh_token', 'client_secret', 'notification_secret']));
    expect(amazon.settings.account!({ seller_id: ' A1 ' })).toBe('A1');
  });

  it('a region is its documented host; an endpoint wins', () => {
    expect(apiBaseUrl(full as AmazonSettings)).toBe('https://sellingpartnerapi-eu.amazon.com');
    expect(apiBaseUrl({ ...full, endpoint: 'http://emu.test/' } as AmazonSettings)).toBe('http://emu.test');
  });
});
