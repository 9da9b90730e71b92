// Query cost, Shopify-style (README §Cost). Requested cost is computed from the parsed operation
// before it runs; actual cost by the same walk over what it returned. Shopify documents the
// defaults — scalars and enums 0, objects 1, interfaces and unions the most expensive possible
// selection, mutations 10, connections "sized by first and last" — and connections grow with the
// logarithm of the page size, not linearly:
//   connection = 2 + pageFactor(first) × max(1, cost of one node's selection)
//   pageFactor(n) = 0 for n = 0, else 1 + ⌊10 · ln n / ln 250⌋ (1 at first: 1, 11 at first: 250)
// The curve is calibrated to the one figure Shopify has published for it (README): 250 variants
// with their inventory items ask 25 = 1 + 2 + 11 × 2. Lists of objects that are not connections
// cost 1 + one element's selection; root `nodes(ids)` is sized like a connection by the number
// of ids. Actual cost walks what came back: null objects cost 0, a connection is sized by the
// nodes it returned and priced by the dearest of them.
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

export const MUTATION_FIELD_COST = 10;
const CONNECTION_BASE_COST = 2;
/** The page size whose factor is PAGE_FACTOR_AT_MAX: Shopify's largest page. */
const PAGE_SIZE_MAX = 250;
const PAGE_FACTOR_AT_MAX = 11;

/** How many nodes' worth a page of `n` costs: logarithmic in `n`, 1 at 1, 11 at 250. */
export function pageFactor(n: number): number {
  if (!(n >= 1)) return 0;
  return 1 + Math.floor(((PAGE_FACTOR_AT_MAX - 1) * Math.log(n)) / Math.log(PAGE_SIZE_MAX) + 1e-9);
}

/** A connection of `n` nodes, each costing `nodeCost`. */
export const connectionCost = (n: number, nodeCost: number): number => CONNECTION_BASE_COST + pageFactor(n) * Math.max(1, nodeCost);

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** The root type of a mutation, whose fields cost a flat amount. */
  mutationType: GraphQLObjectType | null | undefined;
}

interface Collected {
  nodes: FieldNode[];
  parent: GraphQLCompositeType;
}

type Data = Record<string, unknown>;

function included(w: Walk, node: SelectionNode): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, w.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, w.variables);
  return include?.if !== false;
}

/**
 * The fields a selection set asks of `parent`, by response key. With `runtime` set, only
 * fragments that apply to that object type count; with null (actual mode on an abstract type)
 * every fragment counts, since the data holds only the fields of the type that came back.
 */
function collect(w: Walk, set: SelectionSetNode, parent: GraphQLCompositeType, runtime: GraphQLObjectType | null, out = new Map<string, Collected>()): Map<string, Collected> {
  for (const sel of set.selections) {
    if (!included(w, sel)) continue;
    if (sel.kind === Kind.FIELD) {
      const key = sel.alias?.value ?? sel.name.value;
      const prior = out.get(key);
      if (prior) prior.nodes.push(sel);
      else out.set(key, { nodes: [sel], parent });
      continue;
    }
    const fragment = sel.kind === Kind.INLINE_FRAGMENT ? sel : w.fragments.get(sel.name.value);
    if (!fragment) continue;
    const condName = fragment.typeCondition?.name.value;
    const cond = condName ? w.schema.getType(condName) : parent;
    if (!cond || !isCompositeType(cond)) continue;
    if (runtime && cond !== runtime && !(isAbstractType(cond) && w.schema.isSubType(cond, runtime))) continue;
    collect(w, fragment.selectionSet, cond, runtime, out);
  }
  return out;
}

/** The selections of every node of a field merged into one set. */
function merged(nodes: FieldNode[]): SelectionSetNode {
  return { kind: Kind.SELECTION_SET, selections: nodes.flatMap((n) => n.selectionSet?.selections ?? []) };
}

const isConnection = (t: GraphQLNamedType) => isObjectType(t) && t.name.endsWith('Connection');

/** Cost of a selection set on `type`; `data` undefined = requested cost, else actual cost of `data`. */
function selectionCost(w: Walk, set: SelectionSetNode, type: GraphQLCompositeType, data: Data | undefined): number {
  if (data === undefined && isAbstractType(type)) {
    const costs = w.schema.getPossibleTypes(type).map((t) => fieldsCost(w, collect(w, set, type, t), undefined));
    return Math.max(0, ...costs);
  }
  const runtime = isObjectType(type) ? type : null;
  return fieldsCost(w, collect(w, set, type, runtime), data);
}

function fieldsCost(w: Walk, fields: Map<string, Collected>, data: Data | undefined): number {
  let sum = 0;
  for (const [key, f] of fields) {
    if (data !== undefined && !(key in data)) continue;
    sum += fieldCost(w, f, data === undefined ? undefined : data[key]);
  }
  return sum;
}

