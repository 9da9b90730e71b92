// Every type, field (with its arguments) and enum value the emulator declares exists in Shopify's
// own schema of each version the emulator serves and whose introspection is stored, with the same
// shape: a connector written against the emulator is then written against Shopify.

import { type GraphQLArgument, type GraphQLNamedType, type GraphQLSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedDirective, isSpecifiedScalarType, isUnionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { realAdminSchema, STORED_SCHEMA_VERSIONS } from './real-schema.ts';
import { adminSchema } from './schema.ts';
import { API_VERSIONS } from './versions.ts';

const kindOf = (t: GraphQLNamedType) => (isObjectType(t) ? 'object' : isInterfaceType(t) ? 'interface' : isInputObjectType(t) ? 'input' : isEnumType(t) ? 'enum' : isUnionType(t) ? 'union' : 'scalar');

function args(where: string, ours: readonly GraphQLArgument[], theirs: readonly GraphQLArgument[]): string[] {
  const out: string[] = [];
  for (const a of ours) {
    const r = theirs.find((x) => x.name === a.name);
    if (!r) out.push(`${where}(${a.name}:) does not exist`);
    else if (String(r.type) !== String(a.type)) out.push(`${where}(${a.name}:) is ${String(a.type)}, Shopify's is ${String(r.type)}`);
  }
  // An argument Shopify requires must be declared, or a document valid here is invalid there.
  for (const r of theirs) if (String(r.type).endsWith('!') && r.defaultValue === undefined && !ours.some((a) => a.name === r.name)) out.push(`${where}(${r.name}:) is required by Shopify`);
  return out;
}

/** Every way the emulator's schema is not a subset of Shopify's. */
function differences(ours: GraphQLSchema, theirs: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const t of Object.values(ours.getTypeMap())) {
    if (t.name.startsWith('__') || isSpecifiedScalarType(t)) continue;
    const r = theirs.getType(t.name);
    if (!r) {
      out.push(`type ${t.name} does not exist`);
      continue;
    }
    if (kindOf(r) !== kindOf(t)) {
      out.push(`${t.name} is ${kindOf(t)}, Shopify's is ${kindOf(r)}`);
      continue;
    }
    if ((isObjectType(t) || isInterfaceType(t)) && (isObjectType(r) || isInterfaceType(r))) {
      const fields = r.getFields();
      for (const f of Object.values(t.getFields())) {
        const g = fields[f.name];
        if (!g) out.push(`${t.name}.${f.name} does not exist`);
        else {
          if (String(g.type) !== String(f.type)) out.push(`${t.name}.${f.name} is ${String(f.type)}, Shopify's is ${String(g.type)}`);
          out.push(...args(`${t.name}.${f.name}`, f.args, g.args));
        }
      }
      for (const i of t.getInterfaces()) if (!r.getInterfaces().some((x) => x.name === i.name)) out.push(`${t.name} does not implement ${i.name}`);
    } else if (isInputObjectType(t) && isInputObjectType(r)) {
      const fields = r.getFields();
      for (const f of Object.values(t.getFields())) {
        const g = fields[f.name];
        if (!g) out.push(`${t.name}.${f.name} does not exist`);
        else if (String(g.type) !== String(f.type)) out.push(`${t.name}.${f.name} is ${String(f.type)}, Shopify's is ${String(g.type)}`);
      }
      for (const g of Object.values(fields)) if (String(g.type).endsWith('!') && g.defaultValue === undefined && !t.getFields()[g.name]) out.push(`${t.name}.${g.name} is required by Shopify`);
    } else if (isEnumType(t) && isEnumType(r)) {
      for (const v of t.getValues()) if (!r.getValue(v.name)) out.push(`${t.name}.${v.name} does not exist`);
    } else if (isUnionType(t) && isUnionType(r)) {
      for (const m of t.getTypes()) if (!r.getTypes().some((x) => x.name === m.name)) out.push(`${m.name} is not a member of ${t.name}`);
    }
  }
  for (const root of ['getQueryType', 'getMutationType'] as const) {
    if (ours[root]()?.name !== theirs[root]()?.name) out.push(`${root}: ${ours[root]()?.name} vs Shopify's ${theirs[root]()?.name}`);
  }
  for (const d of ours.getDirectives()) {
    if (isSpecifiedDirective(d)) continue;
    const r = theirs.getDirective(d.name);
    if (!r) out.push(`@${d.name} does not exist`);
    else {
      for (const l of d.locations) if (!r.locations.includes(l)) out.push(`@${d.name} on ${l} is not allowed`);
      out.push(...args(`@${d.name}`, d.args, r.args));
    }
  }
  return out;
}

describe('the emulator schema against Shopify’s', () => {
  it('serves every version whose schema is stored', () => {
    for (const v of STORED_SCHEMA_VERSIONS) expect(API_VERSIONS).toContain(v);
  });

  for (const v of STORED_SCHEMA_VERSIONS) {
    it(`declares only what ${v} has, with the same shapes`, () => {
      expect(differences(adminSchema(v), realAdminSchema(v))).toEqual([]);
    });
  }

  it('finds a difference when there is one (the check can fail)', () => {
    // 2026-07 still has ITEM_NOT_STOCKED_AT_LOCATION; 2026-10 does not.
    expect(differences(adminSchema('2026-07'), realAdminSchema('2026-10'))).toEqual(['InventorySetQuantitiesUserErrorCode.ITEM_NOT_STOCKED_AT_LOCATION does not exist']);
  });

  it('follows the versions: compareQuantity before 2026-07, ITEM_NOT_STOCKED_AT_LOCATION before 2026-10', () => {
    const has = (v: (typeof API_VERSIONS)[number]) => ({
      compare: 'compareQuantity' in (adminSchema(v).getType('InventoryQuantityInput') as { getFields(): object }).getFields(),
      unstocked: (adminSchema(v).getType('InventorySetQuantitiesUserErrorCode') as { getValue(n: string): unknown }).getValue('ITEM_NOT_STOCKED_AT_LOCATION') !== undefined,
    });
    expect(has('2026-04')).toEqual({ compare: true, unstocked: true });
    expect(has('2026-07')).toEqual({ compare: false, unstocked: true });
    expect(has('2026-10')).toEqual({ compare: false, unstocked: false });
    expect(has('unstable')).toEqual({ compare: false, unstocked: false });
  });
});
