// An emulator's API routes: a method, a path template whose `{name}` segments are path
// parameters, and the operation it serves. Tried in order, so a literal path must come before a
// template that would also match it.

export interface Route<Op extends string> {
  method: string;
  pattern: RegExp;
  names: string[];
  operation: Op;
}

export function route<Op extends string>(method: string, template: string, operation: Op): Route<Op> {
  const names: string[] = [];
  const pattern = new RegExp(`^${template.replace(/\{(\w+)\}/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`);
  return { method, pattern, names, operation };
}

/**
 * The first route for `method` and `path`, with its path parameters decoded; `pathKnown` says
 * whether any route has the path, so an emulator can tell 405 (another method) from 404.
 */
export function matchRoute<Op extends string>(routes: readonly Route<Op>[], method: string, path: string): { found: { route: Route<Op>; params: Record<string, string> } | undefined; pathKnown: boolean } {
  let pathKnown = false;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathKnown = true;
    if (r.method !== method) continue;
    return { found: { route: r, params: Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) }, pathKnown };
  }
  return { found: undefined, pathKnown };
}
