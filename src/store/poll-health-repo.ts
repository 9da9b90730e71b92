// SQL for a channel's inbound health: how its last order polls ended (channel_poll_health). The
// poller records every poll; the status page reads it, so a channel whose polls fail does not
// read "active" while its orders are not coming in.

import { POLL_FAILURES_FAILING } from '../domain/channel-health.ts';
import { newId } from '../app/ids.ts';
import { channelStatusChanged } from './alert-repo.ts';
import { closeException, openExceptionOf, raiseExceptions } from './exception-repo.ts';
import type { Db } from './store.ts';

/** How one poll ended: read to the end, or failed with a message. */
export type PollOutcome = { ok: true } | { ok: false; message: string };

export interface PollHealth {
  last_poll_at: number | null;
  last_ok_at: number | null;
  last_error_at: number | null;
  last_error: string | null;
  consecutive_failures: number;
}

/** Longest error message kept: enough to tell a timeout from a revoked token. */
const POLL_ERROR_LENGTH_MAX = 500;

export async function recordPoll(db: Db, ws: string, channelId: string, outcome: PollOutcome, now: number): Promise<void> {
  // Orders stop coming in when polls keep failing: the channel goes stale (and fresh again on the
  // first poll that works), a channel.status_changed alert in this transaction.
  const failures = Number((await db.get<{ n: number }>('SELECT consecutive_failures AS n FROM channel_poll_health WHERE channel_id = ?', [channelId]))?.n ?? 0);
  // The channel_stale exception opens and closes with it (one per channel while unresolved).
  if (outcome.ok && failures >= POLL_FAILURES_FAILING) {
    const why = `order polls work again after ${failures} failures in a row`;
    await channelStatusChanged(db, ws, channelId, 'fresh', why, now);
    const open = await openExceptionOf(db, ws, staleSubject(channelId));
    if (open) await closeException(db, open, 'recovered', `the channel recovered: ${why}`, now);
  }
  if (!outcome.ok && failures + 1 === POLL_FAILURES_FAILING) {
    const why = `order polls failed ${POLL_FAILURES_FAILING} times in a row: ${outcome.message.slice(0, 300)}`;
    await channelStatusChanged(db, ws, channelId, 'stale', why, now);
    await raiseExceptions(db, [{
      ...staleSubject(channelId), id: newId('exc', now), workspaceId: ws, quantity: null, channelId, createdAt: now,
      message: `${(await db.get<{ name: string }>('SELECT name FROM channels WHERE id = ?', [channelId]))?.name ?? channelId} is stale: ${why}; orders may not be coming in`,
    }]);
  }
  if (outcome.ok) {
    await db.run(
      `INSERT INTO channel_poll_health (channel_id, workspace_id, last_poll_at, last_ok_at, consecutive_failures) VALUES (?, ?, ?, ?, 0)
       ON CONFLICT (channel_id) DO UPDATE SET last_poll_at = excluded.last_poll_at, last_ok_at = excluded.last_ok_at, consecutive_failures = 0`,
      [channelId, ws, now, now],
    );
    return;
  }
  await db.run(
    `INSERT INTO channel_poll_health (channel_id, workspace_id, last_poll_at, last_error_at, last_error, consecutive_failures) VALUES (?, ?, ?, ?, ?, 1)
     ON CONFLICT (channel_id) DO UPDATE SET last_poll_at = excluded.last_poll_at, last_error_at = excluded.last_error_at, last_error = excluded.last_error,
       consecutive_failures = channel_poll_health.consecutive_failures + 1`,
    [channelId, ws, now, now, outcome.message.slice(0, POLL_ERROR_LENGTH_MAX)],
  );
}

/** A stale channel is one condition: the channel. */
const staleSubject = (channelId: string) => ({ kind: 'channel_stale' as const, itemId: null, locationId: null, holdId: null, reference: channelId });

const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));

export async function pollHealthOf(db: Db, channelId: string): Promise<PollHealth | null> {
  const r = await db.get<PollHealth>('SELECT last_poll_at, last_ok_at, last_error_at, last_error, consecutive_failures FROM channel_poll_health WHERE channel_id = ?', [channelId]);
  if (!r) return null;
  return { last_poll_at: num(r.last_poll_at), last_ok_at: num(r.last_ok_at), last_error_at: num(r.last_error_at), last_error: r.last_error, consecutive_failures: Number(r.consecutive_failures) };
}
