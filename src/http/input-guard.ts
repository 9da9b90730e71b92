// Strict input at the HTTP edge. JSON bodies are taken as sent: a wrong type is refused, never
// converted (`"quantity": true` once became 1 unit). Querystrings and path params arrive as
// strings, so they alone are typed from text. Text must be well-formed Unicode: invalid UTF-8 and
// lone surrogates are refused rather than silently replaced with U+FFFD (a SKU would change).

import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import type { BuildCompilerFromPool } from '@fastify/ajv-compiler';
import { TruestockError } from '../domain/errors.ts';

/** How deep a JSON body may nest; no request of ours needs more than a handful of levels. */
export const JSON_DEPTH_MAX = 32;
/** How many properties one free-form object (channel settings, rule settings) may have. */
export const FREE_FORM_PROPERTIES_MAX = 200;

type Validate = (data: unknown) => boolean;
type CompileOptions = { schema: object; method: string; url: string; httpPart: string };
type CompilerOptions = { customOptions?: Record<string, unknown> };
type FromPool = (externalSchemas: unknown, options: CompilerOptions) => (opts: CompileOptions) => Validate;

// Fastify's own compiler (a dependency of fastify), so schema handling stays exactly Fastify's.
const AjvCompiler = createRequire(import.meta.url)('@fastify/ajv-compiler') as () => FromPool;

/**
 * A Fastify `schemaController.compilersFactory.buildValidator`: bodies compile without type
 * coercion; querystring, params and headers keep Fastify's coercion from strings.
 */
export function buildValidator(): BuildCompilerFromPool {
  const strict = AjvCompiler();
  const fromText = AjvCompiler();
  const factory = (externalSchemas: unknown, options?: CompilerOptions) => {
    const custom = options?.customOptions ?? {};
    const forBodies = strict(externalSchemas, { ...options, customOptions: { ...custom, coerceTypes: false } });
    const forText = fromText(externalSchemas, { ...options, customOptions: { ...custom, coerceTypes: 'array' } });
    return (opts: CompileOptions) => (opts.httpPart === 'body' ? forBodies(opts) : forText(opts));
  };
  // The published type describes the compiler as `(schema) => validate`; at run time Fastify
  // calls it with `{ schema, method, url, httpPart }`, as written above.
  return factory as unknown as BuildCompilerFromPool;
}

/**
 * How deeply `text` (JSON) nests, counted without parsing, so a body nested 50,000 levels is
 * measured in one pass with no recursion. Stops counting past `limit`.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Refuse a raw JSON body that is not UTF-8 or nests too deeply (before it is parsed). */
export function checkRawJson(raw: Buffer): string {
  if (!isUtf8(raw)) throw TruestockError.of('validation_failed', 'the body is not valid UTF-8', 'body');
  const text = raw.toString('utf8');
  if (jsonDepthExceeds(text, JSON_DEPTH_MAX)) throw TruestockError.of('validation_failed', `the body nests deeper than ${JSON_DEPTH_MAX} levels`, 'body');
  return text;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be taken as text (NUL, lone surrogate), or null when it can. */
function badText(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must be well-formed Unicode (no lone surrogates)';
  return null;
}

/** The first string in `value` (a key or a value) that is not acceptable text, with its path, or null. */
export function badTextField(value: unknown, path: string): { field: string; reason: string } | null {
  if (typeof value === 'string') {
    const reason = badText(value);
    return reason ? { field: path, reason } : null;
  }
  if (value === null || typeof value !== 'object') return null;
  // Depth is capped when the body is parsed, so this recursion is bounded.
  for (const [k, v] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    const keyReason = Array.isArray(value) ? null : badText(k);
    if (keyReason) return { field: at, reason: `names a key that ${keyReason}` };
    const found = badTextField(v, at);
    if (found !== null) return found;
  }
  return null;
}
