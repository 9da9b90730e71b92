// Channel orders onto the order model. Channel ingestion keeps its own row per channel order
// (`channel_orders`: the facts as the channel sent them and how far the ledger got, the basis of
// its idempotent convergence, docs/sync-in.md); every transaction that changes such a row also
// writes the order a person looks at (`orders`, source `channel`), from the row and its hold, in
// the same transaction — so the two never disagree and the flash-sale batching stays as it is
// (a few more statements per batch, not per order).
//
// The order's state follows the channel order: held (pending) → allocated → (shipped through the
// orders API) → cancelled; refunds before fulfilment cancel units of lines; an order the channel
// fulfils from its own stock is recorded (`fulfilled_by_channel`) and never allocated.

import type { OrderFacts } from '../domain/channel-event.ts';
import type { AllocateOrderCommand } from '../domain/commands.ts';
import type { Hold, Item } from '../domain/model.ts';
import { linkHoldLines, openHold, type Order, type OrderHoldLink, type OrderLine, stateOf } from '../domain/order-rules.ts';
import { componentsOf, itemsBySku } from '../store/catalog-repo.ts';
import { type ChannelOrder, channelOrdersOf } from '../store/channel-event-repo.ts';
import { holdsByIds } from '../store/ledger-repo.ts';
import { holdLinksOf, insertHoldLinksOf, insertOrders, ordersByChannelReferences, takeOrderNumbers, writeOrders } from '../store/order-repo.ts';
import type { Db } from '../store/store.ts';
import { newId } from './ids.ts';

/** Units of a channel line its refunds cancelled before fulfilment. */
function refunded(row: ChannelOrder, lineId: string): number {
  return row.refunds.flatMap((r) => r.lines).filter((l) => l.lineId === lineId).reduce((n, l) => n + l.quantity, 0);
}

type Kits = { items: Map<string, Item>; parts: Map<string, readonly unknown[]> };

/** The hold lines of a channel order's hold, linked to the order's lines through its allocation command. */
function channelLinks(row: ChannelOrder, hold: Hold, lines: OrderLine[], kits: Kits): OrderHoldLink[] {
  const allocation = row.allocation as unknown as AllocateOrderCommand | null;
  if (!allocation) return [];
  // The allocation's lines are the allocatable lines with units left, in order: match them up.
  const requested: { lineNo: number; sku: string }[] = [];
  let j = 0;
  for (const l of lines) {
    const a = allocation.lines[j];
    if (a && l.sku !== null && l.unmapped === null && a.sku === l.sku) {
      requested.push({ lineNo: l.lineNo, sku: a.sku });
      j++;
    }
  }
  return linkHoldLines(hold, requested.map((r) => {
    const item = kits.items.get(r.sku);
    return { lineNo: r.lineNo, itemId: item?.id ?? '', components: item && item.kind !== 'standard' ? (kits.parts.get(item.id)?.length ?? 0) : 0 };
  }));
}

/** The locations a channel order's allocation may use, best first: routing's candidates, or first fit's list. */
function allocationCandidates(row: ChannelOrder): string[] | null {
  const a = row.allocation as unknown as AllocateOrderCommand | null;
  return a?.locations ?? a?.route?.candidates.map((c) => c.code) ?? null;
}

/**
 * Write the orders of these channel orders as their rows now say (inside the caller's
 * transaction). Orders whose lines the channel has not sent yet (a refund came first) wait.
 */
