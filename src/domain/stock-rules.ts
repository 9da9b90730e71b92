// Rules for commands on one stock level: receive, adjust, move, set safety stock, count.
// Each checks everything first, in a fixed order, and only then moves units.

import { ADJUST_REASONS, type AdjustCommand, type AdjustReason, type CountCommand, type MoveCommand, type ReceiveCommand, type SetSafetyStockCommand } from './commands.ts';
import { type ExternalAccount, MOVABLE_BUCKETS, onHand } from './buckets.ts';
import { refusal } from './errors.ts';
import { checkQuantity, ok, type Outcome, refused, resolveItem, resolveLocation, type RuleContext } from './context.ts';
import type { Item, Location } from './model.ts';

export interface LevelTouched {
  kind: 'level';
  itemId: string;
  locationId: string;
}

type AtLocation = { sku: string; location: string };

/** An item that can hold stock: bundles and multipacks hold theirs in their components, unless kept pre-built. */
export function resolveStockItem(ctx: RuleContext, sku: string, field: string): Outcome<Item> {
  const item = resolveItem(ctx, sku, field);
  if (!item.ok || item.value.kind === 'standard' || item.value.stocksPrebuilt) return item;
  return refused(refusal('item_has_no_stock', `${sku} is a ${item.value.kind}; its stock is held by its components`, field));
}

export function resolveLevel(ctx: RuleContext, c: AtLocation): Outcome<{ item: Item; location: Location }> {
  const item = resolveStockItem(ctx, c.sku, 'sku');
  if (!item.ok) return item;
  const location = resolveLocation(ctx, c.location, 'location');
  if (!location.ok) return location;
  return ok({ item: item.value, location: location.value });
}

const touched = (item: Item, location: Location): Outcome<LevelTouched> =>
  ok({ kind: 'level', itemId: item.id, locationId: location.id });

export function receive(ctx: RuleContext, c: ReceiveCommand): Outcome<LevelTouched> {
  const bad = checkQuantity(c.quantity, 'quantity');
  if (bad) return refused(bad);
  const into = c.into ?? 'available';
  if (into !== 'available' && into !== 'quality_control') {
    return refused(refusal('validation_failed', 'into must be available or quality_control', 'into'));
  }
  const at = resolveLevel(ctx, c);
  if (!at.ok) return at;
  const { item, location } = at.value;
  ctx.scratch.move({ itemId: item.id, locationId: location.id, from: 'supplier', to: into, quantity: c.quantity, reason: null, holdId: null });
  return touched(item, location);
}

/** The external account an adjustment's units come from or go to. */
export function adjustmentAccount(reason: AdjustReason): ExternalAccount {
  switch (reason) {
    case 'cycle_count':
      return 'count_variance';
    case 'damage':
    case 'shrinkage':
      return 'shrinkage';
    default:
      return 'adjustment';
  }
}

function checkMovable(bucket: unknown, field: string) {
  return (MOVABLE_BUCKETS as readonly unknown[]).includes(bucket)
    ? null
    : refusal('validation_failed', `${field} must be one of ${MOVABLE_BUCKETS.join(', ')}; reserved and committed change only through holds`, field);
}

export function adjust(ctx: RuleContext, c: AdjustCommand): Outcome<LevelTouched> {
  if (typeof c.delta !== 'number' || !Number.isSafeInteger(c.delta) || c.delta === 0) {
    return refused(refusal('invalid_quantity', `delta must be a non-zero whole number, got ${JSON.stringify(c.delta)}`, 'delta'));
  }
  if (!(ADJUST_REASONS as readonly unknown[]).includes(c.reason)) {
    return refused(refusal('validation_failed', `reason must be one of ${ADJUST_REASONS.join(', ')}`, 'reason'));
  }
  const bucket = c.bucket ?? 'available';
  const badBucket = checkMovable(bucket, 'bucket');
  if (badBucket) return refused(badBucket);
  const at = resolveLevel(ctx, c);
  if (!at.ok) return at;
  const { item, location } = at.value;
  const external = adjustmentAccount(c.reason);
  const quantity = Math.abs(c.delta);
  if (c.delta < 0) {
    const have = ctx.scratch.read(item.id, location.id)[bucket];
    if (have < quantity) {
      return refused(refusal('insufficient_stock', `${bucket} is ${have}; cannot remove ${quantity}`, 'delta', { bucket, have }));
    }
  }
  const [from, to] = c.delta > 0 ? [external, bucket] : [bucket, external];
  ctx.scratch.move({ itemId: item.id, locationId: location.id, from, to, quantity, reason: c.reason, holdId: null });
  return touched(item, location);
}

