// The GraphQL schema: a faithful subset of Shopify's Admin API, field names, argument names and
// type shapes as Shopify's own (schema-conformance.test.ts checks every declaration against the
// stored introspection of each version). The schema differs by version where Shopify's does
// (`sdlFor`); other version differences are runtime rules (set-quantities.ts).
// Order.retailLocation is Shopify's field for point-of-sale orders: online orders leave it null.

import { buildSchema, type GraphQLSchema } from 'graphql';
import { type ApiVersion, atLeast, COMPARE_QUANTITY_REMOVED_SINCE, STOCK_ANYWHERE_SINCE } from './versions.ts';

/** The SDL of one API version. */
export function sdlFor(version: ApiVersion): string {
  const compare = !atLeast(version, COMPARE_QUANTITY_REMOVED_SINCE);
  return SDL.replace('#compareQuantity', compare ? 'compareQuantity: Int' : '')
    .replace('#ignoreCompareQuantity', compare ? 'ignoreCompareQuantity: Boolean' : '')
    .replace('#ITEM_NOT_STOCKED_AT_LOCATION', atLeast(version, STOCK_ANYWHERE_SINCE) ? '' : 'ITEM_NOT_STOCKED_AT_LOCATION');
}

/** The SDL with version placeholders (`#name` lines), filled in by `sdlFor`. */
const SDL = /* GraphQL */ `
  "Marks a mutation field for replay protection: the same key and input answer the first result again."
  directive @idempotent(key: String!) on FIELD

  scalar DateTime
  scalar UnsignedInt64

  interface Node {
    id: ID!
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type Shop {
    id: ID!
    name: String!
    myshopifyDomain: String!
  }

  type Location implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    name: String!
    isActive: Boolean!
  }
  type LocationEdge {
    cursor: String!
    node: Location!
  }
  type LocationConnection {
    nodes: [Location!]!
    edges: [LocationEdge!]!
    pageInfo: PageInfo!
  }

  type InventoryQuantity {
    name: String!
    quantity: Int!
    updatedAt: DateTime
  }

  type InventoryLevel {
    id: ID!
    location: Location!
    item: InventoryItem!
    quantities(names: [String!]!): [InventoryQuantity!]!
    updatedAt: DateTime!
  }
  type InventoryLevelEdge {
    cursor: String!
    node: InventoryLevel!
  }
  type InventoryLevelConnection {
    nodes: [InventoryLevel!]!
    edges: [InventoryLevelEdge!]!
    pageInfo: PageInfo!
  }

  type InventoryItem implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    sku: String
    tracked: Boolean!
    variant: ProductVariant!
    inventoryLevels(first: Int, after: String): InventoryLevelConnection!
    inventoryLevel(locationId: ID!): InventoryLevel
  }

  type ProductVariant implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    sku: String
    inventoryItem: InventoryItem!
  }
  type ProductVariantEdge {
    cursor: String!
    node: ProductVariant!
  }
  type ProductVariantConnection {
    nodes: [ProductVariant!]!
    edges: [ProductVariantEdge!]!
    pageInfo: PageInfo!
  }

  type LineItem {
    id: ID!
    sku: String
    quantity: Int!
    "Quantity after refunds and cancellation."
    currentQuantity: Int!
    variant: ProductVariant
  }
  type LineItemEdge {
    cursor: String!
    node: LineItem!
  }
  type LineItemConnection {
    nodes: [LineItem!]!
    edges: [LineItemEdge!]!
    pageInfo: PageInfo!
  }

  enum RefundLineItemRestockType {
    RETURN
    CANCEL
    NO_RESTOCK
    LEGACY_RESTOCK
  }

  type RefundLineItem {
    id: ID
    lineItem: LineItem!
    quantity: Int!
    restockType: RefundLineItemRestockType!
    restocked: Boolean!
    location: Location
  }
  type RefundLineItemEdge {
    cursor: String!
    node: RefundLineItem!
  }
  type RefundLineItemConnection {
    nodes: [RefundLineItem!]!
    edges: [RefundLineItemEdge!]!
    pageInfo: PageInfo!
  }

  type Refund implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    createdAt: DateTime
    refundLineItems(first: Int, after: String): RefundLineItemConnection!
  }

  type Order implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    name: String!
    createdAt: DateTime!
    processedAt: DateTime!
    updatedAt: DateTime!
    cancelledAt: DateTime
    lineItems(first: Int, after: String): LineItemConnection!
    "The point-of-sale location of a POS order; null for online orders."
    retailLocation: Location
    refunds(first: Int): [Refund!]!
  }
  type OrderEdge {
    cursor: String!
    node: Order!
  }
  type OrderConnection {
    nodes: [Order!]!
    edges: [OrderEdge!]!
    pageInfo: PageInfo!
  }

  enum OrderSortKeys {
    CREATED_AT
    ID
    PROCESSED_AT
    UPDATED_AT
  }

  input InventoryQuantityInput {
    inventoryItemId: ID!
    locationId: ID!
    quantity: Int!
    changeFromQuantity: Int
    #compareQuantity
  }

  input InventorySetQuantitiesInput {
    name: String!
    reason: String!
    referenceDocumentUri: String
    #ignoreCompareQuantity
    quantities: [InventoryQuantityInput!]!
  }

  type InventoryChange {
    name: String!
    delta: Int!
    quantityAfterChange: Int
    item: InventoryItem
    location: Location
  }

  type InventoryAdjustmentGroup {
    id: ID!
    createdAt: DateTime!
    reason: String!
    referenceDocumentUri: String
    changes(inventoryItemIds: [ID!], locationIds: [ID!], quantityNames: [String!]): [InventoryChange!]!
  }

  enum InventorySetQuantitiesUserErrorCode {
    CHANGE_FROM_QUANTITY_STALE
    COMPARE_QUANTITY_REQUIRED
    COMPARE_QUANTITY_STALE
    IDEMPOTENCY_CONCURRENT_REQUEST
    IDEMPOTENCY_KEY_PARAMETER_MISMATCH
    IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED
    INVALID_INVENTORY_ITEM
    INVALID_LOCATION
    INVALID_NAME
    INVALID_QUANTITY_NEGATIVE
    INVALID_QUANTITY_TOO_HIGH
    INVALID_QUANTITY_TOO_LOW
    INVALID_REASON
    INVALID_REFERENCE_DOCUMENT
    #ITEM_NOT_STOCKED_AT_LOCATION
    NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR
    NON_MUTABLE_INVENTORY_ITEM
  }

  type InventorySetQuantitiesUserError {
    code: InventorySetQuantitiesUserErrorCode
    field: [String!]
    message: String!
  }

  type InventorySetQuantitiesPayload {
    inventoryAdjustmentGroup: InventoryAdjustmentGroup
    userErrors: [InventorySetQuantitiesUserError!]!
  }

  type QueryRoot {
    shop: Shop!
    location(id: ID): Location
    locations(first: Int, after: String): LocationConnection!
    inventoryItem(id: ID!): InventoryItem
    productVariant(id: ID!): ProductVariant
    productVariants(first: Int, after: String, query: String): ProductVariantConnection!
    order(id: ID!): Order
    orders(first: Int, after: String, query: String, sortKey: OrderSortKeys, reverse: Boolean): OrderConnection!
    node(id: ID!): Node
    nodes(ids: [ID!]!): [Node]!
  }

  type Mutation {
    inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
  }

  schema {
    query: QueryRoot
    mutation: Mutation
  }
`;

const built = new Map<ApiVersion, GraphQLSchema>();

/** The schema of one version, built once per process (it holds no state; resolvers live on the root value). */
export function adminSchema(version: ApiVersion): GraphQLSchema {
  let schema = built.get(version);
  if (!schema) {
    schema = buildSchema(sdlFor(version));
    built.set(version, schema);
  }
  return schema;
}
