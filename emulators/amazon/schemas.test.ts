import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SPECS } from './test-support.ts';

describe('bundled schema', () => {
  it('is Amazon\'s listings feed schema v2, byte for byte as stored in the shared specs', () => {
    const bundled = readFileSync(new URL('./schemas/listings-feed-schema-v2.json', import.meta.url), 'utf8');
    expect(bundled).toBe(readFileSync(`${SPECS}listings-feed-schema-v2.json`, 'utf8'));
  });
});
