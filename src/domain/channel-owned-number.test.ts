import { describe, expect, it } from 'vitest';
import { channelOwnsNumber } from './channel-owned-number.ts';
import type { LocationKind } from './model.ts';

const KINDS: Record<string, LocationKind> = { FBA: 'channel_managed', FBA2: 'channel_managed', W1: 'warehouse' };
const kindOf = (code: string) => KINDS[code];

describe('channel-owned numbers (never pushed)', () => {
  it('only a listing that sells nothing but channel-managed stock', () => {
    expect(channelOwnsNumber({ kinds: ['channel_managed'] }, kindOf)).toBe(true);
    expect(channelOwnsNumber({ codes: ['FBA', 'FBA2'] }, kindOf)).toBe(true);
    expect(channelOwnsNumber({ codes: ['FBA'], kinds: ['channel_managed'] }, kindOf)).toBe(true);
    // Ours as well, or every location that ships online, or a code not known: pushed.
    expect(channelOwnsNumber({ codes: ['FBA', 'W1'] }, kindOf)).toBe(false);
    expect(channelOwnsNumber({ kinds: ['channel_managed', 'warehouse'] }, kindOf)).toBe(false);
    expect(channelOwnsNumber({}, kindOf)).toBe(false);
    expect(channelOwnsNumber({ codes: ['GONE'] }, kindOf)).toBe(false);
  });
});
