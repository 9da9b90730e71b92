// Every GraphQL document the connector sends is valid against Shopify's own Admin schema of the
// version it targets (SHOPIFY_API_VERSION), and against the emulator's schema of that version.

import { readdirSync, readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { realAdminSchema, STORED_SCHEMA_VERSIONS, type StoredSchemaVersion } from '../../../emulators/shopify/real-schema.ts';
import { adminSchema } from '../../../emulators/shopify/schema.ts';
import { SHOPIFY_API_VERSION } from './client.ts';
import { ORDER_LINES_QUERY, ORDERS_QUERY } from './order-poll.ts';
import { CONCURRENT, PREVIOUS_ATTEMPT_FAILED, READ_BACK, REJECTING, SET_QUANTITIES, STALE } from './push.ts';

const DOCUMENTS = { SET_QUANTITIES, READ_BACK, ORDERS_QUERY, ORDER_LINES_QUERY };

describe('the connector’s GraphQL documents', () => {
  it('targets a version whose schema is stored', () => {
    expect(STORED_SCHEMA_VERSIONS).toContain(SHOPIFY_API_VERSION);
  });

  for (const [name, doc] of Object.entries(DOCUMENTS)) {
    it(`${name} is valid against Shopify ${SHOPIFY_API_VERSION} and the emulator`, () => {
      const parsed = parse(doc);
      expect(validate(realAdminSchema(SHOPIFY_API_VERSION as StoredSchemaVersion), parsed).map((e) => e.message)).toEqual([]);
      expect(validate(adminSchema(SHOPIFY_API_VERSION as StoredSchemaVersion), parsed).map((e) => e.message)).toEqual([]);
    });
  }

  it('lists every document the connector’s files hold', () => {
    // A GraphQL document starts a template literal with `query Name` or `mutation Name`.
    const dir = new URL('.', import.meta.url);
    const found = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .flatMap((f) => [...readFileSync(new URL(f, dir), 'utf8').matchAll(/`\s*(query|mutation)\s+(\w+)/g)].map((m) => m[2]));
    const listed = Object.values(DOCUMENTS).map((d) => /(?:query|mutation)\s+(\w+)/.exec(d)![1]);
    expect(found.sort()).toEqual(listed.sort());
  });

  it('reads only userError codes the targeted version has', () => {
    const codes = realAdminSchema(SHOPIFY_API_VERSION as StoredSchemaVersion).getType('InventorySetQuantitiesUserErrorCode') as { getValue(n: string): unknown };
    const unknown = [...REJECTING, ...STALE, CONCURRENT, PREVIOUS_ATTEMPT_FAILED].filter((c) => codes.getValue(c) === undefined);
    expect(unknown).toEqual([]);
  });

  it('would notice a field Shopify does not have', () => {
    const errors = validate(realAdminSchema('2026-10'), parse('query { orders(first: 1) { nodes { id locationId } } }'));
    expect(errors.map((e) => e.message)).toEqual(['Cannot query field "locationId" on type "Order".']);
  });
});
