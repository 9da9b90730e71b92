// Validates captured HTTP traffic and documents against a channel's official model
// (../shared/specs): Swagger 2.0 and OpenAPI 3 files, and plain JSON Schema files. A connector's
// tests validate what it sends and an emulator's tests what it answers, so the two cannot share
// one misunderstanding: the model is the referee. Every function returns readable errors; an
// empty list means valid.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
export const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

export interface HttpRequestSample {
  method: string;
  /** Absolute or path-only URL, with its query string. */
  url: string;
  /** Validated only when given (declared header parameters). */
  headers?: Record<string, string | undefined>;
  /** The parsed JSON body (undefined when none was sent). */
  body?: unknown;
}

export interface HttpResponseSample {
  operationId: string;
  status: number;
  headers?: Record<string, string | undefined>;
  /** The parsed JSON body (undefined when the answer had none). */
  body?: unknown;
}

export interface RequestCheck {
  /** The operation the request matched, or undefined when no path/method did. */
  operationId: string | undefined;
  errors: string[];
}

export interface RequestOptions {
  /** Query parameters the model does not declare are errors unless this is true. */
  allowUnknownQuery?: boolean;
}

interface Operation {
  id: string;
  method: string;
  template: string;
  segments: string[];
  parameters: Json[];
  requestBody: Json | undefined;
  responses: Json;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

// Swagger 2.0 numeric and binary formats that ajv-formats does not know; their ranges are
// checked where it matters (int32) and otherwise accepted.
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function newAjv(draft2020: boolean): Ajv {
  const options = { strict: false, allErrors: true, validateSchema: false, allowUnionTypes: true } as const;
  const ajv = draft2020 ? (new Ajv2020(options) as unknown as Ajv) : new Ajv(options);
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  for (const f of ['float', 'double']) ajv.addFormat(f, { type: 'number', validate: () => true });
  for (const f of ['byte', 'binary', 'password']) ajv.addFormat(f, true);
  return ajv;
}

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

function describe(errors: ValidateFunction['errors'], where: string): string[] {
  return (errors ?? []).map((e) => {
    const at = `${where}${e.instancePath}`;
    const extra = e.keyword === 'enum' ? ` (${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)})` : e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : '';
    return `${at} ${e.message ?? e.keyword}${extra}`;
  });
}

/** A standalone JSON Schema file (a feed, a processing report, a notification). */
export class JsonSchemaFile {
  private readonly validateFn: ValidateFunction;

  constructor(readonly path: string) {
    const schema = readJson(path);
    const is2020 = String(schema.$schema ?? '').includes('2020-12') || String(schema.$schema ?? '').includes('2019-09');
    this.validateFn = newAjv(is2020).compile(schema);
  }

  validate(doc: unknown, where = 'document'): string[] {
    return this.validateFn(doc) ? [] : describe(this.validateFn.errors, where);
  }
}

/** A Swagger 2.0 or OpenAPI 3 model. */
export class ApiModel {
  readonly doc: Json;
  readonly isOpenApi3: boolean;
  private readonly ajv: Ajv;
  private readonly operations: Operation[] = [];
  private readonly prefixes: string[];
  private readonly compiled = new Map<string, ValidateFunction>();
  private static readonly MODEL_ID = 'model.json';

