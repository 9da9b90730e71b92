// The Inventory API operations: BatchChangeInventory, BatchRetrieveInventoryCounts,
// RetrieveInventoryCount and BatchRetrieveInventoryChanges, over the merchant's ledger.
//
// BatchChangeInventory checks the whole request in a fixed order before recording anything —
// idempotency key, batch size, then each change (type, ids, states, quantity, occurred_at) — so
// a refused batch changes nothing. A key seen before with the same body answers what it answered
// then (nothing recorded twice); with another body, IDEMPOTENCY_KEY_REUSED. Only successes are
// remembered: a refused request may be corrected and sent again under its key.

import type { Catalog } from './catalog.ts';
import { parseQuantity } from './decimal.ts';
import { badRequest } from './errors.ts';
import type { ApiRequest, HttpAnswer } from './http-answer.ts';
import { type Change, type Count, InventoryLedger, type NewChange, type Source, UNTRACKED_STATES } from './inventory.ts';
import { page } from './paging.ts';
import { canonical, type Json, object, objectBody, optionalBoolean, optionalEnumArray, optionalLimit, optionalString, optionalStringArray, optionalTime, requiredString } from './request-fields.ts';
import { changeView, countView } from './views.ts';

/** At most this many changes per BatchChangeInventory (square/connect-python-sdk docs). */
export const BATCH_CHANGES_MAX = 100;
/** occurred_at may be at most this old (the model, on InventoryPhysicalCount and InventoryAdjustment). */
export const OCCURRED_AT_AGE_MAX_MS = 24 * 60 * 60 * 1000;
export const IDEMPOTENCY_KEY_LENGTH_MAX = 128;

export const INVENTORY_STATES = ['CUSTOM', 'IN_STOCK', 'SOLD', 'RETURNED_BY_CUSTOMER', 'RESERVED_FOR_SALE', 'SOLD_ONLINE', 'ORDERED_FROM_VENDOR', 'RECEIVED_FROM_VENDOR', 'IN_TRANSIT_TO', 'NONE', 'WASTE', 'UNLINKED_RETURN', 'COMPOSED', 'DECOMPOSED', 'SUPPORTED_BY_NEWER_VERSION', 'IN_TRANSIT'] as const;
/** States a physical count may set through the API (the others are read-only or untracked). */
export const COUNTABLE_STATES = ['IN_STOCK', 'WASTE'] as const;
/** States an adjustment may move between through the API; the model marks the rest read-only. */
export const ADJUSTABLE_STATES = ['IN_STOCK', 'WASTE', 'SOLD', 'NONE', 'UNLINKED_RETURN'] as const;
const CHANGE_TYPES = ['PHYSICAL_COUNT', 'ADJUSTMENT', 'TRANSFER'] as const;

export interface InventoryApiDeps {
  catalog: Catalog;
  ledger: InventoryLedger;
  now: () => number;
  source: Source;
  /** Told of every batch that recomputed counts (for inventory.count.updated). */
  onCounts(counts: Count[]): void;
}

export class InventoryApi {
  private readonly answered = new Map<string, { request: string; answer: HttpAnswer }>();

  constructor(private readonly d: InventoryApiDeps) {}

  batchChangeInventory(r: ApiRequest): HttpAnswer {
    const b = objectBody(r.body);
    const key = requiredString(b.idempotency_key, 'idempotency_key', IDEMPOTENCY_KEY_LENGTH_MAX);
    const request = canonical(b);
    const seen = this.answered.get(key);
    if (seen) {
      if (seen.request !== request) throw badRequest('IDEMPOTENCY_KEY_REUSED', `The idempotency key ${key} was already used for a different request.`, 'idempotency_key');
      return seen.answer;
    }
    const raw = b.changes ?? [];
    if (!Array.isArray(raw)) throw badRequest('EXPECTED_ARRAY', 'Expected `changes` to be an array.', 'changes');
    if (raw.length > BATCH_CHANGES_MAX) throw badRequest('ARRAY_LENGTH_TOO_LONG', `\`changes\` must have at most ${BATCH_CHANGES_MAX} elements.`, 'changes');
    const ignoreUnchanged = optionalBoolean(b.ignore_unchanged_counts, 'ignore_unchanged_counts') ?? true;
    const now = this.d.now();
    const incoming = raw.map((c, i) => this.change(c, `changes[${i}]`, now));

    // From here on it succeeds.
    const { recorded, recomputed } = this.d.ledger.record(incoming, ignoreUnchanged);
    const pairs = new Set(incoming.map((c) => `${c.catalogObjectId}\u0000${c.locationId}`));
    const counts = this.d.ledger.allCounts().filter((c) => pairs.has(`${c.catalogObjectId}\u0000${c.locationId}`));
    const answer: HttpAnswer = { status: 200, body: { counts: counts.map(countView), ...(recorded.length > 0 ? { changes: recorded.map(changeView) } : {}) } };
    this.answered.set(key, { request, answer });
    if (recomputed.length > 0) this.d.onCounts(recomputed);
    return answer;
  }

