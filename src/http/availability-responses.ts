// Response shapes of availability, channel sync and routing: a channel rule and what saving one
// did, a listing's number with every step that made it, a channel's sync status, the numbers
// served to whoever pulls them, and the routing rules with what-if routing decisions. Registered
// once on the server (server.ts); routes reference them with `ref('ChannelRule')`.

import { ERRORS } from '../domain/errors.ts';
import { ITEM_KINDS, LOCATION_KINDS } from '../domain/model.ts';
import { SERVICE_LEVELS } from '../domain/routing.ts';
import { SHIPPING_LEVELS } from '../domain/routing-rules.ts';
import { FAILURES } from '../sync/connector.ts';
import { arrayOf, bool, count, dateTime, int, nullable, object, oneOf, ref, str } from './response-schemas.ts';

type Schema = Record<string, unknown>;
const num = (description?: string): Schema => ({ type: 'number', ...(description ? { description } : {}) });
/** A map keyed by data (a location code, a budget name…). */
const mapOf = (value: unknown, description: string): Schema => ({ type: 'object', additionalProperties: value, description });
/** One variant of a tagged union: `mode` (or `step`) is this one value. */
const tag = (value: string, description?: string): Schema => oneOf([value], description);

// Channel rules -----------------------------------------------------------------------------------

const locationScope = object({
  codes: arrayOf(str(), { description: 'Location codes the channel may sell from' }),
  kinds: arrayOf(oneOf(LOCATION_KINDS), { description: 'Location kinds the channel may sell from' }),
}, ['codes', 'kinds'], { description: 'Where the channel may sell from; neither codes nor kinds: every location that ships online' });

const allocation = {
  description: 'How much of the pool the channel gets',
  oneOf: [
    object({ mode: tag('shared', 'The whole pool') }),
    object({ mode: tag('share', 'A share of the pool, rounded down'), percent: num('0 to 100') }),
    object({ mode: tag('ring_fenced', 'Units reserved for this channel alone'), quantity: count() }),
  ],
};

const buffer = {
  description: 'Units held back from what the channel was allocated',
  oneOf: [
    object({ mode: tag('none') }),
    object({ mode: tag('fixed'), units: count() }),
    object({ mode: tag('percent', 'Percent of the allocation, rounded up'), percent: num('0 to 100') }),
    object({
      mode: tag('adaptive', 'What other channels are likely to sell before this one hears of it (a Poisson quantile of velocity × lag)'),
      confidence: num('Strictly between 0 and 1, e.g. 0.95'), min_units: count(), max_units: count(),
    }),
  ],
};

const ChannelRuleSettings = object({
  locations: locationScope,
  allocation,
  buffer,
  cap_units: nullable(count('Show at most this many')),
  zero_below_units: nullable(count('Show 0 when the result is below this')),
  backorder_days: nullable(count('Also promise units incoming within this many days, flagged as backorder; null: never')),
}, ['locations', 'allocation', 'buffer', 'cap_units', 'zero_below_units', 'backorder_days'], {
  description: 'What a rule sets; anything left out comes from the channel\'s less specific rules (docs/availability.md)',
});

const ChannelRule = object({
  id: str(),
  channel_id: str(),
  skus: nullable(arrayOf(str(), { description: 'Items this rule is for; null: every item on the channel' })),
  starts_at: nullable(dateTime('The rule applies from here (inclusive); null: no start')),
  ends_at: nullable(dateTime('The rule applies until here (exclusive); null: no end')),
  below_units: nullable(int('Applies only while the pool the channel draws on is below this many units')),
  settings: ref('ChannelRuleSettings'),
  does: str('What the rule does, in words'),
  active: bool('false: deactivated, kept in the history'),
  created_at: dateTime(),
  updated_at: dateTime(),
});

const RingFenceLine = object({
  sku: str(),
  wanted: count('Units the rules ask to fence'),
  fenced: count('Units the fence holds after reconciling'),
  short: count('wanted − fenced: units there was not enough available stock for'),
}, [], { description: 'What a channel\'s ring-fence holds for one item' });

