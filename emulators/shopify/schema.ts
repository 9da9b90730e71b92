// The GraphQL schema: a faithful subset of Shopify's Admin API, field names as Shopify's. One
// schema serves every accepted version; version differences are runtime rules (set-quantities.ts).
// Order.retailLocation is Shopify's field for POS orders; the emulator uses it to show the
// location it assigned to every order (see README).

import { buildSchema, type GraphQLSchema } from 'graphql';

export const SDL = /* GraphQL */ `
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
    inventoryLevels(first: Int!, after: String): InventoryLevelConnection!
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
    refundLineItems(first: Int!, after: String): RefundLineItemConnection!
  }

  type Order implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    name: String!
    createdAt: DateTime!
    processedAt: DateTime!
    updatedAt: DateTime!
    cancelledAt: DateTime
    lineItems(first: Int!, after: String): LineItemConnection!
    "The location the emulator assigned to the order (Shopify fills this for POS orders only)."
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
    compareQuantity: Int
  }

  input InventorySetQuantitiesInput {
    name: String!
    reason: String!
    referenceDocumentUri: String
    ignoreCompareQuantity: Boolean
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
    ITEM_NOT_STOCKED_AT_LOCATION
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
    location(id: ID!): Location
    locations(first: Int!, after: String): LocationConnection!
    inventoryItem(id: ID!): InventoryItem
    productVariant(id: ID!): ProductVariant
    productVariants(first: Int!, after: String, query: String): ProductVariantConnection!
    order(id: ID!): Order
    orders(first: Int!, after: String, query: String, sortKey: OrderSortKeys, reverse: Boolean): OrderConnection!
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

let built: GraphQLSchema | undefined;

/** The schema, built once per process (it holds no state; resolvers live on the root value). */
export function adminSchema(): GraphQLSchema {
  built ??= buildSchema(SDL);
  return built;
}
