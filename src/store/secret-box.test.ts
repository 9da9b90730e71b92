// Sealing channel settings (docs/security.md): AES-256-GCM round trips any text, never shows it,
// refuses a tampered or unknown-key value, and passes rows in clear from before encryption.

import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSealed, SecretBox } from './secret-box.ts';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and the sealed text does not hold the plain text', () => {
    fc.assert(fc.property(fc.string({ minLength: 4 }), (plain) => {
      const sealed = box.seal(plain);
      expect(isSealed(sealed)).toBe(true);
      expect(sealed).not.toContain(plain);
      expect(box.open(sealed)).toBe(plain);
      expect(box.sealedWithCurrent(sealed)).toBe(true);
    }));
  });

  it('seals the same text differently each time (a fresh IV)', () => {
    expect(box.seal('{"access_token":"x"}')).not.toBe(box.seal('{"access_token":"x"}'));
  });

  it('refuses a tampered value and one sealed with a key it does not have', () => {
    const sealed = box.seal('{"access_token":"shpat_1"}');
    const raw = Buffer.from(sealed.split(':')[3]!, 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => box.open(`${sealed.split(':').slice(0, 3).join(':')}:${raw.toString('base64')}`)).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/TRUESTOCK_SECRET_KEY/);
  });

  it('reads rows in clear as they are', () => {
    expect(box.open('{"a":1}')).toBe('{"a":1}');
  });

  it('keeps opening with an older key after a rotation, and seals with the new one', () => {
    const old = randomBytes(32);
    const before = new SecretBox(old).seal('old row');
    const rotated = new SecretBox(randomBytes(32), [old]);
    expect(rotated.open(before)).toBe('old row');
    expect(rotated.sealedWithCurrent(before)).toBe(false);
    expect(rotated.sealedWithCurrent(rotated.seal('new row'))).toBe(true);
    const joined = new SecretBox(old).joinedBy(rotated);
    expect(joined.currentId).toBe(rotated.currentId);
    expect(joined.open(before)).toBe('old row');
  });

  it('refuses a key of the wrong length', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
