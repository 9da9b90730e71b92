// Keeps the error registry and docs/errors.md in step (the Fastify model): every code in ERRORS
// has a `## <code>` section stating its status and retryability, and the docs name no code that
// no longer exists.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, type ErrorCode } from '../domain/errors.ts';

const DOCS_PATH = new URL('../../docs/errors.md', import.meta.url);
const docs = readFileSync(DOCS_PATH, 'utf8');

/** Level-2 headings; a code heading is a single snake_case word, a prose heading has spaces. */
const headings = [...docs.matchAll(/^## (.+?)\s*$/gm)].map((m) => m[1]!);
const codeHeadings = headings.filter((h) => !/\s/.test(h));

/** The text of each `## <code>` section, up to the next level-2 heading. */
function sections(): Map<string, string> {
  const out = new Map<string, string>();
  const parts = docs.split(/^## /m).slice(1);
  for (const part of parts) {
    const [heading, ...body] = part.split('\n');
    out.set(heading!.trim(), body.join('\n'));
  }
  return out;
}

const codes = Object.keys(ERRORS) as ErrorCode[];

describe('docs/errors.md', () => {
  it('has a `## <code>` section for every code in ERRORS', () => {
    const missing = codes.filter((c) => !codeHeadings.includes(c));
    expect(missing, `add a "## <code>" section to docs/errors.md for: ${missing.join(', ')}`).toEqual([]);
  });

  it('names no code that is not in ERRORS', () => {
    const stale = codeHeadings.filter((h) => !(h in ERRORS));
    expect(stale, `docs/errors.md documents codes that no longer exist: ${stale.join(', ')}`).toEqual([]);
  });

  it('documents each code once', () => {
    const seen = new Set<string>();
    const twice = codeHeadings.filter((h) => (seen.has(h) ? true : (seen.add(h), false)));
    expect(twice).toEqual([]);
  });

  it.each(codes)('states the registry status and retryability of %s', (code) => {
    const body = sections().get(code);
    expect(body, `no section for ${code}`).toBeDefined();
    const spec = ERRORS[code];
    expect(body).toContain(`HTTP ${spec.status} · retryable: ${spec.retryable ? 'yes' : 'no'}`);
  });

  it('describes the problem+json shape before the first code', () => {
    const intro = docs.split(/^## /m)[0]!;
    expect(intro).toContain('application/problem+json');
    for (const member of ['type', 'title', 'status', 'detail', 'instance', 'code', 'field', 'request_id', 'retryable']) {
      expect(intro, `intro should describe \`${member}\``).toContain(`\`${member}\``);
    }
    expect(intro).toContain('/problems/<code>');
  });
});
