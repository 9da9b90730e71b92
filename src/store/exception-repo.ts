// SQL for exceptions that follow the facts (docs/kernel.md "Exceptions"): raising one — the same
// condition is one unresolved row whose occurrences go up —, repaying oversold debt oldest first
// until an exception is settled by the movement that did it, and closing one when the channel
// converged or recovered. Every caller that raises or ends an exception comes through here, in
// the transaction of the fact; exception.opened / exception.resolved alerts are written with it.

import { conditionKey, exceptionKind, repayDebts, type ResolutionKind } from '../domain/exception-kinds.ts';
import { exceptionResolved, exceptionsOpened, type OpenedException } from './alert-repo.ts';
import type { Db } from './store.ts';

/** Longest message kept. */
const MESSAGE_LENGTH_MAX = 1_000;

export interface NewException extends OpenedException {
  holdId: string | null;
  /** What tells two conditions of one kind and reference apart (conditionKey). */
  subject?: string;
  /** The channel it is about, when the raiser knows it; else the hold's or the listing's. */
  channelId?: string | null;
}

/**
 * Raise each exception, or count one more occurrence of the unresolved exception of its condition
 * (it then says the latest message; a debt-carrying one adds the new debt). Returns the id of the
 * unresolved exception of each row's condition, in order. Rows are taken one at a time: the
 * unique index on unresolved conditions is the lock two raisers of one condition meet on.
 */
export async function raiseExceptions(db: Db, rows: readonly NewException[]): Promise<string[]> {
  const ids: string[] = [];
  const opened: OpenedException[] = [];
  for (const e of rows) {
    const debt = exceptionKind(e.kind)?.carriesDebt ? (e.quantity ?? 0) : null;
    const got = await db.all<{ id: string }>(
      `INSERT INTO exceptions (id, workspace_id, kind, item_id, location_id, quantity, reference, hold_id, message, created_at, updated_at, condition_key, occurrences, last_seen_at, debt, channel_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, COALESCE(?, (SELECT h.channel_id FROM holds h WHERE h.id = ?), (SELECT ls.channel_id FROM listings ls WHERE ls.id = ?)))
       ON CONFLICT (workspace_id, condition_key) WHERE state <> 'resolved' DO UPDATE SET
         occurrences = exceptions.occurrences + 1, last_seen_at = excluded.last_seen_at, updated_at = excluded.updated_at, message = excluded.message,
         quantity = CASE WHEN excluded.debt IS NULL THEN excluded.quantity ELSE COALESCE(exceptions.quantity, 0) + excluded.quantity END,
         debt = CASE WHEN excluded.debt IS NULL THEN exceptions.debt ELSE COALESCE(exceptions.debt, 0) + excluded.debt END
       RETURNING id`,
      [e.id, e.workspaceId, e.kind, e.itemId, e.locationId, e.quantity, e.reference, e.holdId, e.message.slice(0, MESSAGE_LENGTH_MAX), e.createdAt, e.createdAt,
        conditionKey(e), e.createdAt, debt, e.channelId ?? null, e.holdId, e.reference],
    );
    const id = got[0]!.id;
    ids.push(id);
    if (id === e.id) opened.push(e);
  }
  await exceptionsOpened(db, opened);
  return ids;
}

/** The unresolved exception of this condition (kind and subject), if any. */
export async function openExceptionOf(db: Db, ws: string, subject: Parameters<typeof conditionKey>[0]): Promise<string | undefined> {
  const r = await db.get<{ id: string }>("SELECT id FROM exceptions WHERE workspace_id = ? AND condition_key = ? AND state <> 'resolved'", [ws, conditionKey(subject)]);
  return r?.id;
}

/** The condition was seen again: one more occurrence, the latest message and quantity. False when it is no longer unresolved. */
export async function seenAgain(db: Db, id: string, message: string, quantity: number | null, now: number): Promise<boolean> {
  return (await db.run(
    "UPDATE exceptions SET occurrences = occurrences + 1, last_seen_at = ?, message = ?, quantity = ?, updated_at = ? WHERE id = ? AND state <> 'resolved'",
    [now, message.slice(0, MESSAGE_LENGTH_MAX), quantity, now, id])) > 0;
}

/** A movement that repaid oversold debt (`available → oversold`). */
export interface Repayment {
  id: string;
  workspaceId: string;
  itemId: string;
  locationId: string;
  quantity: number;
  /** The command that brought the units (receive, cancel_allocation, transfer_receive…). */
  command: string;
  reference: string | null;
  /** The order whose units came back (a cancellation): its own debt is repaid first. */
  holdId: string | null;
}

/**
 * Units repaid to a stock level's oversold account go to its unresolved debts oldest first — the
 * debt of the order whose units came back (a cancelled oversold order) before any other; an
 * exception whose debt reaches 0 is resolved as `settled` by this movement. The caller holds the
 * stock level's row lock (the ledger's batch), so two repayments of one level never interleave.
 */
export async function repayOversold(db: Db, m: Repayment, now: number): Promise<void> {
  const open = await db.all<{ id: string; debt: number }>(
    `SELECT id, debt FROM exceptions WHERE workspace_id = ? AND item_id = ? AND location_id = ? AND debt > 0 AND state <> 'resolved'
     ORDER BY CASE WHEN hold_id = ? THEN 0 ELSE 1 END, created_at, id`,
    [m.workspaceId, m.itemId, m.locationId, m.holdId]);
  const repaid = repayDebts(open.map((r) => ({ id: r.id, debt: Number(r.debt) })), m.quantity);
  const by = `${m.command}${m.reference ? ` ${m.reference}` : ''}`;
  for (const r of repaid) {
    if (r.debt > 0) {
      await db.run('UPDATE exceptions SET debt = ?, updated_at = ? WHERE id = ?', [r.debt, now, r.id]);
      continue;
    }
    await db.run(
      "UPDATE exceptions SET debt = 0, state = 'resolved', resolved_at = ?, resolution_kind = 'settled', settled_by_movement_id = ?, resolution = ?, updated_at = ? WHERE id = ?",
      [now, m.id, `${by} repaid the debt (movement ${m.id})`, now, r.id]);
    await exceptionResolved(db, r.id, now);
  }
}

/**
 * The facts ended the condition (a channel converged, recovered): resolve the exception, saying
 * so. Nothing when someone resolved it already.
 */
export async function closeException(db: Db, id: string, kind: Exclude<ResolutionKind, 'resolved_by_hand' | 'settled'>, resolution: string, now: number): Promise<boolean> {
  const changed = await db.run(
    "UPDATE exceptions SET state = 'resolved', resolved_at = ?, resolution_kind = ?, resolution = ?, updated_at = ? WHERE id = ? AND state <> 'resolved'",
    [now, kind, resolution.slice(0, MESSAGE_LENGTH_MAX), now, id]);
  if (changed > 0) await exceptionResolved(db, id, now);
  return changed > 0;
}
