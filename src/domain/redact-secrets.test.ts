// Channel settings shown to people hide every credential at any depth (issue 15, item 2), and
// sending the shown settings back restores exactly what was stored.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets, restoreRedacted } from './listing-rules.ts';

const SECRET_VALUE = /^SECRET-/;
// Settings trees whose credential names hold marked strings, nested in objects and arrays.
const settings = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.boolean(), fc.constant(null), fc.string().filter((s) => !SECRET_VALUE.test(s)), tie('object'), fc.array(tie('value'), { maxLength: 3 })),
  object: fc.dictionary(fc.constantFrom('shop', 'region', 'nested', 'list', 'edit_policy'), tie('value'), { maxKeys: 4 })
    .chain((o) => fc.record({ access_token: fc.string().map((s) => `SECRET-${s}`), client_secret: fc.string().map((s) => `SECRET-${s}`), pin: fc.string().map((s) => `SECRET-${s}`) }, { requiredKeys: [] }).map((sec) => ({ ...o, ...sec }))),
})).object as fc.Arbitrary<Record<string, unknown>>;

describe('redactSecrets', () => {
  it('hides credentials at any depth; sending the shown settings back restores the stored ones', () => {
    fc.assert(fc.property(settings, (s) => {
      const shown = redactSecrets(s, ['pin']);
      expect(JSON.stringify(shown)).not.toMatch(/SECRET-/);
      expect(restoreRedacted(shown, s)).toEqual(s);
    }));
  });

  it('hides a nested credential, a whole object under a credential name, and keeps numbers', () => {
    expect(redactSecrets({ oauth: { refresh_token: 'r', expires_in: 3600 }, accounts: [{ password: 'p', user: 'u' }], private_key: { pem: 'x' }, token_ttl_seconds: 60 }))
      .toEqual({ oauth: { refresh_token: REDACTED, expires_in: 3600 }, accounts: [{ password: REDACTED, user: 'u' }], private_key: REDACTED, token_ttl_seconds: 60 });
  });
});
