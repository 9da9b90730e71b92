// What the catalog routes answer: products, channels, listings, listing events, catalog problems
// and CSV import summaries, as named components (registered in server.ts) and the route-level
// shapes built from them. They describe the views in src/app (productView, channelView,
// listingView, listingViews, catalogProblems, …); a field those views add must be listed here.

import { CATALOG_PROBLEM_KINDS } from '../app/catalog-problems.ts';
import { STOCK_FORMATS } from '../app/stock-import.ts';
import { KIND_NAMES } from '../channels/registry.ts';
import { ITEM_KINDS } from '../domain/model.ts';
import { arrayOf, bool, count, dateTime, described, freeForm, int, nullable, object, oneOf, page, ref, str } from './response-schemas.ts';

type Schema = Record<string, unknown>;

/** An enum that may also be null (a nullable `oneOf` would keep null out of the enum). */
const nullableEnum = (values: readonly string[], description?: string): Schema =>
  ({ anyOf: [oneOf(values), { type: 'null' }], ...(description ? { description } : {}) });

/** A channel's identifiers of a listing, by field name (`inventory_item_id`, `seller_sku`, …), as stored. */
const external = { type: 'object', additionalProperties: { type: 'string' }, description: "The channel's identifiers of the listing, by field (numbers are stored as strings); the fields depend on the channel's kind" };

const listingProps = {
  id: str(),
  channel_id: str(),
  channel: nullable(str('The channel\'s name')),
  channel_kind: nullableEnum(KIND_NAMES),
  sku: nullable(str('The SKU of the item, bundle or multipack listed')),
  item_id: str(),
  item_kind: nullableEnum(ITEM_KINDS),
  external,
  external_key: str('The identifiers as one key, unique among the active listings of the channel'),
  identifiers: arrayOf(ref('ListingIdentifier'), { description: 'The identifiers as the merchant knows them (the number an admin shows, a marketplace by name)' }),
  active: bool('Inactive listings are kept, never deleted, and are not pushed'),
  created_at: dateTime(),
  updated_at: dateTime(),
};

/** Fields of a catalog problem that only some kinds carry. */
const problemBase = { message: str('What is wrong, for a person'), item_sku: str('The item the problem is about (for a barcode, the first item claiming it)') };
const problemOf = (kind: string, description: string, props: Record<string, unknown>) =>
  object({ kind: oneOf([kind]), ...problemBase, ...props }, [], { description });
const onChannel = { channel: str('The channel\'s name'), channel_id: str() };

