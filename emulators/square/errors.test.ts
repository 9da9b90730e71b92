// One registry each way: every emulator problem code is documented in README.md, and every Square
// error code the emulator answers with is one of the official model's ErrorCode values.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMULATOR_ERRORS } from './errors.ts';
import { model } from './test-support.ts';

const dir = new URL('./', import.meta.url);
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'test-support.ts')
  .map((f) => readFileSync(new URL(f, dir), 'utf8'))
  .join('\n');

describe('error registries', () => {
  it('documents every emulator problem code in README.md', () => {
    const readme = readFileSync(new URL('README.md', dir), 'utf8');
    for (const code of Object.keys(EMULATOR_ERRORS)) expect(readme, code).toContain(`\`${code}\``);
  });

  it("answers only Square error codes and categories the official model declares", () => {
    const schemas = (model().doc.components as any).schemas;
    const codes = new Set<string>(schemas.ErrorCode.enum);
    const categories = new Set<string>(schemas.ErrorCategory.enum);
    const used = [...sources.matchAll(/badRequest\('([A-Z_]+)'/g), ...sources.matchAll(/code: '([A-Z_]+)'/g), ...sources.matchAll(/'(?:INVALID_REQUEST_ERROR|API_ERROR)', '([A-Z_]+)'/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(15);
    for (const c of used) expect(codes.has(c), c).toBe(true);
    for (const m of sources.matchAll(/category: '([A-Z_]+)'/g)) expect(categories.has(m[1]!), m[1]).toBe(true);
    for (const fault of ['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'IDEMPOTENCY_KEY_REUSED', 'RATE_LIMITED', 'UNAUTHORIZED']) expect(codes.has(fault)).toBe(true);
  });
});
