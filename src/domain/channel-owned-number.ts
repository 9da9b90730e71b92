// Which listings truestock never pushes because the channel owns their number: a listing that
// sells only stock the channel keeps itself (every location its rule may sell from is
// `channel_managed`, e.g. FBA). The channel ships those units from its own count and reports it
// (`managed_stock_reported`, booked at the location); a number pushed there would at best be
// ignored and at worst overwrite the channel's own. Such a listing's number is still computed
// (from the booked stock, i.e. what the channel reported) and served, never queued for a push.
//
// Pure: the listing's resolved location scope and the kinds of the locations it names.

import type { ExplainStep, LocationScope } from './availability-model.ts';
import type { LocationKind } from './model.ts';

/**
 * Whether the channel owns a listing's number: its scope names locations (by code or kind) and
 * every one of them is channel-managed. A scope that names nothing means "every location that
 * ships online" — ours. A code whose kind is unknown counts as ours (pushed), never guessed.
 */
export function channelOwnsNumber(scope: LocationScope, kindOf: (code: string) => LocationKind | undefined): boolean {
  const codes = scope.codes ?? [];
  const kinds = scope.kinds ?? [];
  if (codes.length === 0 && kinds.length === 0) return false;
  return kinds.every((k) => k === 'channel_managed') && codes.every((c) => kindOf(c) === 'channel_managed');
}

/** A channel's last report of its own stock of an item at one of its locations. */
export interface ChannelReport {
  location: string;
  available: number;
  reserved: number;
  inbound: number;
  unfulfillable: number;
  researching: number;
  reported_at: string;
}

/**
 * The explanation step of a listing whose number the channel owns: never pushed, and what the
 * channel last reported — the booked buckets and, beside them, its reserved and researching units.
 */
export function channelOwnedStep(value: number, channelName: string, reports: readonly ChannelReport[]): ExplainStep {
  const said = reports.map((r) => `${r.location}: ${r.available} available, ${r.unfulfillable} unfulfillable, ${r.inbound} inbound; beside them ${r.reserved} reserved and ${r.researching} researching (the channel's, not booked) as of ${r.reported_at}`);
  return {
    step: 'channel_owned',
    value,
    why: `never pushed: ${channelName} keeps this stock and owns the number; ${said.length > 0 ? `it last reported ${said.join('; ')}` : 'no report of it yet'}`,
    detail: { pushed: false, reports },
  };
}