function fieldCost(w: Walk, f: Collected, value: unknown): number {
  const node = f.nodes[0]!;
  const name = node.name.value;
  if (name.startsWith('__')) return 0;
  if (isAbstractType(f.parent) || !('getFields' in f.parent)) return 0;
  const def = f.parent.getFields()[name];
  if (!def) return 0;
  const named = getNamedType(def.type);
  if (isLeafType(named) || !isCompositeType(named)) return 0;
  if (f.parent === w.mutationType) return MUTATION_FIELD_COST;
  const actual = value !== undefined;
  if (actual && value === null) return 0;
  const sub = merged(f.nodes);
  const args = getArgumentValues(def, node, w.variables);

  if (isConnection(named)) {
    const conn = named as GraphQLObjectType;
    if (!actual) {
      const first = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : 0;
      return connectionCost(first, connectionNodeCost(w, sub, conn, undefined).cost);
    }
    const returned = connectionNodeCost(w, sub, conn, value as Data);
    return connectionCost(returned.count, returned.cost);
  }

  const unwrapped = isNonNullType(def.type) ? def.type.ofType : def.type;
  if (isListType(unwrapped)) {
    const isRootNodes = f.parent === w.schema.getQueryType() && name === 'nodes';
    if (isRootNodes) {
      if (!actual) return connectionCost(Array.isArray(args.ids) ? args.ids.length : 0, selectionCost(w, sub, named, undefined));
      const found = (value as unknown[]).filter((item) => item !== null);
      return connectionCost(found.length, Math.max(0, ...found.map((item) => selectionCost(w, sub, named, item as Data))));
    }
    if (!actual) return 1 + selectionCost(w, sub, named, undefined);
    const each = (value as unknown[]).map((item) => (item === null ? 0 : selectionCost(w, sub, named, item as Data)));
    return 1 + Math.max(0, ...each);
  }
  return 1 + selectionCost(w, sub, named, actual ? (value as Data) : undefined);
}

/** The cost of one node (requested: as selected; actual: the dearest node returned) and how many came back. */
function connectionNodeCost(w: Walk, set: SelectionSetNode, conn: GraphQLObjectType, data: Data | undefined): { cost: number; count: number } {
  const fields = collect(w, set, conn, conn);
  let cost = 0;
  let count = 0;
  const each = (sel: SelectionSetNode, nodeType: GraphQLCompositeType, nodes: (Data | undefined)[]) => {
    count = Math.max(count, nodes.length);
    for (const n of nodes) cost = Math.max(cost, n === undefined || n === null ? 0 : selectionCost(w, sel, nodeType, n));
  };
  for (const [key, f] of fields) {
    const name = f.nodes[0]!.name.value;
    const def = conn.getFields()[name];
    if (!def) continue;
    const sub = merged(f.nodes);
    if (name === 'nodes') {
      const nodeType = getNamedType(def.type) as GraphQLCompositeType;
      if (data === undefined) cost = Math.max(cost, selectionCost(w, sub, nodeType, undefined));
      else each(sub, nodeType, (data[key] as Data[] | undefined) ?? []);
    } else if (name === 'edges') {
      const edgeType = getNamedType(def.type) as GraphQLObjectType;
      const edgeFields = collect(w, sub, edgeType, edgeType);
      for (const [edgeKey, ef] of edgeFields) {
        if (ef.nodes[0]!.name.value !== 'node') continue;
        const nodeType = getNamedType(edgeType.getFields().node!.type) as GraphQLCompositeType;
        const nodeSel = merged(ef.nodes);
        if (data === undefined) cost = Math.max(cost, selectionCost(w, nodeSel, nodeType, undefined));
        else each(nodeSel, nodeType, ((data[key] as Data[] | undefined) ?? []).map((e) => e[edgeKey] as Data));
      }
    } else if (data !== undefined && Array.isArray(data[key])) {
      count = Math.max(count, (data[key] as unknown[]).length);
    }
  }
  return { cost, count };
}

function walkOf(schema: GraphQLSchema, doc: DocumentNode, op: OperationDefinitionNode, variables: Record<string, unknown>): Walk {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return { schema, fragments, variables, mutationType: op.operation === 'mutation' ? schema.getMutationType() : null };
}

function rootType(schema: GraphQLSchema, op: OperationDefinitionNode): GraphQLObjectType {
  const t = op.operation === 'mutation' ? schema.getMutationType() : op.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!t) throw new Error(`assertion: the schema has no ${op.operation} type`);
  return t;
}

/** The cost of an operation before it runs; `variables` must be the coerced variable values. */
export function requestedCost(schema: GraphQLSchema, doc: DocumentNode, op: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const w = walkOf(schema, doc, op, variables);
  return selectionCost(w, op.selectionSet, rootType(schema, op), undefined);
}

/** The cost of what an operation returned. */
export function actualCost(schema: GraphQLSchema, doc: DocumentNode, op: OperationDefinitionNode, variables: Record<string, unknown>, data: Data | null | undefined): number {
  if (!data) return 0;
  const w = walkOf(schema, doc, op, variables);
  return selectionCost(w, op.selectionSet, rootType(schema, op), data);
}