const ChannelRuleSaved = object({
  rule: ref('ChannelRule'),
  listings_changed: count('Listings of the channel whose number changed (recomputed in the same transaction)'),
  next_rule_change_at: nullable(dateTime('When a rule of the channel next starts or ends; null: none is scheduled')),
  ring_fence: arrayOf(ref('RingFenceLine'), { description: 'The channel\'s ring-fence after the change; present when a rule of the channel fences or a fence remains' }),
}, ['next_rule_change_at', 'ring_fence'], { description: 'A saved rule and what saving it did. Deactivating a rule already inactive answers only rule and listings_changed (0).' });

// The explanation of a listing's number ---------------------------------------------------------

const step = (name: string, description: string, detail: Schema): Schema =>
  object({ step: tag(name), value: int('The number after this step'), why: str('The step in words'), detail }, [], { description });

const AvailabilityStep = {
  description: 'One step of a listing\'s number: what was done and the number after it; `detail` depends on `step`',
  oneOf: [
    step('locations', 'The pool: available units at the eligible locations', object({
      scope: locationScope,
      locations: arrayOf(object({
        location: str('Location code'), kind: oneOf(LOCATION_KINDS),
        available: int('Available units here (a standard item)'), kits: int('Kits buildable here (a bundle or multipack)'),
        ring_fenced: count('Units fenced for this channel here (a ring-fenced rule)'), incoming_soon: count('Units arriving here within the backorder window'),
      }, ['available', 'kits', 'ring_fenced', 'incoming_soon'])),
    })),
    step('bundle', 'A bundle or multipack: kits built per location from its components', object({
      components: arrayOf(object({ sku: str(), kind: oneOf(ITEM_KINDS), per_kit: count('Units of the component in one kit') })),
      per_location: arrayOf(object({
        location: str('Location code'), kits: int(),
        limiting: nullable(object({ sku: str('The component that allows the fewest kits'), units: int('Its units here'), per_kit: count() })),
        prebuilt: int('Pre-built kits on the shelf here (items that stock pre-built kits)'),
      }, ['prebuilt'])),
    })),
    step('allocation', 'What the channel gets of the pool', object({
      mode: oneOf(['shared', 'share', 'ring_fenced']), pool: int(),
      percent: num('The share (mode share)'), quantity: count('The fence asked for (mode ring_fenced)'), ring_fenced: count('Units the fence holds (mode ring_fenced)'),
    }, ['percent', 'quantity', 'ring_fenced'])),
    step('buffer', 'Units held back', object({
      mode: oneOf(['none', 'fixed', 'percent', 'adaptive']), units: int('Units held back'),
      percent: num('mode percent'),
      confidence: num('mode adaptive, and the ones below'), others_units_per_hour: num('Sales velocity of the item on the other channels'),
      inbound_lag_seconds: num('How late the other channels\' sales reach truestock'), inbound_lag_channel: str('The channel whose sales arrive latest'),
      outbound_lag_seconds: num('How late this channel shows a new number'), lambda: num('Expected sales during the lag'), quantile: int(),
      min_units: count(), max_units: count(),
    }, ['percent', 'confidence', 'others_units_per_hour', 'inbound_lag_seconds', 'inbound_lag_channel', 'outbound_lag_seconds', 'lambda', 'quantile', 'min_units', 'max_units'])),
    step('cap', 'Show at most cap_units', object({ cap_units: nullable(count()) })),
    step('zero_below', 'Show 0 below zero_below_units', object({ zero_below_units: nullable(count()) })),
    step('backorder', 'Incoming units within the backorder window', object({ backorder_days: nullable(count()), incoming_soon: int(), backorder_units: count() })),
    step('channel_owned', 'The channel keeps this stock itself (e.g. FBA): the number is served, never pushed', object({
      pushed: { type: 'boolean', enum: [false] },
      reports: arrayOf(object({
        location: str('Location code'), available: int(), reserved: int(), inbound: int(), unfulfillable: int(), researching: int(),
        reported_at: dateTime('When the channel reported it'),
      }), { description: 'The channel\'s last report of the item at each of its locations' }),
    })),
    step('result', 'The number to publish', object({ quantity: int(), backorder_units: count(), rules_applied: arrayOf(str(), { description: 'Rule ids, least to most specific' }) })),
  ],
};

