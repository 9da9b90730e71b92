// What each channel may promise (design.md §3): the shapes the availability engine works on.
// Pure data; the engine (`availability.ts`) and the rules resolver (`channel-rules.ts`) are
// functions of these, with no I/O and no clock of their own.

import type { LocationKind } from './model.ts';

/** Where a channel may sell from: named location codes, location kinds, or (neither) every location that ships online. */
export interface LocationScope {
  codes?: string[];
  kinds?: LocationKind[];
}

export type Allocation =
  | { mode: 'shared' }
  /** A share of the pool, e.g. wholesale 60 / direct 40; rounded down so shares never sum above the pool. */
  | { mode: 'share'; percent: number }
  /** A quantity held as a reservation for this channel (other channels cannot see it). */
  | { mode: 'ring_fenced'; quantity: number };

export type Buffer =
  | { mode: 'none' }
  | { mode: 'fixed'; units: number }
  /** Percent of the allocated quantity, rounded up (a buffer errs on the safe side). */
  | { mode: 'percent'; percent: number }
  /**
   * The units the other channels are likely to sell before this channel can know about it: the
   * Poisson quantile at `confidence` (e.g. 0.95) of velocity × lag, bounded by min and max.
   */
  | { mode: 'adaptive'; confidence: number; min_units: number; max_units: number };

/** What a rule sets. Every field is optional in an override; the channel's default fills the rest. */
export interface RuleSettings {
  locations?: LocationScope;
  allocation?: Allocation;
  buffer?: Buffer;
  /** Show at most this many. */
  cap_units?: number | null;
  /** Show 0 when the result is below this. */
  zero_below_units?: number | null;
  /** Also promise `incoming` arriving within this many days, flagged as backorder (null: never). */
  backorder_days?: number | null;
}

/**
 * One rule of a channel. The channel's default rule has no items and no window. More specific
 * rules override it field by field: item rules over channel-wide ones, windowed (promotion)
 * rules over unwindowed ones. A `below_units` rule takes over only while the pool the channel
 * draws on is below that many units ("below 10, the webstore gets 0").
 */
export interface ChannelRule {
  id: string;
  channel_id: string;
  /** Item SKUs this rule is for (null: every item on the channel). */
  skus: string[] | null;
  /** ISO start and end; the rule applies while starts_at <= now < ends_at. */
  starts_at: string | null;
  ends_at: string | null;
  below_units: number | null;
  settings: RuleSettings;
}

/** The settings in force for one listing at one moment, and which rules gave them. */
export interface ResolvedRule {
  locations: LocationScope;
  allocation: Allocation;
  buffer: Buffer;
  cap_units: number | null;
  zero_below_units: number | null;
  backorder_days: number | null;
  /** Rule ids applied, least to most specific. */
  applied: string[];
}

/** One stock level as the engine sees it. */
export interface LevelFacts {
  location: string; // code
  kind: LocationKind;
  ships_online: boolean;
  available: number;
  /** Units reserved for this channel's ring-fence at this level. */
  ring_fenced: number;
  /** Incoming units expected here within the channel's backorder window. */
  incoming_soon: number;
}

/** Per-item facts: levels of a standard item, or the components of a bundle or multipack. */
export interface ItemFacts {
  sku: string;
  kind: 'standard' | 'bundle' | 'multipack';
  levels: LevelFacts[];
  /** Components with units per bundle; a component may itself be a bundle (nested kits). */
  components: { item: ItemFacts; quantity: number }[];
}

/** Demand the adaptive buffer needs: how fast others sell and how late everyone hears of it. */
export interface DemandFacts {
  /** Decayed sales velocity of this item on all OTHER channels, units per hour. */
  others_units_per_hour: number;
  /** How late other channels' sales reach truestock, seconds (webhooks: seconds; order polling: minutes). */
  inbound_lag_seconds: number;
  /**
   * The other channel whose sales reach truestock latest (the one `inbound_lag_seconds` is), named
   * for the explanation: its name and its kind's label (the registry's, never a hard-coded name),
   * and whether the lag was measured or is its configured/default one.
   */
  inbound_lag_channel?: { name: string; label: string; measured: boolean } | null;
  /** How late this channel shows a new number, seconds (push + the channel's own processing). */
  outbound_lag_seconds: number;
}

/** One step of an explanation: what was done and the number after it. */
export interface ExplainStep {
  /** `channel_owned`: the listing sells only stock the channel keeps itself: never pushed (`channelOwnsNumber`). */
  step: 'locations' | 'bundle' | 'allocation' | 'buffer' | 'cap' | 'zero_below' | 'backorder' | 'channel_owned' | 'result';
  value: number;
  /** Human sentence, e.g. "buffer 3: Poisson 95 % of 1.2 units/h × 90 s from other channels". */
  why: string;
  detail?: Record<string, unknown>;
}

export interface Availability {
  /** The number to publish. */
  quantity: number;
  /** Units of `quantity` that are backorder (from incoming), flagged for the channel. */
  backorder_units: number;
  steps: ExplainStep[];
}