export async function recordChannelOrders(db: Db, channel: { id: string; workspaceId: string }, externalOrderIds: readonly string[], now: number, facts: ReadonlyMap<string, OrderFacts> = new Map(), decisions: ReadonlyMap<string, unknown> = new Map()): Promise<void> {
  if (externalOrderIds.length === 0) return;
  const ws = channel.workspaceId;
  const rows = [...(await channelOrdersOf(db, channel.id, externalOrderIds)).values()].filter((r) => r.lines !== null);
  if (rows.length === 0) return;
  const existing = await ordersByChannelReferences(db, channel.id, rows.map((r) => r.externalOrderId), true);
  const known = await holdLinksOf(db, [...existing.values()].map((o) => o.id));
  const holdIds = [...rows.flatMap((r) => (r.holdId ? [r.holdId] : [])), ...[...known.values()].flat().map((k) => k.holdId)];
  const holds = new Map((await holdsByIds(db, ws, holdIds)).map((h) => [h.id, h]));
  const items = new Map((await itemsBySku(db, ws, rows.flatMap((r) => r.lines!.flatMap((l) => (l.sku ? [l.sku] : []))))).map((i) => [i.sku, i]));
  const kits: Kits = { items, parts: await componentsOf(db, [...items.values()].filter((i) => i.kind !== 'standard').map((i) => i.id)) };
  const fresh = rows.filter((r) => !existing.has(r.externalOrderId));
  let number = fresh.length > 0 ? await takeOrderNumbers(db, ws, fresh.length) : 0;

  const inserts: Order[] = [];
  const newLinks: { id: string; links: OrderHoldLink[] }[] = [];
  const updates: Order[] = [];
  for (const row of rows) {
    const had = existing.get(row.externalOrderId);
    // What the channel said of service and destination, when its facts carry them (taken once).
    const said = facts.get(row.externalOrderId);
    const lines: OrderLine[] = row.lines!.map((l, i) => {
      const before = had?.lines.find((x) => x.lineNo === i + 1);
      const cancelledByChannel = row.state === 'cancelled' ? l.quantity : Math.min(l.quantity, refunded(row, l.lineId));
      return {
        lineNo: i + 1, externalLineId: l.lineId, itemId: l.sku ? (items.get(l.sku)?.id ?? null) : null, sku: l.sku, listingId: null, quantity: l.quantity,
        allocated: 0, shipped: before?.shipped ?? 0, cancelled: Math.max(before?.cancelled ?? 0, cancelledByChannel - (before?.shipped ?? 0), 0), backordered: 0, returned: before?.returned ?? 0,
        unmapped: l.unmapped,
      };
    });
    const id = had?.id ?? newId('ord', now);
    let links = known.get(id) ?? [];
    const hold = row.holdId ? holds.get(row.holdId) : undefined;
    if (hold && !links.some((k) => k.holdId === hold.id)) {
      const more = channelLinks(row, hold, lines, kits);
      newLinks.push({ id, links: more });
      links = [...links, ...more];
    }
    // Shipped units are the holds' (shipping goes through the orders API, on the order's holds).
    for (const l of lines) {
      const shipped = links.filter((k) => k.lineNo === l.lineNo).reduce((n, k) => {
        const h = holds.get(k.holdId)?.lines.find((x) => x.lineNo === k.holdLineNo);
        return n + (h && h.itemId === l.itemId && h.bundleItemId === null ? h.shipped : 0);
      }, 0);
      l.shipped = Math.max(l.shipped, Math.min(shipped, l.quantity));
      l.cancelled = Math.min(l.cancelled, l.quantity - l.shipped);
    }
    const linked = [...new Set(links.map((k) => k.holdId))].map((h) => holds.get(h)).filter((h): h is Hold => h !== undefined);
    const open = openHold(linked);
    for (const l of lines) {
      const held = open ? links.filter((k) => k.holdId === open.id && k.lineNo === l.lineNo).map((k) => open.lines.find((x) => x.lineNo === k.holdLineNo)!) : [];
      const standard = held.every((h) => h.itemId === l.itemId && h.bundleItemId === null);
      const units = held.length === 0 ? 0 : standard ? held.reduce((n, h) => n + h.quantity - h.shipped, 0) : l.quantity - l.shipped - l.cancelled;
      l.allocated = Math.max(0, Math.min(units, l.quantity - l.shipped - l.cancelled));
      l.backordered = l.quantity - l.shipped - l.cancelled - l.allocated;
    }
    const base = row.fulfilledByChannel ? (row.state === 'cancelled' ? 'cancelled' : 'allocated')
      : row.state === 'cancelled' ? 'cancelled'
        : row.ledgerState === 'allocated' || (open?.state === 'allocated') ? 'allocated' : 'pending';
    const state = row.fulfilledByChannel || base === 'cancelled' ? base : stateOf(lines, base);
    const exception = row.ledgerState === 'refused' || row.ledgerState === 'cancel_refused' ? 'unapplied'
      : linked.some((h) => h.lines.some((l) => l.oversold > 0)) ? 'oversold'
        : lines.some((l) => l.unmapped !== null) && !row.fulfilledByChannel ? 'unmapped_line' : null;
    const order: Order = {
      id, workspaceId: ws, number: had?.number ?? number++, channelId: channel.id, channelReference: row.externalOrderId, orderReference: row.name ?? row.externalOrderId,
      source: 'channel', state, serviceLevel: had?.serviceLevel ?? said?.serviceLevel ?? 'standard', pickupLocationId: had?.pickupLocationId ?? null,
      shipTo: had?.shipTo ?? { postalCode: said?.shipTo?.postalCode ?? null, country: said?.shipTo?.country ?? null },
      promisedShipBy: had?.promisedShipBy ?? said?.promisedShipBy ?? null, promisedDeliverBy: had?.promisedDeliverBy ?? said?.promisedDeliverBy ?? null, requestedShipDate: had?.requestedShipDate ?? null, customerReference: had?.customerReference ?? null,
      candidates: allocationCandidates(row) ?? had?.candidates ?? null,
      // Routing's decision once the ledger made it (a routed order shows none before); first fit's words otherwise.
      routing: decisions.get(row.externalOrderId) ?? had?.routing ?? (row.allocation && !(row.allocation as unknown as AllocateOrderCommand).route ? { strategy: 'first_fit', candidates: (row.allocation as unknown as AllocateOrderCommand).locations ?? null, reason: 'channel ingestion: the line\'s own location, else the first of the channel\'s locations that covers it' } : null),
      exception, fulfilledByChannel: row.fulfilledByChannel, createdAt: had?.createdAt ?? now, updatedAt: now, lines,
    };
    (had ? updates : inserts).push(order);
  }
  // A row another transaction inserted meanwhile is theirs (its next write brings it up to date).
  const inserted = await insertOrders(db, inserts);
  await writeOrders(db, updates);
  const written = new Set([...inserted, ...updates.map((o) => o.id)]);
  await insertHoldLinksOf(db, newLinks.filter((x) => written.has(x.id)).map((x) => ({ orderId: x.id, links: x.links })));
}
