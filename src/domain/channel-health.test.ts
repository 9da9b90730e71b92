import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelHealth, type ChannelHealthFacts, POLL_FAILURES_FAILING } from './channel-health.ts';

const healthy: ChannelHealthFacts = { pushed: true, paused: false, breaker: 'closed', connector_error: null, dead_letters: 0, poll_failures: 0, last_poll_error: null };

describe('channel health', () => {
  it('is active when all is well, and served for a channel without a connector', () => {
    expect(channelHealth(healthy)).toEqual({ state: 'active', reasons: [] });
    expect(channelHealth({ ...healthy, pushed: false, breaker: null })).toEqual({ state: 'served', reasons: [] });
  });

  it('failing order polls are never "active", whatever the breaker says', () => {
    expect(channelHealth({ ...healthy, poll_failures: 1, last_poll_error: 'transient: 503' })).toMatchObject({ state: 'degraded', reasons: ['order polls failing (1 in a row): transient: 503'] });
    expect(channelHealth({ ...healthy, poll_failures: POLL_FAILURES_FAILING }).state).toBe('failing');
  });

  it('an open breaker or a broken connector is failing; pushes facts do not count for a served channel', () => {
    expect(channelHealth({ ...healthy, breaker: 'open' }).state).toBe('failing');
    expect(channelHealth({ ...healthy, connector_error: 'access_token missing' }).state).toBe('failing');
    expect(channelHealth({ ...healthy, pushed: false, breaker: 'open', dead_letters: 3 }).state).toBe('served');
  });

  it('is active or served exactly when there is no reason to say otherwise', () => {
    const facts = fc.record({
      pushed: fc.boolean(), paused: fc.boolean(), breaker: fc.constantFrom('closed' as const, 'open' as const, 'half_open' as const, null),
      connector_error: fc.option(fc.string({ minLength: 1 })), dead_letters: fc.nat(5), poll_failures: fc.nat(5), last_poll_error: fc.option(fc.string()),
    });
    fc.assert(fc.property(facts, (f) => {
      const { state, reasons } = channelHealth(f);
      expect(state === 'active' || state === 'served').toBe(reasons.length === 0);
      if (f.poll_failures > 0) expect(['degraded', 'failing', 'paused']).toContain(state);
      if (state === 'active') expect(f.pushed).toBe(true);
    }));
  });
});