const ListingAvailability = object({
  listing_id: str(),
  channel: nullable(str('The channel\'s name')),
  channel_id: str(),
  sku: str(),
  active: bool(),
  quantity: int('The number computed now from the ledger'),
  backorder_units: count('Units of quantity that are backorder (incoming)'),
  rules_applied: arrayOf(str(), { description: 'Ids of the rules in force, least to most specific' }),
  rules_not_applied: arrayOf(object({ id: str(), does: str('What the rule would do'), why: str('Why it does not apply now') }), { description: 'The channel\'s other rules for this SKU' }),
  steps: arrayOf(ref('AvailabilityStep')),
  published: nullable(object({ quantity: int(), backorder_units: count(), version: int('Grows with each number enqueued for the listing') }, [], { description: 'What was last published (enqueued); null: never' })),
  computed_at: dateTime(),
}, [], { description: 'A listing\'s number and every step that made it' });

const OutboxEntry = object({
  listing_id: str(), channel_id: str(), quantity: int(), backorder_units: count(), version: int('The number\'s version; a push acknowledges it'), enqueued_at: dateTime(),
}, [], { description: 'The latest number of a listing waiting to be pushed' });

// Channel sync ------------------------------------------------------------------------------------

const ChannelDispatcherStatus = object({
  connector_error: nullable(str('Why the connector cannot be built (settings missing or wrong)')),
  breaker: object({
    state: oneOf(['closed', 'open', 'half_open']), consecutive_failures: count(),
    opened_at: nullable(dateTime('When it opened')), retry_at: nullable(dateTime('When it lets a probe through')),
  }),
  pushes_per_minute: num(),
  lag_p50_ms: nullable(num('Propagation lag (committed → acknowledged), median')),
  lag_p99_ms: nullable(num()),
  calls: object(Object.fromEntries(['ok', ...FAILURES].map((f) => [f, count()])), [], { description: 'Calls to the channel by result' }),
  stale: count('Pushes skipped because a newer number was queued'),
  dead_lettered: count('Listings this process dead-lettered'),
  last_error: nullable(object({ at: dateTime(), message: str() })),
  budget: nullable(object({ available: int(), capacity: num(), refill_per_second: num() }, [], { description: 'The push budget (token bucket)' })),
  limits: arrayOf(object({
    name: str(), per_listing: num('What one listing may use per window'), held: count('Listings whose pushes the limit holds now'),
    max_used: num('The most one listing used in the current window'), resets_at: nullable(dateTime()),
    detail: mapOf(num(), 'The kind\'s own counts'),
  }, ['detail']), { description: 'Limits on single listings (eBay revisions per day); absent when the connector keeps none' }),
}, ['limits'], { description: 'What the dispatcher of the answering process knows of the channel' });

const ChannelSyncStatus = object({
  channel_id: str(),
  kind: str('The channel kind'),
  numbers: oneOf(['pushed', 'served'], '`served`: no connector pushes this channel; read its numbers from `served`'),
  // The words of domain/channel-health.ts (ChannelState).
  state: oneOf(['active', 'served', 'paused', 'degraded', 'failing']),
  state_reasons: arrayOf(str(), { description: 'Why the state is not active (or served)' }),
  paused: bool(),
  paused_reason: nullable(str('Why truestock paused it itself (`auth`: the channel refused its credentials); null when paused by hand or not paused')),
  hidden_skus: arrayOf(str()),
  queue_depth: nullable(count('Numbers waiting to be pushed; null for a served channel')),
  oldest_pending_age_s: nullable(num('Seconds the oldest waiting number has waited')),
  dead_letters: nullable(count('Listings parked after failing; null for a served channel')),
  dead_letter_sample: arrayOf(object({ listing_id: str(), sku: nullable(str()), at: dateTime(), reason: nullable(str()) }), { description: 'The oldest dead letters (up to 50)' }),
  dispatcher: nullable(ref('ChannelDispatcherStatus')),
  inbound: nullable(object({
    last_poll_at: nullable(dateTime()), last_ok_at: nullable(dateTime()),
    last_error: nullable(object({ at: dateTime(), message: str() })), consecutive_failures: count('Failed order polls in a row'),
  }, [], { description: 'How the order polls ended; null: never polled' })),
  polled: bool('Whether its kind polls for orders (else they come by webhook or through the API)'),
  served: nullable(object({ json: str(), csv: str() }, [], { description: 'Where to read a served channel\'s numbers' })),
}, [], { description: 'A channel\'s sync' });