export const CATALOG_COMPONENTS = {
  Product: object({
    id: str(), handle: str('Unique in the workspace; never changes'), name: str(),
    option_names: arrayOf(str(), { description: 'The options variants differ by, e.g. ["Size", "Color"]' }),
    archived: bool(), created_at: dateTime(), updated_at: dateTime(),
  }),
  Channel: object({
    id: str(), kind: oneOf(KIND_NAMES), name: str(),
    settings: freeForm("The channel kind's own settings, as set; credentials read as \"(set)\" and sending \"(set)\" back keeps the stored value"),
    created_at: dateTime(), updated_at: dateTime(),
  }),
  ListingIdentifier: object({
    field: str('The field of `external`'), label: str('The field as the channel names it'),
    value: str('The value as the channel shows it (e.g. the number inside a global id)'), stored: str('The value as stored in `external`'),
  }),
  ListingNumbers: object({
    published: nullable(object({
      quantity: int(), backorder_units: count('Units of it offered on backorder'), version: int('Grows with each computation'), computed_at: dateTime(),
    }, [], { description: 'The number truestock publishes for the listing; null before its first computation' })),
    pushed: nullable(object({ quantity: int(), at: dateTime() }, [], { description: 'The number truestock last pushed to the channel; null when none was' })),
    shown: nullable(object({ quantity: int(), at: dateTime() }, [], { description: 'The number last seen on the channel; null when none was' })),
  }),
  Listing: object({ ...listingProps, numbers: ref('ListingNumbers') }, [], { description: "A channel's identifiers of one item, bundle or multipack, with the numbers truestock publishes, pushed and saw for it" }),
  ListingEvent: object({
    kind: oneOf(['channel_edit'], "channel_edit: the channel showed a number that is neither what truestock pushed nor its echo — a hand edit in the channel's admin, or an order not taken in yet"),
    at: dateTime('When truestock saw it'),
    channel_id: str(),
    event_id: str("The channel's id of the event (a redelivery is not recorded twice)"),
    shown: int('What the channel showed'),
    pushed: nullable(int('What truestock had last pushed (null: nothing acknowledged yet)')),
    ours: nullable(int("Truestock's own number for the listing then")),
    policy: oneOf(['master_wins', 'adopt'], "The channel's edit policy"),
    outcome: { ...str("requeued (truestock's number goes back, at due_at), adopted (booked as a channel_edit adjustment), adopt_refused:<code> (the ledger's refusal code)"), pattern: '^(requeued|adopted|adopt_refused:[a-z0-9_]+)$' },
    due_at: nullable(dateTime("When truestock's number was due to go back: at once unless it raises what the channel shows (then after the edit grace)")),
    explained_by_order: nullable(bool('For a lowering: true when an order of the channel for the item came with it (its level webhook came first: no hand edit), false when none came within the grace; null while the grace runs, and for a raise')),
  }),
  CatalogProblem: {
    description: 'One thing wrong with the catalog; `kind` says which, and which fields come with it',
    oneOf: [
      problemOf('listing_duplicate', 'One identifier mapped more than once on a channel, or on two channels of one account', {
        ...onChannel, listing_id: str('The first of the listings'), external_key: str(),
        listings: arrayOf(object({ listing_id: str(), channel: str('The channel\'s name'), sku: str() }), { description: 'Every listing mapping the identifier' }),
      }),
      problemOf('listing_missing', 'An active item without an active listing on a channel that lists all items', { ...onChannel, item_kind: oneOf(ITEM_KINDS) }),
      problemOf('listing_archived_item', 'An active listing of an archived item', { ...onChannel, listing_id: str(), external_key: str() }),
      problemOf('barcode_duplicate', 'A barcode claimed by more than one item', { barcode: str(), skus: arrayOf(str(), { description: 'Every item claiming it' }) }),
      problemOf('bundle_component_archived', 'A bundle or multipack with an archived component (`item_sku` is the bundle)', { component_sku: str() }),
    ],
  },
  ItemImportSummary: object({
    rows: count('Data rows in the file'), created: count(), updated: count(), unchanged: count(),
  }, [], { description: 'What an items import did' }),
  StockImportSummary: object({
    reference: str('The movements\' reference, `import:<file_name>`'),
    rows: count('Rows imported'),
    changed: count('Rows whose quantity differed from the ledger: each became a count variance'),
    unchanged: count(),
    skipped: count('Rows left out on purpose (an export\'s "not stocked")'),
    units_added: count(), units_removed: count(), movements: count('Movements written'), zones_set: count(),
    items_created: count('Items created first (formats that create items, with create_items)'),
  }, [], { description: 'What a stock import did' }),
} as const;

// Route answers built from the components.

export const productAnswer = (description: string, variants: string) =>
  described(description, object({ product: ref('Product'), variants: arrayOf(ref('Item'), { description: variants }) }));
export const productsPage = described('A page of products', page(ref('Product')));

export const componentsAnswer = described("The item's components now (empty for a standard item), their earlier sets, and the bundles and multipacks it is part of", object({
  item: ref('Item'),
  components: arrayOf(object({
    sku: str(), item_id: str(), name: nullable(str()), quantity: int('Units of this item in one unit of the bundle or multipack'), archived: bool(),
  })),
  history: arrayOf(object({ version: int(), components: arrayOf(ref('BundleComponent')), created_at: dateTime('When this set was made') }), { description: 'Its component sets, newest first (empty for a standard item)' }),
  used_in: arrayOf(object({ sku: str(), item_id: str(), kind: oneOf(ITEM_KINDS), quantity: int('Units of this item in one unit of it'), archived: bool() }), { description: 'The bundles and multipacks containing this item' }),
}));
export const componentsReplaced = described('The bundle with its new components and the version of the set', object({
  item: ref('Item'), components: arrayOf(ref('BundleComponent')), version: int('The number of this component set'),
}));

export const channelAnswer = (description: string) => described(description, object({ channel: ref('Channel') }));
export const channelsPage = described('A page of channels', page(ref('Channel')));

export const listingAnswer = (description: string) => described(description, object({ listing: ref('Listing') }));
export const listingsPage = described('A page of listings with their numbers', page(ref('Listing')));
export const listingEventsPage = described('Events newest first', page(ref('ListingEvent')));

export const catalogProblemsAnswer = described('The catalog\'s problems, each kind capped', object({
  data: arrayOf(ref('CatalogProblem')),
  truncated: arrayOf(oneOf(CATALOG_PROBLEM_KINDS), { description: 'Kinds with more problems than shown' }),
}));

export const itemImportAnswer = (description: string) => described(description, object({ import: ref('ItemImportSummary') }));
export const stockImportAnswer = described('The import was applied (or, for a key seen before, replayed): one ledger step', object({ import: ref('StockImportSummary') }));
export const stockFormatsAnswer = described('The formats, ours first', object({
  data: arrayOf(object({
    format: oneOf([...STOCK_FORMATS.keys()], 'Pass as `format`'), label: str(), creates_items: bool('Whether `create_items` applies to it'),
  })),
}));
