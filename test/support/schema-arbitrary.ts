// fast-check arbitraries from the JSON Schemas of /openapi.json: `valid(schema)` makes values the
// schema accepts, `invalid(schema)` values it refuses (one fault each: a missing required field,
// a wrong type, an unknown field, out of range, not in the enum). The contract test drives every
// operation with both, so the document itself — not a hand-written list — says what to send.
//
// The subset is what the API's request schemas use: type (or a list of types), enum, const,
// properties/required/additionalProperties, items/minItems/maxItems, minimum/maximum,
// minLength/maxLength, pattern, format (date-time, date, email), anyOf/oneOf, local $ref.

import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { addFormats } from './spec-validator.ts';

type Schema = Record<string, any>;
/** A value for a property of this name (a known SKU, a location code), or undefined to generate one. */
export type Hint = (property: string) => fc.Arbitrary<unknown> | undefined;

const noHint: Hint = () => undefined;
/** Arrays and maps stay short: a request's shape matters here, not its size. */
const ITEMS_MAX = 3;

export class SchemaArbitraries {
  constructor(private readonly doc: Schema, private readonly hint: Hint = noHint) {}

  private resolve(schema: Schema): Schema {
    let s = schema;
    for (let i = 0; i < 10 && typeof s.$ref === 'string' && s.$ref.startsWith('#/'); i++) {
      s = s.$ref.slice(2).split('/').reduce((node: Schema, key: string) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc);
    }
    return s ?? {};
  }

  /** Values `schema` accepts. */
  valid(schema: Schema, property = ''): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    const hinted = property ? this.hint(property) : undefined;
    const made = this.validOf(s);
    return hinted ? fc.oneof({ arbitrary: hinted, weight: 3 }, { arbitrary: made, weight: 1 }).filter((v) => accepts(s, v)) : made;
  }

  private validOf(s: Schema): fc.Arbitrary<unknown> {
    if ('const' in s) return fc.constant(s.const);
    if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
    const branches = s.anyOf ?? s.oneOf;
    if (Array.isArray(branches)) return fc.oneof(...branches.map((b: Schema) => this.valid(b)));
    const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : ['string', 'integer', 'boolean', 'null'];
    return fc.oneof(...types.map((t) => this.ofType(t, s)));
  }

  private ofType(type: string, s: Schema): fc.Arbitrary<unknown> {
    switch (type) {
      case 'null': return fc.constant(null);
      case 'boolean': return fc.boolean();
      case 'integer': return fc.integer({ min: s.minimum ?? -1_000, max: s.maximum ?? Math.max(1_000, s.minimum ?? 0) });
      case 'number': return fc.double({ min: s.minimum ?? -1_000, max: s.maximum ?? 1_000, noNaN: true, noDefaultInfinity: true });
      case 'string': return this.string(s);
      case 'array': {
        const min = s.minItems ?? 0;
        const items = fc.array(this.valid(s.items ?? {}), { minLength: min, maxLength: Math.max(min, Math.min(s.maxItems ?? ITEMS_MAX, ITEMS_MAX)) });
        return s.uniqueItems ? items.map((xs) => [...new Map(xs.map((x) => [JSON.stringify(x), x])).values()]).filter((xs) => xs.length >= min) : items;
      }
      default: return this.object(s);
    }
  }

  private string(s: Schema): fc.Arbitrary<string> {
    const min = s.minLength ?? 0;
    const max = Math.max(min, Math.min(s.maxLength ?? 24, 24));
    if (s.format === 'date-time') return fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    if (s.format === 'date') return fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    if (s.format === 'email') return fc.emailAddress();
    if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length >= min && x.length <= (s.maxLength ?? Infinity));
    return fc.string({ minLength: min, maxLength: max, unit: 'grapheme-ascii' }).filter((x) => x.length >= min);
  }

  private object(s: Schema): fc.Arbitrary<Record<string, unknown>> {
    const props: Record<string, Schema> = s.properties ?? {};
    const required: string[] = (s.required ?? []).filter((k: string) => k in props);
    const record = fc.record(Object.fromEntries(Object.entries(props).map(([k, p]) => [k, this.valid(p, k)])), { requiredKeys: required });
    const extra = s.additionalProperties;
    if (extra && typeof extra === 'object' && Object.keys(props).length === 0) {
      const keys = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme-ascii' });
      return fc.dictionary(keys, this.valid(extra), { maxKeys: Math.min(s.maxProperties ?? ITEMS_MAX, ITEMS_MAX), minKeys: s.minProperties ?? 0 });
    }
    return record as fc.Arbitrary<Record<string, unknown>>;
  }

  /** Values `schema` refuses (a valid value with one fault, or a value of another type); null when it takes anything. */
  invalid(schema: Schema): fc.Arbitrary<unknown> | null {
    const s = this.resolve(schema);
    const faults: fc.Arbitrary<unknown>[] = [];
    const wrong = wrongTypes(s);
    if (wrong.length > 0) faults.push(fc.constantFrom(...wrong));
    if (s.properties && typeOf(s) === 'object') {
      const props: Record<string, Schema> = s.properties;
      const required: string[] = s.required ?? [];
      const base = this.object(s);
      if (required.length > 0) faults.push(fc.tuple(base, fc.constantFrom(...required)).map(([v, k]) => omit(v, k)));
      const faulty = Object.entries(props).map(([k, p]) => [k, this.invalid(p)] as const).filter((e): e is readonly [string, fc.Arbitrary<unknown>] => e[1] !== null);
      if (faulty.length > 0) faults.push(fc.tuple(base, fc.oneof(...faulty.map(([k, bad]) => bad.map((b) => [k, b] as const)))).map(([v, [k, b]]) => ({ ...v, [k]: b })));
      if (s.additionalProperties === false) faults.push(base.map((v) => ({ ...v, unknown_field: 1 })));
    }
    if (Array.isArray(s.enum)) faults.push(fc.constant('not-one-of-the-values'));
    if (typeof s.maximum === 'number') faults.push(fc.constant(s.maximum + 1));
    if (typeof s.minimum === 'number') faults.push(fc.constant(s.minimum - 1));
    if (typeof s.maxLength === 'number' && s.maxLength < 100_000) faults.push(fc.constant('x'.repeat(s.maxLength + 1)));
    if (typeof s.minLength === 'number' && s.minLength > 0) faults.push(fc.constant(''));
    return faults.length > 0 ? fc.oneof(...faults).filter((v) => !accepts(s, v)) : null;
  }
}

function typeOf(s: Schema): string | undefined {
  return Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type ?? (s.properties ? 'object' : undefined);
}

/** Values of JSON types the schema does not allow — what lenient servers coerce (`"7"` → 7, `true` → 1). */
function wrongTypes(s: Schema): unknown[] {
  const allowed: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const of: Record<string, unknown> = { string: '7', integer: 7, number: 7.5, boolean: true, null: null, array: ['3'], object: { x: 1 } };
  return Object.entries(of).filter(([t]) => allowed.length > 0 && !allowed.includes(t) && !(t === 'integer' && allowed.includes('number'))).map(([, v]) => v);
}

const omit = (v: Record<string, unknown>, k: string) => Object.fromEntries(Object.entries(v).filter(([key]) => key !== k));

const ajv = addFormats(new Ajv({ strict: false, allErrors: false }));
const validators = new WeakMap<Schema, ValidateFunction>();

/** Does `schema` accept the value? The same JSON Schema validator the server's is built on (ajv). */
function accepts(schema: Schema, v: unknown): boolean {
  let validate = validators.get(schema);
  if (!validate) validators.set(schema, (validate = ajv.compile(schema)));
  return validate(v);
}
