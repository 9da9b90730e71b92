// Response schemas of the core routes (routes.ts): items, stock, holds and allocations,
// locations, the ledger, exceptions, verify and API keys. Shared resources (Item, Hold, Movement…)
// are in response-schemas.ts; the components named here are this area's (registered by server.ts).

import { EXCEPTION_SEVERITIES, RESOLUTION_KINDS } from '../domain/exception-kinds.ts';
import { EXCEPTION_KINDS, EXCEPTION_STATES, ITEM_KINDS, ROLES } from '../domain/model.ts';
import { ITEM_PROPERTIES, STOCK_COUNTS, arrayOf, bool, count, dateTime, described, int, nullable, object, oneOf, page, ref, shownOnceFields, str } from './response-schemas.ts';

type Schema = Record<string, unknown>;

/** The numbers of the Items list: summed over every location, or at the `location` asked for. */
const itemNumbers = object({
  on_hand: int(), available: int(), committed: int(), incoming: int(), oversold: int(),
  low_stock: bool('available is at or below a low_stock threshold at some location'),
});

/** A bundle's or multipack's component as an item page shows it. */
const itemPart = object({
  sku: str(), item_id: str(), name: nullable(str('null when the component item is gone')),
  quantity: int('Units of this item in one unit of the bundle or multipack'), archived: bool(),
});
/** A bundle or multipack a standard item is part of. */
const itemUse = object({ sku: str('The bundle\'s SKU'), item_id: str(), kind: oneOf(ITEM_KINDS), quantity: int('Units of this item in one unit of that bundle'), archived: bool() });

/** An item's stock: every location's level and the totals. */
const itemStock = object({
  item: ref('Item'),
  locations: arrayOf(object({ location: str('Location code'), ...STOCK_COUNTS, updated_at: dateTime() })),
  total: ref('StockTotals'),
});

const movements = arrayOf(ref('Movement'), { description: 'The movements the command wrote' });


export const CORE_COMPONENTS: Record<string, Schema> = {
  BackorderedLine: object({
    line: int('The line\'s position in the command\'s lines (0-based)'), sku: str(), quantity: count('Units waiting for stock'),
  }, [], { description: 'Units of an order line its channel\'s ring-fence could not cover, waiting for stock' }),
  HoldAnswer: object({ hold: ref('Hold'), movements }, [], { description: 'The hold a command left and the movements it wrote' }),
  ExceptionLink: object({
    rel: oneOf(['order', 'item', 'location', 'channel', 'listing', 'document']), label: str(),
    path: nullable(str('The dashboard page for it; null when it has none')),
  }),
  Exception: object({
    id: str(), kind: oneOf(EXCEPTION_KINDS), kind_label: str(), severity: oneOf(EXCEPTION_SEVERITIES), state: oneOf(EXCEPTION_STATES),
    sku: nullable(str()), location: nullable(str('Location code')), channel_id: nullable(str()), channel_name: nullable(str()),
    quantity: nullable(int()),
    debt: nullable(int('Oversold units this exception still stands for (oversold, count shortfall); null for other kinds')),
    occurrences: count('How many times the condition was seen'), reference: nullable(str()), hold_id: nullable(str()), message: str(),
    assignee: nullable(str('The assigned user\'s name')), assignee_id: nullable(str()), links: arrayOf(ref('ExceptionLink')),
    created_at: dateTime(), last_seen_at: nullable(dateTime()), age_s: count('Seconds since it was raised'),
    acknowledged_at: nullable(dateTime()), resolved_at: nullable(dateTime()),
    resolution: nullable(str('What was done, or how the facts ended it')), resolution_kind: nullable(oneOf(RESOLUTION_KINDS, 'How it ended; only resolved_by_hand is a person\'s word')),
    resolved_by: nullable(str('Who resolved it by hand')), settled_by_movement_id: nullable(str('The movement that repaid its debt')),
  }),
  ApiKey: object({
    id: str(), name: str(), role: oneOf(ROLES), prefix: str('The first characters of the secret, to recognise it'), created_at: dateTime(), revoked: bool(),
  }, [], { description: 'An API key of a workspace, never its secret' }),
};

/** Schemas of each core route, by operation. */
export const core = {
  itemList: described('A page of items with their numbers', object({
    location: str('The location the numbers are at, when one was asked for'),
    data: arrayOf(object({ ...ITEM_PROPERTIES, stock: itemNumbers })),
    next_cursor: nullable(str('Pass as `cursor` for the next page; null on the last page')),
  }, ['location'])),
  itemDetail: described('The item; a bundle or multipack with its components, a standard item with the bundles it is part of', object({
    item: object({ ...ITEM_PROPERTIES, components: arrayOf(itemPart), used_in: arrayOf(itemUse, { description: 'The bundles and multipacks this item is part of (the first ones)' }) }, ['components', 'used_in']),
  })),
  item: described('The item', object({ item: ref('Item') })),
  itemStock: described('The item\'s stock at every location, every bucket, and the totals', itemStock),
  holdPage: described('A page of holds', page(ref('Hold'))),
  hold: described('The hold', object({ hold: ref('Hold') })),
  locationPage: described('A page of locations', page(ref('Location'))),
  location: (what: string) => described(what, object({ location: ref('Location') })),
  holdAnswer: (what: string) => described(what, ref('HoldAnswer')),
  allocated: described('The allocated hold and the movements that committed its units', object({
    hold: ref('Hold'), movements,
    backordered: arrayOf(ref('BackorderedLine'), { description: 'Lines or parts of lines the channel\'s ring-fence could not cover: neither held nor oversold' }),
  }, ['backordered'])),
  backorder: described('Every line was backordered beyond the channel\'s ring-fence: nothing is held', object({
    hold: { type: 'null' }, movements, backordered: arrayOf(ref('BackorderedLine')),
  })),
  movementPage: described('A page of movements, newest first', page(ref('Movement'))),
  exceptionPage: described('A page of exceptions', page(ref('Exception'))),
  verify: described('What the replay found', object({
    ok: bool('No mismatch'), stock_levels: count('Stock levels checked'),
    mismatches: arrayOf(object({
      item_id: str(), location_id: str(),
      check: oneOf(['ledger', 'holds'], 'ledger: balances against the replayed movements; holds: reserved and committed against the holds'),
      buckets: arrayOf(str(), { description: 'The buckets that differ' }),
      stored: { type: 'object', additionalProperties: { type: 'integer' }, description: 'The stored balance of each differing bucket' },
      expected: { type: 'object', additionalProperties: { type: 'integer' }, description: 'What the check expected of each differing bucket' },
    })),
  })),
  apiKeys: described('The API keys of this workspace', object({ data: arrayOf(ref('ApiKey')) })),
  apiKeyCreated: described('The new key and its secret, shown this once: a replay answers secret null and secret_note', object({
    api_key: ref('ApiKey'), ...shownOnceFields('The API key itself (tsk_…), to send as Authorization: Bearer'),
  }, ['secret_note'])),
  apiKeyRevoked: described('The key is revoked', object({ revoked: str('The id of the revoked key') })),
};
