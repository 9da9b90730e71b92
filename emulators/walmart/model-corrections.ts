// Where Walmart's models (../shared/specs/walmart, Highside Labs' 2023 copies of Walmart's
// OpenAPI files) contradict their own examples, the examples are what the live API answers, and
// the schema is a generator's slip: a `$ref` to the wrong component. Validating against the raw
// model would refuse every real answer, so answers and requests are validated against a copy with
// exactly these corrections; `model-corrections.test.ts` shows, for each, that the model's own
// example fails the raw schema and passes the corrected one. Everything else is as published.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SPECS = new URL('../../../shared/specs/walmart/', import.meta.url).pathname;

export type ModelName = 'auth' | 'inventory' | 'feeds' | 'orders' | 'notifications';

export interface Correction {
  model: ModelName;
  /** JSON pointer path (as keys) of the node replaced. */
  at: string[];
  value: unknown;
  why: string;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const CORRECTIONS: Correction[] = [
  {
    model: 'inventory',
    at: ['components', 'schemas', 'MultiNodeInventoryFetchResponseDTO', 'properties', 'elements'],
    value: ref('Elements'),
    why: 'GET /v3/inventories: `elements` points at the update request DTO ({inventories:{nodes}}); the example and the unused `Elements` component have inventories as an array of {sku, nodes}.',
  },
  {
    model: 'orders',
    at: ['components', 'schemas', 'GetOrderResponseRecord', 'properties', 'orderLines'],
    value: ref('OrderLinesType'),
    why: 'An order\'s orderLines point at RefundLinesType (every line would need `refunds`); every example has OrderLinesType lines.',
  },
  {
    model: 'orders',
    at: ['components', 'schemas', 'Order', 'properties', 'orderLines'],
    value: ref('OrderLinesType'),
    why: 'The same slip in the `Order` component.',
  },
  {
    model: 'orders',
    at: ['paths', '/v3/orders/{purchaseOrderId}', 'get', 'responses', '200', 'content', 'application/json', 'schema'],
    value: ref('GetOrderResponse'),
    why: 'GET /v3/orders/{purchaseOrderId} declares a bare `Order` (orderDate a date-time string); its example is {"order": {…orderDate in epoch ms}}, the GetOrderResponse the other order operations answer.',
  },
  {
    model: 'orders',
    at: ['components', 'schemas', 'OrderShipmentRecord', 'properties', 'orderLines'],
    value: ref('ShippingLinesType'),
    why: 'POST …/shipping: orderShipment.orderLines points at RefundLinesType; the example sends ShippingLinesType lines (lineNumber, sellerOrderId, orderLineStatuses).',
  },
];

export function rawModel(name: ModelName): Record<string, unknown> {
  return JSON.parse(readFileSync(`${SPECS}${name}.json`, 'utf8')) as Record<string, unknown>;
}

export function corrected(name: ModelName): Record<string, unknown> {
  const doc = rawModel(name);
  for (const c of CORRECTIONS.filter((x) => x.model === name)) {
    let node = doc as Record<string, unknown>;
    for (const k of c.at.slice(0, -1)) node = node[k] as Record<string, unknown>;
    if (!(c.at[c.at.length - 1]! in node)) throw new Error(`model-corrections: ${name} has no ${c.at.join('/')} (the model changed; review the correction)`);
    node[c.at[c.at.length - 1]!] = c.value;
  }
  return doc;
}

let scratch: string | null = null;
/** A directory for this process's model files, removed when the process exits. */
function scratchDir(): string {
  if (scratch === null) {
    const dir = join(tmpdir(), `walmart-models-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  return scratch;
}

/** The corrected model written to a file (the validator loads models by path). */
export function correctedModelPath(name: ModelName): string {
  const path = join(scratchDir(), `${name}.json`);
  writeFileSync(path, JSON.stringify(corrected(name)));
  return path;
}

/**
 * A standalone JSON Schema file for one component of a model (the whole model with a root $ref,
 * so the component's own $refs resolve), for bodies no operation declares: error answers,
 * notification payloads, the token form.
 */
export function componentSchemaPath(name: ModelName, schema: Record<string, unknown>, label: string): string {
  const doc = corrected(name);
  const path = join(scratchDir(), `${name}.${label}.schema.json`);
  writeFileSync(path, JSON.stringify({ ...doc, $schema: 'http://json-schema.org/draft-07/schema#', ...schema }));
  return path;
}
