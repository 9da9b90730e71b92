// The emulator's own refusals (control endpoints and in-process methods), generic over the
// emulator's registry of codes: each code maps to an HTTP status and a title, and the control
// endpoints answer them as RFC 9457 problems. The channel's API error shapes are not here: they
// differ per channel and stay in each emulator's errors.ts.

export const PROBLEM_JSON = 'application/problem+json';

/** What a registry says about one code. */
export interface ErrorSpec {
  readonly status: number;
  readonly title: string;
}

/** A registry of codes; every emulator refuses bad input and unknown resources. */
export type ErrorRegistry = { readonly invalid_input: ErrorSpec; readonly not_found: ErrorSpec } & Readonly<Record<string, ErrorSpec>>;

export interface Problem<C extends string = string> {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: C;
}

/**
 * The refusal machinery bound to one registry. Each call makes its own EmulatorError class, so
 * `instanceof` tells one emulator's refusals from another's and `code` is typed by the registry.
 */
export function emulatorErrors<R extends ErrorRegistry>(registry: R) {
  type Code = keyof R & string;

  class EmulatorError extends Error {
    readonly code: Code;
    constructor(code: Code, detail: string) {
      super(detail);
      this.name = 'EmulatorError';
      this.code = code;
    }
    get status(): number {
      return registry[this.code]!.status;
    }
  }

  function problemOf(err: EmulatorError): Problem<Code> {
    const spec = registry[err.code]!;
    return { type: `/_emulator/problems/${err.code}`, title: spec.title, status: spec.status, detail: err.message, code: err.code };
  }

  /** The control endpoints' answer for a refusal: the problem with its status. */
  function problemAnswer(err: EmulatorError): { status: number; headers: Record<string, string>; body: Problem<Code> } {
    const problem = problemOf(err);
    return { status: problem.status, headers: { 'Content-Type': PROBLEM_JSON }, body: problem };
  }

  const invalid = (detail: string) => new EmulatorError('invalid_input', detail);
  const notFound = (detail: string) => new EmulatorError('not_found', detail);

  /** Runs `f`, turning the RangeError a kit piece throws for a bad argument into invalid_input. */
  function asInvalid<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof RangeError) throw invalid(err.message);
      throw err;
    }
  }

  return { EmulatorError, problemOf, problemAnswer, invalid, notFound, asInvalid };
}
