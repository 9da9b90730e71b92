// `truestock serve`'s reading of TRUESTOCK_METRICS_TOKEN: unset keeps /metrics closed, a short or
// spaced token is refused at start rather than making /metrics guessable.

import { describe, expect, it } from 'vitest';
import { METRICS_TOKEN_CHARS_MIN, metricsTokenFromEnv } from './serve.ts';

describe('metricsTokenFromEnv', () => {
  it('is undefined (metrics closed) when unset or blank', () => {
    expect(metricsTokenFromEnv({})).toBeUndefined();
    expect(metricsTokenFromEnv({ TRUESTOCK_METRICS_TOKEN: '  ' })).toBeUndefined();
  });

  it('takes a long enough token, trimmed', () => {
    const token = 'a'.repeat(METRICS_TOKEN_CHARS_MIN);
    expect(metricsTokenFromEnv({ TRUESTOCK_METRICS_TOKEN: ` ${token}\n` })).toBe(token);
  });

  it('refuses a short token or one with spaces', () => {
    expect(() => metricsTokenFromEnv({ TRUESTOCK_METRICS_TOKEN: 'a'.repeat(METRICS_TOKEN_CHARS_MIN - 1) })).toThrow(/at least 16/);
    expect(() => metricsTokenFromEnv({ TRUESTOCK_METRICS_TOKEN: `${'a'.repeat(METRICS_TOKEN_CHARS_MIN)} b` })).toThrow(/without spaces/);
  });
});