export function move(ctx: RuleContext, c: MoveCommand): Outcome<LevelTouched> {
  const bad = checkQuantity(c.quantity, 'quantity') ?? checkMovable(c.from, 'from') ?? checkMovable(c.to, 'to');
  if (bad) return refused(bad);
  if (c.from === c.to) return refused(refusal('validation_failed', 'from and to must differ', 'to'));
  const at = resolveLevel(ctx, c);
  if (!at.ok) return at;
  const { item, location } = at.value;
  const have = ctx.scratch.read(item.id, location.id)[c.from];
  if (have < c.quantity) {
    return refused(refusal('insufficient_stock', `${c.from} is ${have}; cannot move ${c.quantity}`, 'quantity', { bucket: c.from, have }));
  }
  ctx.scratch.move({ itemId: item.id, locationId: location.id, from: c.from, to: c.to, quantity: c.quantity, reason: null, holdId: null });
  return touched(item, location);
}

/** Safety stock is a bucket: setting it moves units between it and `available`. */
export function setSafetyStock(ctx: RuleContext, c: SetSafetyStockCommand): Outcome<LevelTouched> {
  const bad = checkQuantity(c.quantity, 'quantity', true);
  if (bad) return refused(bad);
  const at = resolveLevel(ctx, c);
  if (!at.ok) return at;
  const { item, location } = at.value;
  const b = ctx.scratch.read(item.id, location.id);
  const diff = c.quantity - b.safety_stock;
  if (diff > 0 && b.available < diff) {
    return refused(refusal('insufficient_stock', `available is ${b.available}; cannot set aside ${diff} more as safety stock`, 'quantity', { bucket: 'available', have: b.available }));
  }
  if (diff !== 0) {
    const [from, to] = diff > 0 ? (['available', 'safety_stock'] as const) : (['safety_stock', 'available'] as const);
    ctx.scratch.move({ itemId: item.id, locationId: location.id, from, to, quantity: Math.abs(diff), reason: null, holdId: null });
  }
  return touched(item, location);
}

/** A counted on_hand becomes a variance movement (see `applyVariance`). */
export function count(ctx: RuleContext, c: CountCommand): Outcome<LevelTouched> {
  const bad = checkQuantity(c.counted, 'counted', true);
  if (bad) return refused(bad);
  const at = resolveLevel(ctx, c);
  if (!at.ok) return at;
  const { item, location } = at.value;
  applyVariance(ctx, item, location, c.counted - onHand(ctx.scratch.read(item.id, location.id)), c.reference ?? null);
  return touched(item, location);
}

/**
 * Book a counted difference. A surplus goes to `available`. A shortage is taken from
 * `available`, then `safety_stock`; whatever is still missing was promised to holds or orders
 * that the shelf cannot cover, so it becomes oversold debt and an exception for a human. Damaged
 * and quality-control units are left alone: they are counted in their own areas.
 */
export function applyVariance(ctx: RuleContext, item: Item, location: Location, variance: number, reference: string | null): void {
  const base = { itemId: item.id, locationId: location.id, reason: 'cycle_count', holdId: null } as const;
  if (variance > 0) {
    ctx.scratch.move({ ...base, from: 'count_variance', to: 'available', quantity: variance });
  } else if (variance < 0) {
    let missing = -variance;
    for (const bucket of ['available', 'safety_stock'] as const) {
      const take = Math.min(missing, ctx.scratch.read(item.id, location.id)[bucket]);
      if (take > 0) ctx.scratch.move({ ...base, from: bucket, to: 'count_variance', quantity: take });
      missing -= take;
    }
    if (missing > 0) {
      ctx.scratch.move({ ...base, from: 'oversold', to: 'count_variance', quantity: missing });
      ctx.scratch.raise({
        kind: 'count_shortfall',
        itemId: item.id,
        locationId: location.id,
        quantity: missing,
        reference,
        holdId: null,
        message: `count found ${missing} fewer units than are reserved or committed at ${location.code}`,
      });
    }
  }
}