  constructor(readonly path: string) {
    this.doc = readJson(path);
    this.isOpenApi3 = typeof this.doc.openapi === 'string';
    if (!this.isOpenApi3 && this.doc.swagger !== '2.0') throw new Error(`${path}: neither Swagger 2.0 nor OpenAPI 3`);
    this.ajv = newAjv(false);
    this.ajv.addSchema(this.isOpenApi3 ? withoutNullable(this.doc) : this.doc, ApiModel.MODEL_ID);
    this.prefixes = this.pathPrefixes();
    const paths = (this.doc.paths ?? {}) as Record<string, Json>;
    for (const [template, item] of Object.entries(paths)) {
      const shared = ((item.parameters ?? []) as Json[]).map((p) => this.deref(p));
      for (const method of METHODS) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        const own = ((op.parameters ?? []) as Json[]).map((p) => this.deref(p));
        const merged = [...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)), ...own];
        this.operations.push({
          id: String(op.operationId ?? `${method.toUpperCase()} ${template}`),
          method: method.toUpperCase(),
          template,
          segments: template.split('/').filter(Boolean),
          parameters: merged,
          requestBody: op.requestBody ? this.deref(op.requestBody as Json) : undefined,
          responses: (op.responses ?? {}) as Json,
        });
      }
    }
  }

  operationIds(): string[] {
    return this.operations.map((o) => o.id);
  }

  /** Matches method + URL to an operation and checks its parameters and JSON body. */
  validateRequest(req: HttpRequestSample, options: RequestOptions = {}): RequestCheck {
    const url = new URL(req.url, 'http://model.invalid');
    const match = this.match(req.method.toUpperCase(), url.pathname);
    if (!match) return { operationId: undefined, errors: [`${req.method.toUpperCase()} ${url.pathname} matches no operation of ${this.path}`] };
    const { op, pathValues } = match;
    const errors: string[] = [];
    const query = new Map<string, string[]>();
    for (const [k, v] of url.searchParams) query.set(k, [...(query.get(k) ?? []), v]);
    const headers = req.headers ? Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v])) : undefined;

    for (const p of op.parameters) {
      const name = String(p.name);
      const where = String(p.in);
      if (where === 'body') {
        errors.push(...this.checkBody(op, p.required === true, p.schema as Json | undefined, req.body));
        continue;
      }
      let raw: string[] | undefined;
      if (where === 'path') raw = pathValues.has(name) ? [pathValues.get(name) as string] : undefined;
      else if (where === 'query') raw = query.get(name);
      else if (where === 'header') {
        if (!headers) continue;
        const h = headers[name.toLowerCase()];
        raw = h === undefined ? undefined : [h];
      } else continue;
      if (raw === undefined) {
        if (p.required === true) errors.push(`${where} parameter ${name} is required`);
        continue;
      }
      const schema = this.parameterSchema(p);
      const value = coerce(raw, schema, this.separator(p));
      errors.push(...this.check(schema, value, `${where} parameter ${name}`));
    }
    if (op.requestBody) {
      const content = (op.requestBody.content ?? {}) as Record<string, Json>;
      const json = content['application/json'] ?? Object.entries(content).find(([t]) => t.includes('json'))?.[1];
      if (json) errors.push(...this.checkBody(op, op.requestBody.required === true, json.schema as Json | undefined, req.body));
    }
    if (!options.allowUnknownQuery) {
      for (const k of query.keys()) if (!op.parameters.some((p) => p.in === 'query' && p.name === k)) errors.push(`query parameter ${k} is not declared by ${op.id}`);
    }
    return { operationId: op.id, errors };
  }

  /** Checks an answer's status, JSON body and declared headers against the operation's model. */
  validateResponse(res: HttpResponseSample): string[] {
    const op = this.operations.find((o) => o.id === res.operationId);
    if (!op) return [`operation ${res.operationId} is not in ${this.path}`];
    const declared = op.responses[String(res.status)] ?? op.responses[`${String(res.status)[0]}XX`] ?? op.responses.default;
    if (!declared) return [`${op.id} declares no response ${res.status} (declared: ${Object.keys(op.responses).join(', ')})`];
    const response = this.deref(declared as Json);
    const errors: string[] = [];
    let schema: Json | undefined;
    if (this.isOpenApi3) {
      const content = (response.content ?? {}) as Record<string, Json>;
      const json = content['application/json'] ?? Object.entries(content).find(([t]) => t.includes('json'))?.[1];
      schema = json?.schema as Json | undefined;
    } else {
      schema = response.schema as Json | undefined;
    }
    if (schema) {
      if (res.body === undefined) errors.push(`${op.id} ${res.status}: body is missing`);
      else errors.push(...this.check(schema, res.body, `${op.id} ${res.status} body`));
    }
    if (res.headers) {
      const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), v]));
      for (const [name, decl] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
        const h = this.deref(decl);
        const value = headers[name.toLowerCase()];
        if (value === undefined) {
          if (h.required === true) errors.push(`${op.id} ${res.status}: header ${name} is required`);
          continue;
        }
        const hs = (h.schema as Json | undefined) ?? pickSchemaFields(h);
        errors.push(...this.check(hs, coerce([value], this.resolveSchema(hs), ','), `${op.id} ${res.status} header ${name}`));
      }
    }
    return errors;
  }

  private checkBody(op: Operation, required: boolean, schema: Json | undefined, body: unknown): string[] {
    if (body === undefined) return required ? [`${op.id}: request body is required`] : [];
    return schema ? this.check(schema, body, `${op.id} request body`) : [];
  }

  private check(schema: Json, value: unknown, where: string): string[] {
    const validate = this.compile(schema);
    return validate(value) ? [] : describe(validate.errors, where);
  }

  // Schemas are compiled against the whole model so their local $refs resolve.
  private compile(schema: Json): ValidateFunction {
    const key = JSON.stringify(schema);
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.ajv.compile(rebase(this.isOpenApi3 ? withoutNullable(schema) : schema, ApiModel.MODEL_ID));
      this.compiled.set(key, fn);
    }
    return fn;
  }

  private parameterSchema(p: Json): Json {
    if (p.schema) return this.resolveSchema(p.schema as Json);
    return pickSchemaFields(p);
  }

  private resolveSchema(schema: Json): Json {
    return typeof schema.$ref === 'string' ? this.resolveSchema(this.pointer(schema.$ref)) : schema;
  }

  private separator(p: Json): string | 'multi' {
    if (this.isOpenApi3) {
      const style = String(p.style ?? (p.in === 'query' ? 'form' : 'simple'));
      const explode = p.explode === undefined ? style === 'form' : p.explode === true;
      if (p.in === 'query' && explode) return 'multi';
      return style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ',';
    }
    const f = String(p.collectionFormat ?? 'csv');
    return f === 'multi' ? 'multi' : f === 'ssv' ? ' ' : f === 'tsv' ? '\t' : f === 'pipes' ? '|' : ',';
  }

  private match(method: string, pathname: string): { op: Operation; pathValues: Map<string, string> } | undefined {
    const candidates: Array<{ op: Operation; pathValues: Map<string, string>; literals: number }> = [];
    for (const prefix of ['', ...this.prefixes]) {
      if (prefix && !pathname.startsWith(prefix)) continue;
      const parts = pathname.slice(prefix.length).split('/').filter(Boolean);
      for (const op of this.operations) {
        if (op.method !== method || op.segments.length !== parts.length) continue;
        const values = new Map<string, string>();
        let literals = 0;
        const ok = op.segments.every((seg, i) => {
          const part = parts[i] as string;
          const m = /^\{(.+)\}$/.exec(seg);
          if (m) {
            values.set(m[1] as string, decodeURIComponent(part));
            return true;
          }
          literals++;
          return seg === part;
        });
        if (ok) candidates.push({ op, pathValues: values, literals });
      }
      if (candidates.length > 0) break;
    }
    candidates.sort((a, b) => b.literals - a.literals);
    return candidates[0];
  }

  private pathPrefixes(): string[] {
    const out: string[] = [];
    if (typeof this.doc.basePath === 'string' && this.doc.basePath !== '/') out.push(this.doc.basePath.replace(/\/$/, ''));
    for (const server of (this.doc.servers ?? []) as Json[]) {
      let url = String(server.url ?? '');
      for (const [k, v] of Object.entries((server.variables ?? {}) as Record<string, Json>)) url = url.replaceAll(`{${k}}`, String(v.default ?? ''));
      const path = new URL(url, 'http://model.invalid').pathname.replace(/\/$/, '');
      if (path && !out.includes(path)) out.push(path);
    }
    return out;
  }

  private deref(node: Json): Json {
    return typeof node.$ref === 'string' ? this.deref(this.pointer(node.$ref)) : node;
  }

  private pointer(ref: string): Json {
    if (!ref.startsWith('#/')) throw new Error(`${this.path}: only local $refs are supported (${ref})`);
    let node: unknown = this.doc;
    for (const raw of ref.slice(2).split('/')) {
      const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      node = (node as Json)[key];
      if (node === undefined) throw new Error(`${this.path}: unresolved $ref ${ref}`);
    }
    return node as Json;
  }
}

