// A channel rule in words, for the people who read rule lists (CLI, dashboard, API): what the rule
// does whether or not it is in force now, and — when it is not — why. Settings alone ("allocation:
// share 40") say nothing about a promotion that has not started yet or a valve that is waiting
// for its shortage; these sentences do.

import type { Allocation, Buffer, ChannelRule, LocationScope, RuleSettings } from './availability-model.ts';
import { ruleTime, windowActive } from './channel-rules.ts';

/** SKUs named before "and N more". */
const SKUS_SHOWN_MAX = 5;

const units = (n: number) => `${n} unit${n === 1 ? '' : 's'}`;
const when = (iso: string) => iso.replace('T', ' ').replace(/:00(\.000)?Z$/, ' UTC').replace(/(\.\d+)?Z$/, ' UTC');

function allocationWords(a: Allocation): string {
  if (a.mode === 'share') return `gets ${a.percent} % of the pool`;
  if (a.mode === 'ring_fenced') return `keeps ${units(a.quantity)} ring-fenced for itself`;
  return 'shares the whole pool';
}

function bufferWords(b: Buffer): string {
  if (b.mode === 'fixed') return `holds back ${units(b.units)}`;
  if (b.mode === 'percent') return `holds back ${b.percent} % of what it gets`;
  if (b.mode === 'adaptive') {
    return `holds back what other channels may sell before it hears of it (${Math.round(b.confidence * 100)} % confidence, ${b.min_units}–${b.max_units} units)`;
  }
  return 'holds nothing back';
}

function locationWords(l: LocationScope): string {
  const parts = [...(l.codes ?? []), ...(l.kinds ?? []).map((k) => `every ${k}`)];
  return parts.length === 0 ? 'sells from every location that ships online' : `sells from ${parts.join(', ')}`;
}

function settingsWords(s: RuleSettings): string[] {
  const out: string[] = [];
  if (s.locations !== undefined) out.push(locationWords(s.locations));
  if (s.allocation !== undefined) out.push(allocationWords(s.allocation));
  if (s.buffer !== undefined) out.push(bufferWords(s.buffer));
  if (s.cap_units !== undefined) out.push(s.cap_units === null ? 'lifts any cap' : `shows at most ${units(s.cap_units)}`);
  if (s.zero_below_units !== undefined) out.push(s.zero_below_units === null ? 'lifts any zero-below' : `shows 0 when it would show fewer than ${units(s.zero_below_units)}`);
  if (s.backorder_days !== undefined) {
    out.push(s.backorder_days === null ? 'promises no incoming stock' : `also promises incoming stock due within ${s.backorder_days} days, as backorder`);
  }
  return out;
}

/** What the rule does, in one sentence: for which items, when, and what it sets. */
export function ruleWords(rule: Pick<ChannelRule, 'skus' | 'starts_at' | 'ends_at' | 'below_units' | 'settings'>): string {
  const skus = rule.skus;
  const scope = skus === null
    ? 'For every item'
    : `For ${skus.slice(0, SKUS_SHOWN_MAX).join(', ')}${skus.length > SKUS_SHOWN_MAX ? ` and ${skus.length - SKUS_SHOWN_MAX} more` : ''}`;
  const window = [rule.starts_at !== null ? `from ${when(rule.starts_at)}` : '', rule.ends_at !== null ? `until ${when(rule.ends_at)}` : ''].filter(Boolean).join(' ');
  const valve = rule.below_units !== null ? `while the pool is below ${units(rule.below_units)}` : '';
  const sets = settingsWords(rule.settings);
  const head = [scope, window, valve].filter(Boolean).join(', ');
  return `${head}: the channel ${sets.length === 0 ? 'keeps its defaults' : sets.join('; ')}.`;
}

/**
 * Why a rule that names `sku` (or every item) does not apply to it at `now`, or null when it does.
 * `applied`: the rule ids the resolver applied (a below-N rule in its window applies only while
 * the pool is short).
 */
export function ruleNotInForce(rule: Pick<ChannelRule, 'id' | 'skus' | 'starts_at' | 'ends_at' | 'below_units'> & { active?: boolean }, now: number, applied: readonly string[]): string | null {
  if (rule.active === false) return 'removed';
  if (!windowActive(rule, now)) {
    const start = ruleTime(rule.starts_at);
    if (start !== null && now < start) return `starts ${when(rule.starts_at!)}`;
    return rule.ends_at !== null ? `ended ${when(rule.ends_at)}` : 'never applies: its start time is unreadable';
  }
  if (rule.below_units !== null && !applied.includes(rule.id)) return `waits: the pool is not below ${units(rule.below_units)}`;
  return null;
}
