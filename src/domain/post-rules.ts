// The rule for a warehouse document's step: a list of movements, checked in order and applied
// all or none. Documents (purchase orders, transfers, returns, counts) decide *which* movements
// their step needs; this rule decides whether the ledger can take them.

import { type Account, BUCKETS, EXTERNAL_ACCOUNTS, isBucket } from './buckets.ts';
import { POST_LINES_MAX, type PostCommand } from './commands.ts';
import { refusal } from './errors.ts';
import { checkQuantity, ok, type Outcome, refused, type RuleContext } from './context.ts';
import { applyVariance, resolveLevel } from './stock-rules.ts';

export interface LevelsTouched {
  kind: 'levels';
  levels: { itemId: string; locationId: string }[];
}

/** Accounts a document may post to: any bucket but those that belong to holds, or an external account. */
const POSTABLE: readonly string[] = [...BUCKETS.filter((b) => b !== 'reserved' && b !== 'committed'), ...EXTERNAL_ACCOUNTS];

function checkAccount(account: unknown, field: string) {
  return POSTABLE.includes(account as string)
    ? null
    : refusal('validation_failed', `${field} must be one of ${POSTABLE.join(', ')}; reserved and committed change only through holds`, field);
}

export function post(ctx: RuleContext, c: PostCommand): Outcome<LevelsTouched> {
  const variances = c.variances ?? [];
  if (!Array.isArray(c.lines) || c.lines.length + variances.length > POST_LINES_MAX) {
    return refused(refusal('validation_failed', `a document step posts at most ${POST_LINES_MAX} lines`, 'lines'));
  }
  const touched = new Map<string, { itemId: string; locationId: string }>();
  const touch = (itemId: string, locationId: string) => touched.set(`${itemId}|${locationId}`, { itemId, locationId });

  for (const [i, line] of c.lines.entries()) {
    const field = `lines[${i}]`;
    const bad = checkQuantity(line.quantity, `${field}.quantity`) ?? checkAccount(line.from, `${field}.from`) ?? checkAccount(line.to, `${field}.to`);
    if (bad) return refused(bad);
    // Both sides may be external (units lost in transit: in_transit → shrinkage); the movement
    // still names the stock level it is booked against.
    if (line.from === line.to) return refused(refusal('validation_failed', `${field}: from and to must differ`, `${field}.to`));
    const at = resolveLevel(ctx, line);
    if (!at.ok) return at;
    const { item, location } = at.value;
    if (isBucket(line.from)) {
      // Earlier lines of this step already moved units in the scratch, so this sees them.
      const have = ctx.scratch.read(item.id, location.id)[line.from];
      if (have < line.quantity) {
        return refused(refusal('insufficient_stock', `${line.from} of ${item.sku} at ${location.code} is ${have}; cannot take ${line.quantity}`, `${field}.quantity`, { bucket: line.from, have, sku: item.sku }));
      }
    }
    ctx.scratch.move({ itemId: item.id, locationId: location.id, from: line.from as Account, to: line.to as Account, quantity: line.quantity, reason: line.reason ?? null, holdId: null });
    touch(item.id, location.id);
  }
  for (const [i, v] of variances.entries()) {
    if (typeof v.variance !== 'number' || !Number.isSafeInteger(v.variance)) {
      return refused(refusal('invalid_quantity', `variances[${i}].variance must be a whole number`, `variances[${i}].variance`));
    }
    const at = resolveLevel(ctx, v);
    if (!at.ok) return at;
    applyVariance(ctx, at.value.item, at.value.location, v.variance, c.reference);
    touch(at.value.item.id, at.value.location.id);
  }
  return ok({ kind: 'levels', levels: [...touched.values()] });
}