const SCHEMA_FIELDS = ['type', 'format', 'enum', 'items', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf'];

// A Swagger 2.0 non-body parameter or header carries its schema inline.
function pickSchemaFields(p: Json): Json {
  const out: Json = {};
  for (const f of SCHEMA_FIELDS) if (p[f] !== undefined) out[f] = p[f];
  // Swagger 2.0 expresses exclusive bounds as booleans; draft-07 as numbers.
  if (out.exclusiveMinimum === true) { out.exclusiveMinimum = out.minimum; delete out.minimum; }
  if (out.exclusiveMaximum === true) { out.exclusiveMaximum = out.maximum; delete out.maximum; }
  if (out.exclusiveMinimum === false) delete out.exclusiveMinimum;
  if (out.exclusiveMaximum === false) delete out.exclusiveMaximum;
  return out;
}

// OpenAPI 3.0's `nullable` is not JSON Schema; ajv accepts it only beside a `type`. Rewritten
// as draft-07: a type list with "null", or anyOf with {type: "null"} beside a $ref or a composition.
function withoutNullable(node: Json): Json {
  return JSON.parse(JSON.stringify(node), (_key, value: unknown) => {
    if (!value || typeof value !== 'object' || Array.isArray(value) || !('nullable' in value)) return value;
    const { nullable, ...rest } = value as Json;
    if (nullable !== true) return rest;
    if (typeof rest.type === 'string') {
      const out: Json = { ...rest, type: [rest.type, 'null'] };
      if (Array.isArray(rest.enum)) out.enum = [...(rest.enum as unknown[]), null];
      return out;
    }
    return { anyOf: [rest, { type: 'null' }] };
  }) as Json;
}

// Local "#/..." refs inside a sub-schema point into the whole model, registered under `id`.
function rebase(schema: Json, id: string): Json {
  return JSON.parse(JSON.stringify(schema), (key, value: unknown) => (key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${id}${value}` : value)) as Json;
}

// Turns a parameter's text into the JSON value its schema describes; what does not parse stays
// text so the schema reports it.
function coerce(raw: string[], schema: Json, separator: string): unknown {
  if (schema.type === 'array') {
    const parts = separator === 'multi' ? raw : raw.flatMap((r) => r.split(separator));
    const items = (schema.items ?? {}) as Json;
    return parts.map((part) => scalar(part, items));
  }
  return scalar(raw[raw.length - 1] as string, schema);
}

function scalar(text: string, schema: Json): unknown {
  if (schema.type === 'integer' && /^-?\d+$/.test(text)) return Number(text);
  if (schema.type === 'number' && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (schema.type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

const cache = new Map<string, ApiModel | JsonSchemaFile>();

/** Loads (once per process) a Swagger/OpenAPI model. */
export function loadApiModel(path: string): ApiModel {
  let m = cache.get(path);
  if (!m) cache.set(path, (m = new ApiModel(path)));
  if (!(m instanceof ApiModel)) throw new Error(`${path} was loaded as a JSON Schema file`);
  return m;
}

/** Loads (once per process) a standalone JSON Schema file. */
export function loadJsonSchema(path: string): JsonSchemaFile {
  let m = cache.get(path);
  if (!m) cache.set(path, (m = new JsonSchemaFile(path)));
  if (!(m instanceof JsonSchemaFile)) throw new Error(`${path} was loaded as an API model`);
  return m;
}
