import { afterAll, describe, expect, it } from 'vitest';
import { loadJsonSchema } from '../../test/support/spec-validator.ts';
import { componentSchemaPath, CORRECTIONS, corrected, rawModel } from './model-corrections.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// For each correction: the model's own example for the operation fails the published schema and
// passes the corrected one — the correction follows the model's examples, it invents nothing.
const CASES: { label: string; model: 'inventory' | 'orders'; schema: unknown; example: (doc: any) => unknown }[] = [
  { label: 'GET /v3/inventories', model: 'inventory', schema: { $ref: '#/components/schemas/MultiNodeInventoryFetchResponseDTO' }, example: (d) => d.paths['/v3/inventories'].get.responses['200'].content['application/json'].example },
  { label: 'GET /v3/orders', model: 'orders', schema: { $ref: '#/components/schemas/PurchaseOrderTypeV3' }, example: (d) => d.paths['/v3/orders'].get.responses['200'].content['application/json'].example },
  { label: 'GET /v3/orders/{purchaseOrderId}', model: 'orders', schema: (null as unknown), example: (d) => d.paths['/v3/orders/{purchaseOrderId}'].get.responses['200'].content['application/json'].examples.ORDER.value },
  { label: 'POST …/shipping request', model: 'orders', schema: { $ref: '#/components/schemas/OrderShipment' }, example: (d) => d.paths['/v3/orders/{purchaseOrderId}/shipping'].post.requestBody.content['application/json'].example },
];

const dir = mkdtempSync(join(tmpdir(), 'walmart-corrections-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function validatorFor(doc: Record<string, unknown>, schema: unknown, label: string) {
  const path = join(dir, `${label.replace(/\W+/g, '_')}.json`);
  writeFileSync(path, JSON.stringify({ ...doc, ...(schema as object) }));
  return loadJsonSchema(path);
}

describe('model corrections', () => {
  for (const c of CASES) {
    it(`${c.label}: the model's example fails the published schema and passes the corrected one`, () => {
      const raw = rawModel(c.model) as any;
      const schema = c.schema ?? raw.paths['/v3/orders/{purchaseOrderId}'].get.responses['200'].content['application/json'].schema;
      const fixedSchema = c.schema ?? (corrected('orders') as any).paths['/v3/orders/{purchaseOrderId}'].get.responses['200'].content['application/json'].schema;
      const example = c.example(raw);
      expect(validatorFor(raw, schema, `${c.label}-raw`).validate(example)).not.toEqual([]);
      expect(validatorFor(corrected(c.model), fixedSchema, `${c.label}-fixed`).validate(example)).toEqual([]);
    });
  }

  it('every correction replaces a node the published model has', () => {
    expect(CORRECTIONS.length).toBe(5);
    for (const m of ['inventory', 'orders'] as const) expect(() => corrected(m)).not.toThrow();
    expect(() => componentSchemaPath('inventory', { $ref: '#/components/schemas/Error' }, 'probe')).not.toThrow();
  });
});