  private change(raw: unknown, field: string, now: number): NewChange {
    const c = object(raw, field);
    const type = requiredString(c.type, `${field}.type`);
    if (!(CHANGE_TYPES as readonly string[]).includes(type)) throw badRequest('INVALID_ENUM_VALUE', `\`${field}.type\` must be one of ${CHANGE_TYPES.join(', ')}.`, `${field}.type`);
    if (type === 'TRANSFER') throw badRequest('INVALID_VALUE', 'Transfers between locations are not supported by this emulator (one store location).', `${field}.type`);
    const member = type === 'PHYSICAL_COUNT' ? 'physical_count' : 'adjustment';
    for (const other of ['physical_count', 'adjustment', 'transfer']) {
      if (other !== member && c[other] !== undefined && c[other] !== null) throw badRequest('CONFLICTING_PARAMETERS', `A ${type} change carries \`${member}\` only.`, `${field}.${other}`);
    }
    if (c[member] === undefined || c[member] === null) throw badRequest('MISSING_REQUIRED_PARAMETER', `Missing required parameter \`${field}.${member}\`.`, `${field}.${member}`);
    const f = `${field}.${member}`;
    const p = object(c[member], f);
    const catalogObjectId = requiredString(p.catalog_object_id, `${f}.catalog_object_id`, 100);
    if (!this.d.catalog.variations.has(catalogObjectId)) throw badRequest('INVALID_VALUE', `No catalog object ${catalogObjectId} is tracked by this merchant.`, `${f}.catalog_object_id`);
    const locationId = requiredString(p.location_id, `${f}.location_id`, 100);
    if (!this.d.catalog.locations.has(locationId)) throw badRequest('INVALID_VALUE', `No location ${locationId} belongs to this merchant.`, `${f}.location_id`);
    const quantityText = requiredString(p.quantity, `${f}.quantity`, 26);
    const quantity = parseQuantity(quantityText);
    if (quantity === null) throw badRequest('INVALID_VALUE', `\`${f}.quantity\` must be a decimal string with at most 5 digits after the point.`, `${f}.quantity`);
    const occurredAt = optionalTime(p.occurred_at, `${f}.occurred_at`);
    if (occurredAt === null) throw badRequest('MISSING_REQUIRED_PARAMETER', `Missing required parameter \`${f}.occurred_at\`.`, `${f}.occurred_at`);
    if (occurredAt > now) throw badRequest('INVALID_TIME', `\`${f}.occurred_at\` is in the future.`, `${f}.occurred_at`);
    if (now - occurredAt > OCCURRED_AT_AGE_MAX_MS) throw badRequest('INVALID_TIME', `\`${f}.occurred_at\` is more than 24 hours in the past.`, `${f}.occurred_at`);
    const common = {
      catalogObjectId,
      locationId,
      quantity,
      occurredAt,
      referenceId: optionalString(p.reference_id, `${f}.reference_id`, 255),
      teamMemberId: optionalString(p.team_member_id, `${f}.team_member_id`, 100),
      source: { ...this.d.source },
    };
    if (type === 'PHYSICAL_COUNT') {
      const state = this.state(p.state, `${f}.state`, COUNTABLE_STATES);
      if (quantity < 0n) throw badRequest('VALUE_TOO_LOW', `\`${f}.quantity\` must not be negative.`, `${f}.quantity`);
      return { type: 'PHYSICAL_COUNT', ...common, state };
    }
    const fromState = this.state(p.from_state, `${f}.from_state`, ADJUSTABLE_STATES);
    const toState = this.state(p.to_state, `${f}.to_state`, ADJUSTABLE_STATES);
    if (fromState === toState) throw badRequest('INVALID_VALUE', '`from_state` and `to_state` must differ.', `${f}.to_state`);
    if (InventoryLedger.statesOf({ type: 'ADJUSTMENT', fromState, toState } as NewChange).length === 0) {
      throw badRequest('INVALID_VALUE', `An adjustment between untracked states (${UNTRACKED_STATES.join(', ')}) changes nothing.`, `${f}.to_state`);
    }
    if (quantity <= 0n) throw badRequest('VALUE_TOO_LOW', `\`${f}.quantity\` must be above 0.`, `${f}.quantity`);
    return { type: 'ADJUSTMENT', ...common, fromState, toState, transactionId: null, totalPriceMoney: toState === 'SOLD' ? this.price(catalogObjectId, quantity) : null };
  }