const ServedNumber = object({
  listing_id: str(),
  sku: str(),
  external: mapOf({ type: 'string' }, 'The channel\'s identifiers of the listing (per kind: external_id, sku, …)'),
  external_key: str(),
  quantity: int('The number truestock publishes for this listing: its computed availability, as in the outbox and explain'),
  backorder_units: count(),
  computed_at: nullable(dateTime()),
}, [], { description: 'One listing\'s published number, for whoever pulls it' });

// Routing ------------------------------------------------------------------------------------------

const transitTable = object(
  Object.fromEntries(SHIPPING_LEVELS.map((l) => [l, nullable(arrayOf(object({
    max_km: nullable(num('Up to this distance (km); null: any distance')),
    days: nullable(count('Transit days; null: cannot ship this far')),
  }), { description: 'Distance bands in ascending max_km; null: cannot ship this level' }))])),
  [...SHIPPING_LEVELS],
  { description: 'Transit days per service level, as distance bands' },
);

const RoutingRules = object({
  max_shipments: int('Most shipments an order is split into'),
  transit: transitTable,
  locations: mapOf(object({ priority: num('Lower ranks first (default 100)'), cost: num('Lower ranks first (default 0)'), transit: transitTable }, ['priority', 'cost', 'transit']), 'Per location code: priority, cost, transit overrides'),
}, [], { description: 'The workspace\'s routing rules (docs/routing.md)' });

const RouteDecision = object({
  service_level: oneOf(SERVICE_LEVELS),
  promise_days: nullable(count()),
  shipments: arrayOf(object({ location: str('Location code'), lines: arrayOf(count(), { description: 'Indexes into the order\'s lines' }), transit_days: nullable(count()) })),
  short: arrayOf(object({ line: count(), location: nullable(str('Where it would be oversold')) }), { description: 'Lines no chosen location covers' }),
  split: bool(),
  search: oneOf(['single', 'exact', 'greedy', 'none'], 'How the shipments were found'),
  transit_days: nullable(count('Transit of the slowest shipment')),
  best_transit_days: nullable(count('Fewest transit days a location that could fulfil the order offers')),
  promise_met: nullable(bool('null: no promise')),
  candidates: arrayOf(object({ location: str('Location code'), verdict: oneOf(['chosen', 'rejected']), reasons: arrayOf(str()) })),
}, [], { description: 'Routing\'s decision for an order (stored with it, or a what-if\'s): shipments, short lines, and every candidate\'s verdict with reasons' });

const routed = {
  description: 'The decision, or why the order could not be routed',
  oneOf: [
    object({ decision: ref('RouteDecision') }),
    object({ error: object({ code: oneOf(Object.keys(ERRORS)), detail: str(), field: str() }, ['field']) }),
  ],
};

export const WHAT_IF_ROUTING = object({
  orders: arrayOf(object({
    reference: str('The order\'s reference (open orders: number and reference)'),
    current: routed,
    proposed: nullable(routed),
    changed: nullable(bool('Whether the proposed rules ship it differently; null without proposed rules')),
  }, ['reference'])),
});

export const AVAILABILITY_COMPONENTS = {
  ChannelRuleSettings,
  ChannelRule,
  RingFenceLine,
  ChannelRuleSaved,
  AvailabilityStep,
  ListingAvailability,
  OutboxEntry,
  ChannelDispatcherStatus,
  ChannelSyncStatus,
  ServedNumber,
  RoutingRules,
  RouteDecision,
} as Record<string, Schema>;
