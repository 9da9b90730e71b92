import { describe, expect, it } from 'vitest';
import { emulatorErrors } from './emulator-errors.ts';

const REGISTRY = {
  invalid_input: { status: 400, title: 'The request body is not valid' },
  not_found: { status: 404, title: 'No such resource' },
  sold_out: { status: 409, title: 'Nothing left' },
} as const;

describe('emulatorErrors', () => {
  const { EmulatorError, problemOf, problemAnswer, invalid, notFound, asInvalid } = emulatorErrors(REGISTRY);

  it('gives each code its status and answers it as a problem', () => {
    const err = new EmulatorError('sold_out', 'sku A has 0');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('EmulatorError');
    expect(err.status).toBe(409);
    expect(problemOf(err)).toEqual({ type: '/_emulator/problems/sold_out', title: 'Nothing left', status: 409, detail: 'sku A has 0', code: 'sold_out' });
    expect(problemAnswer(err)).toEqual({ status: 409, headers: { 'Content-Type': 'application/problem+json' }, body: problemOf(err) });
    expect(invalid('bad').status).toBe(400);
    expect(notFound('gone').code).toBe('not_found');
  });

  it('turns a RangeError into invalid_input and lets anything else through', () => {
    expect(asInvalid(() => 7)).toBe(7);
    let caught: unknown;
    try {
      asInvalid(() => {
        throw new RangeError('drop must be within 0..1');
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EmulatorError);
    expect(problemOf(caught as InstanceType<typeof EmulatorError>).detail).toBe('drop must be within 0..1');
    expect(() =>
      asInvalid(() => {
        throw new TypeError('a bug');
      }),
    ).toThrow(TypeError);
  });

  it('makes a class per registry, so one emulator does not catch another one’s refusals', () => {
    const other = emulatorErrors({ invalid_input: { status: 422, title: 'No' }, not_found: { status: 404, title: 'No such thing' } });
    expect(other.invalid('x')).not.toBeInstanceOf(EmulatorError);
    expect(invalid('x')).not.toBeInstanceOf(other.EmulatorError);
    expect(other.invalid('x').status).toBe(422);
  });
});
