// Which connector syncs a channel: its kind's `connect()`. A channel whose kind has none is
// served, not pushed (its numbers are read by whoever pulls them).

import type { Clock } from '../app/clock.ts';
import type { Connector } from '../sync/connector.ts';
import type { ChannelInfo } from '../sync/dispatcher.ts';
import { isKind, kindOf } from './registry.ts';

export { isPushedKind, PUSHED_KINDS } from './registry.ts';

export function connectorFor(channel: ChannelInfo, env: { clock: Clock; fetch?: typeof fetch }): Connector | { error: string } | null {
  const connect = isKind(channel.kind) ? kindOf(channel.kind).connect : undefined;
  if (!connect) return null;
  const made = connect(channel.settings, { clock: env.clock, fetch: env.fetch ?? fetch });
  return 'code' in made ? { error: made.detail } : made;
}
