// Readers for the fields of a control endpoint's JSON body (snake_case, no auth). Each refuses a
// bad field with the emulator's own invalid_input error naming it, so the endpoint answers a 400
// problem; `invalid` is the emulator's (from its `emulatorErrors`).

type Json = Record<string, unknown>;

export function controlFields(invalid: (detail: string) => Error) {
  /** The body as an object; no body is an empty one. */
  function objectBody(body: unknown): Json {
    if (body === undefined) return {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object');
    return body as Json;
  }

  function onlyKeys(b: Json, allowed: string[]): void {
    for (const k of Object.keys(b)) if (!allowed.includes(k)) throw invalid(`${k} is not a known field; known: ${allowed.join(', ')}`);
  }

  function int(v: unknown, field: string): number {
    if (!Number.isSafeInteger(v)) throw invalid(`${field} must be an integer`);
    return v as number;
  }

  function num(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`${field} must be a number`);
    return v;
  }

  function str(v: unknown, field: string): string {
    if (typeof v !== 'string' || v === '') throw invalid(`${field} must be a non-empty string`);
    return v;
  }

  function bool(v: unknown, field: string): boolean {
    if (typeof v !== 'boolean') throw invalid(`${field} must be a boolean`);
    return v;
  }

  /** `f(b[key], key)`, or undefined when the field is absent. */
  function optional<T>(b: Json, key: string, f: (v: unknown, field: string) => T): T | undefined {
    return b[key] === undefined ? undefined : f(b[key], key);
  }

  return { objectBody, onlyKeys, int, num, str, bool, optional };
}
