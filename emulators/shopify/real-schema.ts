// Shopify's own Admin GraphQL schema, from the introspection results stored beside the repository
// (`../shared/specs/shopify/admin_<version>.json.gz`), for tests that check documents and the
// emulator's declarations against the real thing. Test support only: nothing at runtime reads it.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

/** The versions whose introspection is stored. */
export const STORED_SCHEMA_VERSIONS = ['2026-07', '2026-10'] as const;
export type StoredSchemaVersion = (typeof STORED_SCHEMA_VERSIONS)[number];

const SPECS = new URL('../../../shared/specs/shopify/', import.meta.url);
const built = new Map<string, GraphQLSchema>();

export function realAdminSchema(version: StoredSchemaVersion): GraphQLSchema {
  let schema = built.get(version);
  if (!schema) {
    const raw = JSON.parse(gunzipSync(readFileSync(new URL(`admin_${version}.json.gz`, SPECS))).toString('utf8')) as { data: IntrospectionQuery };
    schema = buildClientSchema(raw.data);
    built.set(version, schema);
  }
  return schema;
}