  private state(v: unknown, field: string, allowed: readonly string[]): string {
    const s = requiredString(v, field, 40);
    if (!(INVENTORY_STATES as readonly string[]).includes(s)) throw badRequest('INVALID_ENUM_VALUE', `\`${field}\` must be an InventoryState.`, field);
    if (!allowed.includes(s)) throw badRequest('INVALID_VALUE', `\`${field}\` ${s} cannot be set through the Inventory API here (allowed: ${allowed.join(', ')}).`, field);
    return s;
  }

  /** total_price_money of a SOLD adjustment: the catalog price times the quantity. */
  price(catalogObjectId: string, quantity: bigint): { amount: number; currency: string } {
    const v = this.d.catalog.variations.get(catalogObjectId)!;
    return { amount: Number((BigInt(v.priceAmount) * quantity) / 100000n), currency: v.currency };
  }

  batchRetrieveInventoryCounts(r: ApiRequest): HttpAnswer {
    const b = r.body === undefined ? {} : objectBody(r.body);
    const ids = optionalStringArray(b.catalog_object_ids, 'catalog_object_ids');
    const locations = optionalStringArray(b.location_ids, 'location_ids');
    const updatedAfter = optionalTime(b.updated_after, 'updated_after');
    const states = this.trackedFilter(optionalEnumArray(b.states, 'states', INVENTORY_STATES));
    const limit = optionalLimit(b.limit);
    const cursor = optionalString(b.cursor, 'cursor', 4096) ?? undefined;
    const counts = this.d.ledger
      .allCounts()
      .filter((c) => (!ids || ids.includes(c.catalogObjectId)) && (!locations || locations.includes(c.locationId)) && (!states || states.includes(c.state)) && (updatedAfter === null || c.calculatedAt > updatedAfter))
      .sort(newestFirst);
    const p = page(counts, { ids, locations, updatedAfter, states, limit }, cursor, limit);
    return { status: 200, body: { ...(p.items.length > 0 ? { counts: p.items.map(countView) } : {}), ...(p.cursor ? { cursor: p.cursor } : {}) } };
  }

  retrieveInventoryCount(r: ApiRequest): HttpAnswer {
    const id = r.params.catalog_object_id!;
    const locations = r.query.get('location_ids')?.split(',').filter((s) => s !== '') ?? null;
    const counts = this.d.ledger
      .allCounts()
      .filter((c) => c.catalogObjectId === id && (!locations || locations.length === 0 || locations.includes(c.locationId)))
      .sort(newestFirst);
    const p = page(counts, { id, locations }, r.query.get('cursor') ?? undefined, undefined);
    return { status: 200, body: { ...(p.items.length > 0 ? { counts: p.items.map(countView) } : {}), ...(p.cursor ? { cursor: p.cursor } : {}) } };
  }

  batchRetrieveInventoryChanges(r: ApiRequest): HttpAnswer {
    const b = r.body === undefined ? {} : objectBody(r.body);
    const ids = optionalStringArray(b.catalog_object_ids, 'catalog_object_ids');
    const locations = optionalStringArray(b.location_ids, 'location_ids');
    const types = optionalEnumArray(b.types, 'types', CHANGE_TYPES) ?? ['PHYSICAL_COUNT', 'ADJUSTMENT'];
    const states = optionalEnumArray(b.states, 'states', INVENTORY_STATES);
    const after = optionalTime(b.updated_after, 'updated_after');
    const before = optionalTime(b.updated_before, 'updated_before');
    const limit = optionalLimit(b.limit);
    const cursor = optionalString(b.cursor, 'cursor', 4096) ?? undefined;
    const changes = this.d.ledger.changes
      .filter((c) => (!ids || ids.includes(c.catalogObjectId)) && (!locations || locations.includes(c.locationId)) && types.includes(c.type))
      .filter((c) => !states || c.type !== 'ADJUSTMENT' || states.includes(c.fromState) || states.includes(c.toState))
      .filter((c) => (after === null || c.createdAt > after) && (before === null || c.createdAt < before))
      .sort(oldestFirst);
    const p = page(changes, { ids, locations, types, states, after, before, limit }, cursor, limit);
    return { status: 200, body: { ...(p.items.length > 0 ? { changes: p.items.map(changeView) } : {}), ...(p.cursor ? { cursor: p.cursor } : {}) } };
  }

  /** The model: NONE, SOLD and UNLINKED_RETURN are ignored as filters; none left means no filter. */
  private trackedFilter(states: string[] | null): string[] | null {
    const kept = states?.filter((s) => !(UNTRACKED_STATES as readonly string[]).includes(s)) ?? [];
    return kept.length > 0 ? kept : null;
  }

  forget(): void {
    this.answered.clear();
  }
}

const newestFirst = (a: Count, b: Count) => b.calculatedAt - a.calculatedAt || (a.catalogObjectId + a.locationId + a.state < b.catalogObjectId + b.locationId + b.state ? -1 : 1);
const oldestFirst = (a: Change, b: Change) => a.occurredAt - b.occurredAt || a.seq - b.seq;

export type { Json };
