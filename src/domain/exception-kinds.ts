// The registry of exception kinds, and the rules that make exceptions follow the facts
// (docs/kernel.md, "Exceptions"). Pure: no I/O, no clock.
//
// An exception stands for a *condition* — a kind and a subject (an order's line at a location, a
// listing, a channel). The same condition is one unresolved exception that counts its
// occurrences, never a new row each time: `conditionKey` names it, and the store keeps at most one
// unresolved exception per key. Some kinds close themselves when the facts say the condition is
// over: oversold debt settled by stock (`settled`, with the movement), a channel that converged
// (`converged`) or is fresh again (`recovered`); a person may resolve any exception by hand.

import type { ExceptionKind } from './model.ts';

export const EXCEPTION_SEVERITIES = ['high', 'medium', 'low'] as const;
export type ExceptionSeverity = (typeof EXCEPTION_SEVERITIES)[number];

/** How an exception ended. Only `resolved_by_hand` is a person's word; the others are facts. */
export const RESOLUTION_KINDS = ['settled', 'converged', 'recovered', 'resolved_by_hand'] as const;
export type ResolutionKind = (typeof RESOLUTION_KINDS)[number];

export interface ExceptionKindInfo {
  kind: ExceptionKind;
  /** What a person sees in lists. */
  label: string;
  severity: ExceptionSeverity;
  /** What ends it without a person, or null when only a person can. */
  closesBy: Exclude<ResolutionKind, 'resolved_by_hand'> | null;
  /** It carries oversold debt at its stock level (`debt`), repaid by the next units that arrive. */
  carriesDebt: boolean;
}

const k = (kind: ExceptionKind, label: string, severity: ExceptionSeverity, closesBy: ExceptionKindInfo['closesBy'] = null, carriesDebt = false): ExceptionKindInfo =>
  ({ kind, label, severity, closesBy, carriesDebt });

/**
 * Every kind, most urgent first. Severity: units sold that are not there, and orders, listings or
 * channels truestock cannot reach, are high; differences a rule or a person is already correcting,
 * medium.
 */
export const EXCEPTION_KIND_REGISTRY: readonly ExceptionKindInfo[] = [
  k('oversold', 'Oversold', 'high', 'settled', true),
  k('unmapped_order_line', 'Unmapped order line', 'high'),
  k('sync_dead_letter', 'Sync dead letter', 'high'),
  k('channel_auth_failed', 'Channel refused credentials', 'high', 'recovered'),
  k('channel_stale', 'Channel stale (order polls failing)', 'high', 'recovered'),
  k('promise_at_risk', 'Promise at risk (no location can deliver in time)', 'high'),
  k('count_shortfall', 'Count shortfall', 'medium', 'settled', true),
  k('channel_event_unapplied', 'Channel event not applied', 'medium'),
  k('channel_drift', 'Channel drift', 'medium', 'converged'),
  k('channel_edit_adopted', 'Channel edit adopted', 'medium'),
  k('channel_edit_recurring', 'Channel edits recurring', 'medium'),
  k('channel_listing_problem', 'Channel listing problem', 'medium'),
];

const BY_KIND = new Map(EXCEPTION_KIND_REGISTRY.map((i) => [i.kind as string, i]));

export function exceptionKind(kind: string): ExceptionKindInfo | undefined {
  return BY_KIND.get(kind);
}

/** Kinds whose exceptions carry a stock level's oversold debt. */
export const DEBT_KINDS: readonly ExceptionKind[] = EXCEPTION_KIND_REGISTRY.filter((i) => i.carriesDebt).map((i) => i.kind);

/** What an exception is about: any of these may be null; together with the kind they name the condition. */
export interface ExceptionSubject {
  kind: string;
  itemId: string | null;
  locationId: string | null;
  /** The order (hold) it came from. */
  holdId: string | null;
  /** A channel's order, a listing id, a channel id, a document number… whatever the raiser names. */
  reference: string | null;
  /** Anything further that tells two conditions of one reference apart (an order's line). */
  subject?: string | undefined;
}

/**
 * The condition an exception stands for. An oversold line is its order's (hold) at its stock
 * level: a second oversold order is a second condition with its own debt, a line raised again is
 * the same one. Elsewhere the reference (listing, channel, order, document) with item and location.
 */
export function conditionKey(s: ExceptionSubject): string {
  const key = [s.kind, s.itemId ?? '', s.locationId ?? '', s.holdId ?? '', s.reference ?? ''].join('|');
  return s.subject === undefined ? key : `${key}|${s.subject}`;
}

export interface Debt {
  id: string;
  debt: number;
}

/**
 * Units repaid to a stock level's oversold account go to its open debts oldest first (as
 * stock goes to the oldest waiting order). Returns each debt that changed with what is left; a
 * debt left at 0 is settled. Units beyond the open debts (a debt someone resolved by hand) repay
 * nothing here.
 */
export function repayDebts(debts: readonly Debt[], units: number): { id: string; debt: number }[] {
  const out: { id: string; debt: number }[] = [];
  let left = units;
  for (const d of debts) {
    if (left <= 0) break;
    if (d.debt <= 0) continue;
    const take = Math.min(d.debt, left);
    left -= take;
    out.push({ id: d.id, debt: d.debt - take });
  }
  return out;
}
