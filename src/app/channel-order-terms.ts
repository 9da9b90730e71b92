// An order placed for a channel (`POST /v1/allocations`, the demo's wholesale desk) meets the
// order terms of the channel's kind before the ledger sees it — for wholesale: whole cases,
// minimums, lead time — and its lines of items the channel's rules ring-fence are marked
// `beyond_fence: 'backorder'`, so that they take from the fence only. The rule that a wholesale
// line never reaches into the shared pool is thus explicit in the command the ledger stores, not
// hidden in the ledger's rules (docs/wholesale.md).
//
// Whether an item is fenced is decided from the channel's rules, not from its fence holds: a fence
// drawn to nothing is released, and an order after that must still not take from the shared pool.

import type { AllocateOrderCommand } from '../domain/commands.ts';
import { ok, type Outcome, refused } from '../domain/context.ts';
import { dateOf } from '../domain/wholesale-rules.ts';
import { kindOf } from '../channels/registry.ts';
import { itemsBySku } from '../store/catalog-repo.ts';
import { getChannel } from '../store/channel-repo.ts';
import { loadIdempotency } from '../store/ledger-repo.ts';
import type { Db } from '../store/store.ts';
import { Facts } from './availability.ts';
import { checkIdempotencyKey } from './idempotent.ts';
import type { CommandResponse, Ledger } from './ledger.ts';

/** What an order carries beside its lines that a channel's terms may look at. */
export interface OrderExtras {
  /** The customer's reference at the channel (wholesale: whose minimum applies). */
  customer?: string | null;
  /** `YYYY-MM-DD`: when the customer wants it shipped. */
  requested_ship_date?: string | null;
}

/**
 * The command as the ledger should take it: refused when the channel's kind has order terms
 * the order does not meet; lines of items the channel ring-fences bounded by the fence when the
 * kind says so. Orders of other channels (or none) pass unchanged; the ledger checks the rest.
 */
export async function withOrderTerms(db: Db, ws: string, command: AllocateOrderCommand, extras: OrderExtras, now: number): Promise<Outcome<AllocateOrderCommand>> {
  if (typeof command.channel !== 'string' || !Array.isArray(command.lines)) return ok(command);
  const channel = await getChannel(db, ws, command.channel);
  const terms = channel ? kindOf(channel.kind).orders : undefined;
  if (!channel || !terms) return ok(command);
  const skus = [...new Set(command.lines.map((l) => l?.sku).filter((s): s is string => typeof s === 'string'))];
  const items = new Map((await itemsBySku(db, ws, skus)).map((i) => [i.sku, i]));
  // Unknown SKUs and bad quantities are the ledger's to refuse, with its own codes.
  const lines = command.lines.map((l) => ({ sku: String(l?.sku), quantity: Number(l?.quantity), unitsPerCase: items.get(l?.sku)?.unitsPerCase ?? null }));
  const unmet = terms.check({ lines, customer: extras.customer ?? null, requestedShipDate: extras.requested_ship_date ?? null }, channel.settings, dateOf(now));
  if (unmet) return refused(unmet);
  const fenced = await ringFencedItems(db, ws, channel.id, [...items.values()].filter((i) => i.kind === 'standard').map((i) => i.id), now);
  if (fenced.size === 0) return ok(command);
  return ok({ ...command, lines: command.lines.map((l) => (fenced.has(items.get(l.sku)?.id ?? '') ? { ...l, beyond_fence: terms.beyondFence } : l)) });
}

/** The items among `itemIds` whose rule on the channel is ring-fenced now. */
async function ringFencedItems(db: Db, ws: string, channelId: string, itemIds: string[], now: number): Promise<Set<string>> {
  if (itemIds.length === 0) return new Set();
  const facts = new Facts(db, ws, now);
  // Rules resolve by SKU; these refs stand for the channel's listings of the items.
  const refs = itemIds.map((item_id) => ({ id: `order-line:${item_id}`, channel_id: channelId, item_id }));
  await facts.load(refs);
  return new Set(refs.filter((r) => facts.resolve(r).allocation.mode === 'ring_fenced').map((r) => r.item_id));
}

export interface ChannelOrderRequest extends OrderExtras {
  workspaceId: string;
  idempotencyKey: string;
  actor: string;
  command: AllocateOrderCommand;
}

/**
 * Allocate an order placed for a channel, under its terms. A key already used goes straight to
 * the ledger, which replays its first answer (or refuses a different request): terms changed
 * since must not turn a retry into a refusal. The fingerprint is of what the caller sent.
 */
export async function allocateChannelOrder(ledger: Ledger, req: ChannelOrderRequest): Promise<CommandResponse> {
  const { workspaceId: ws, idempotencyKey: key, command } = req;
  const extras: OrderExtras = { customer: req.customer, requested_ship_date: req.requested_ship_date };
  const decided = checkIdempotencyKey(key) !== null ? ok(command) : await ledger.store.read(async (db) =>
    (await loadIdempotency(db, ws, [key])).length > 0 ? ok(command) : withOrderTerms(db, ws, command, extras, ledger.clock.now()));
  if (!decided.ok) return { ok: false, refusal: decided.refusal };
  return ledger.execute({ workspaceId: ws, idempotencyKey: key, actor: req.actor, command: decided.value, payload: { ...command, ...extras } });
}
