// Which listings truestock never pushes because the channel owns their number: a listing that
// sells only stock the channel keeps itself (every location its rule may sell from is
// `channel_managed`, e.g. FBA). The channel ships those units from its own count and reports it
// (`managed_stock_reported`, booked at the location); a number pushed there would at best be
// ignored and at worst overwrite the channel's own. Such a listing's number is still computed
// (from the booked stock, i.e. what the channel reported) and served, never queued for a push.
//
// Pure: the listing's resolved location scope and the kinds of the locations it names.

import type { LocationScope } from './availability-model.ts';
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
