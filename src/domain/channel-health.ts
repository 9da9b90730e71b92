// A channel's overall state in one word, from what its status knows: paused, pushes (breaker,
// connector), dead letters, and inbound health (the order polls). Pure: the status API and the
// dashboard show the word and the reasons, so "active" is never said while orders or numbers
// are not getting through.

export type ChannelState = 'active' | 'served' | 'paused' | 'degraded' | 'failing';

export interface ChannelHealthFacts {
  /** Pushed by a connector, or served to whoever pulls them. */
  pushed: boolean;
  paused: boolean;
  /** The dispatcher's breaker, when this process runs it. */
  breaker: 'closed' | 'open' | 'half_open' | null;
  /** The channel's connector cannot be built (settings missing or wrong). */
  connector_error: string | null;
  dead_letters: number;
  /** Order polls failed in a row, counting back from the last one (0: the last one worked). */
  poll_failures: number;
  last_poll_error: string | null;
}

/** Failed polls in a row from which the channel is failing, not just degraded (one blip is not an outage). */
export const POLL_FAILURES_FAILING = 3;

const RANK: Record<ChannelState, number> = { active: 0, served: 0, degraded: 1, paused: 2, failing: 3 };

export function channelHealth(f: ChannelHealthFacts): { state: ChannelState; reasons: string[] } {
  let state: ChannelState = f.pushed ? 'active' : 'served';
  const reasons: string[] = [];
  const raise = (to: ChannelState, why: string) => {
    if (RANK[to] > RANK[state]) state = to;
    reasons.push(why);
  };
  if (f.paused) raise('paused', 'paused: nothing is pushed, orders are still taken in');
  if (f.pushed && f.connector_error) raise('failing', `cannot push: ${f.connector_error}`);
  if (f.pushed && f.breaker === 'open') raise('failing', 'pushes failing: breaker open');
  if (f.pushed && f.breaker === 'half_open') raise('degraded', 'pushes recovering: breaker half-open');
  if (f.pushed && f.dead_letters > 0) raise('degraded', `${f.dead_letters} listing${f.dead_letters === 1 ? '' : 's'} dead-lettered`);
  if (f.poll_failures > 0) {
    const why = `order polls failing (${f.poll_failures} in a row)${f.last_poll_error ? `: ${f.last_poll_error}` : ''}`;
    raise(f.poll_failures >= POLL_FAILURES_FAILING ? 'failing' : 'degraded', why);
  }
  return { state, reasons };
}
