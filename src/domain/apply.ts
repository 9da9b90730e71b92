// One entry point from a command to its rule.

import type { StockCommand } from './commands.ts';
import { refusal } from './errors.ts';
import { type Outcome, refused, type RuleContext } from './context.ts';
import * as holds from './hold-rules.ts';
import * as documents from './post-rules.ts';
import * as stock from './stock-rules.ts';

export type Touched = stock.LevelTouched | holds.HoldTouched | holds.BackorderTouched | documents.LevelsTouched;

export function applyCommand(ctx: RuleContext, c: StockCommand): Outcome<Touched> {
  switch (c.type) {
    case 'receive':
      return stock.receive(ctx, c);
    case 'adjust':
      return stock.adjust(ctx, c);
    case 'move':
      return stock.move(ctx, c);
    case 'set_safety_stock':
      return stock.setSafetyStock(ctx, c);
    case 'count':
      return stock.count(ctx, c);
    case 'reserve':
      return holds.reserve(ctx, c);
    case 'extend':
      return holds.extend(ctx, c);
    case 'release':
      return holds.release(ctx, c);
    case 'expire':
      return holds.expire(ctx, c);
    case 'allocate':
      return holds.allocate(ctx, c);
    case 'allocate_order':
      return holds.allocateOrder(ctx, c);
    case 'ship':
      return holds.ship(ctx, c);
    case 'cancel_allocation':
      return holds.cancelAllocation(ctx, c);
    case 'post':
      return documents.post(ctx, c);
    default:
      return refused(refusal('validation_failed', `unknown command type ${JSON.stringify((c as { type?: unknown }).type)}`, 'type'));
  }
}
