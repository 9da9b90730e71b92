import { describe, expect, it } from 'vitest';
import { controlFields } from './control-fields.ts';

class Refused extends Error {}
const { objectBody, onlyKeys, int, num, str, bool, optional } = controlFields((detail) => new Refused(detail));

describe('controlFields', () => {
  it('reads good fields as they are', () => {
    expect(objectBody(undefined)).toEqual({});
    expect(objectBody({ a: 1 })).toEqual({ a: 1 });
    expect(() => onlyKeys({ a: 1 }, ['a', 'b'])).not.toThrow();
    expect(int(3, 'n')).toBe(3);
    expect(num(0.5, 'x')).toBe(0.5);
    expect(str('s', 's')).toBe('s');
    expect(bool(false, 'b')).toBe(false);
    expect(optional({ n: 2 }, 'n', int)).toBe(2);
    expect(optional({}, 'n', int)).toBeUndefined();
  });

  it('refuses a bad field with the emulator’s error naming it', () => {
    expect(() => objectBody([1])).toThrow(new Refused('the body must be a JSON object'));
    expect(() => onlyKeys({ a: 1, c: 2 }, ['a', 'b'])).toThrow(new Refused('c is not a known field; known: a, b'));
    expect(() => int(1.5, 'times')).toThrow(new Refused('times must be an integer'));
    expect(() => num(Infinity, 'ms')).toThrow(new Refused('ms must be a number'));
    expect(() => str('', 'sku')).toThrow(new Refused('sku must be a non-empty string'));
    expect(() => bool('yes', 'fail')).toThrow(new Refused('fail must be a boolean'));
    expect(() => optional({ n: 'x' }, 'n', int)).toThrow(new Refused('n must be an integer'));
  });
});
