// The small part of Shopify's search syntax (the `query:` argument) the emulator understands:
// `field:value` terms with an optional comparator (>, >=, <, <=), values optionally quoted,
// terms joined by spaces or AND, groups joined by OR. Unknown fields and bare words are ignored,
// as Shopify ignores filters it does not support.

export type Comparator = '=' | '>' | '>=' | '<' | '<=';

export interface Term {
  field: string;
  op: Comparator;
  value: string;
}

/** OR of AND-groups. An empty query matches everything. */
export type SearchQuery = Term[][];

function tokens(q: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (const ch of q) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      cur += ch;
      quote = ch;
    } else if (/\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur) out.push(cur);
  return out;
}

const unquote = (v: string) => (v.length >= 2 && (v[0] === "'" || v[0] === '"') && v.at(-1) === v[0] ? v.slice(1, -1) : v);

export function parseSearchQuery(q: string | null | undefined): SearchQuery {
  const groups: Term[][] = [[]];
  for (const t of tokens(q ?? '')) {
    if (t === 'OR') {
      groups.push([]);
      continue;
    }
    if (t === 'AND') continue;
    const m = /^([A-Za-z_][A-Za-z0-9_.]*):(>=|<=|>|<)?(.*)$/.exec(t);
    if (!m) continue;
    groups.at(-1)!.push({ field: m[1]!.toLowerCase(), op: (m[2] as Comparator | undefined) ?? '=', value: unquote(m[3]!) });
  }
  return groups.filter((g) => g.length > 0);
}

/** True when some group has every term true; `test` answers undefined for a field it ignores. */
export function matches(query: SearchQuery, test: (t: Term) => boolean | undefined): boolean {
  if (query.length === 0) return true;
  return query.some((group) => group.every((t) => test(t) ?? true));
}

export function compare(a: number, op: Comparator, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}
