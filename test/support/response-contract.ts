// Holds every answer the HTTP tests get to what /openapi.json declares. The Harness hooks each
// response (its route, status, content type and body) into `ResponseContract.check`, so the whole
// HTTP suite — every test that goes through a Harness — validates real responses against the
// document, not a handful chosen for it.
//
// Stricter than the published document in one way: an object schema that lists its properties
// and says nothing of others is checked as if it said `additionalProperties: false`. Clients may
// meet new fields later (the document stays open), but every field the server sends today must be
// documented: an undocumented field fails the test that caused it.

import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Ajv, ValidateFunction } from 'ajv';
import { addFormats } from './spec-validator.ts';

type Json = Record<string, unknown>;
const DOC_ID = 'https://truestock.test/openapi.json';
interface Media { schema?: Json }
interface Response { content?: Record<string, Media> }

/** `/v1/items/:id` (Fastify) → `/v1/items/{id}` (OpenAPI). */
export const openApiPath = (fastifyUrl: string) => fastifyUrl.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** A copy of `schema` where every object that lists properties and is silent on others allows none. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' || k === '$defs' || k === 'schemas' || k === 'patternProperties' ? Object.fromEntries(Object.entries(v as Json).map(([n, s]) => [n, closed(s)])) : closed(v);
  if ('properties' in out && !('additionalProperties' in out) && !('unevaluatedProperties' in out)) out.additionalProperties = false;
  return out;
}

export class ResponseContract {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly paths: Record<string, Record<string, { responses?: Record<string, Response> }>>;

  constructor(doc: Json) {
    const strict = closed(doc) as Json;
    this.paths = strict.paths as typeof this.paths;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true }) as unknown as Ajv;
    addFormats(this.ajv);
    // Response schemas point at `#/components/schemas/…`: resolve them inside the document.
    this.ajv.addSchema({ $id: DOC_ID, components: strict.components ?? {} } as Json);
  }

  /** Is this (method, Fastify route) an operation of the document? Hidden routes are not. */
  has(method: string, routeUrl: string): boolean {
    return this.paths[openApiPath(routeUrl)]?.[method.toLowerCase()] !== undefined;
  }

  /** Why this answer does not match the document, or null when it does. */
  check(method: string, routeUrl: string, status: number, contentType: string, body: string): string | null {
    const path = openApiPath(routeUrl);
    const where = `${method} ${path} → ${status}`;
    const responses = this.paths[path]?.[method.toLowerCase()]?.responses;
    if (!responses) return `${where}: not an operation of the document`;
    const declared = responses[String(status)] ?? (status >= 500 ? responses.default : undefined);
    if (!declared) return `${where}: status not declared (${Object.keys(responses).join(', ')})`;
    if (status === 204 || (body === '' && !declared.content)) return body === '' ? null : `${where}: a body where none is declared`;
    const type = contentType.split(';')[0]!.trim();
    const media = declared.content?.[type];
    if (!media) return `${where}: ${type || 'no content type'} not declared (${Object.keys(declared.content ?? {}).join(', ') || 'no content'})`;
    if (!type.endsWith('json') || !media.schema) return null;
    const key = `${path} ${method} ${status} ${type}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(media.schema));
      this.validators.set(key, validate);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return `${where}: body is not JSON`;
    }
    return validate(parsed) ? null : `${where}: ${this.ajv.errorsText(validate.errors, { separator: '; ' })} — body ${body.slice(0, 400)}`;
  }
}

/** `#/components/…` inside a response schema means the document's components. */
function rebase(schema: unknown): Json {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\/components\//g, `"$ref":"${DOC_ID}#/components/`)) as Json;
}

/**
 * With TRUESTOCK_RESPONSE_SAMPLES=dir, answers are also written there (JSON lines, at most 30
 * per operation and status): what a response schema is written from and reviewed against.
 */
export class ResponseSamples {
  private readonly counts = new Map<string, number>();
  private readonly file: string | null;

  constructor(dir = process.env.TRUESTOCK_RESPONSE_SAMPLES) {
    this.file = dir ? (mkdirSync(dir, { recursive: true }), join(dir, `samples-${process.pid}.jsonl`)) : null;
  }

  add(method: string, routeUrl: string, status: number, contentType: string, body: string): void {
    if (!this.file) return;
    const key = `${method} ${openApiPath(routeUrl)} ${status}`;
    const n = this.counts.get(key) ?? 0;
    if (n >= 30) return;
    this.counts.set(key, n + 1);
    appendFileSync(this.file, `${JSON.stringify({ op: key, type: contentType, body: body.slice(0, 20_000) })}\n`);
  }
}
