// A scratch copy of the stock levels and holds one command may change.
//
// A command first runs its ladder of checks, reading balances through the scratch; then it
// moves units. If any check refuses — even after some lines already moved, as in a multi-line
// reservation — the scratch is dropped and nothing of the command remains: all lines or none.
// `commit()` folds the scratch into the batch state that the store will write.

import { applyMovement, type Balances, zeroBalances } from './buckets.ts';
import { invariant } from './errors.ts';
import type { ExceptionDraft, Hold, MovementDraft, StockLevel } from './model.ts';

export function levelKey(itemId: string, locationId: string): string {
  return `${itemId}|${locationId}`;
}

/** What a batch of commands has loaded and changed so far. */
export class LedgerState {
  readonly levels = new Map<string, StockLevel>();
  readonly holds = new Map<string, Hold>();
  readonly dirtyLevels = new Set<string>();
  readonly dirtyHolds = new Set<string>();
  /** Ids of the empty levels this batch inserted, so that unused ones can be removed again. */
  readonly created = new Set<string>();

  level(itemId: string, locationId: string): StockLevel | undefined {
    return this.levels.get(levelKey(itemId, locationId));
  }
}

export interface ScratchResult {
  movements: MovementDraft[];
  exceptions: ExceptionDraft[];
}

export class Scratch {
  private readonly balances = new Map<string, Balances>();
  private readonly holds = new Map<string, Hold>();
  private readonly movements: MovementDraft[] = [];
  private readonly exceptions: ExceptionDraft[] = [];

  constructor(private readonly state: LedgerState) {}

  /** Current balances of a stock level; a level that does not exist yet reads as all zero. */
  read(itemId: string, locationId: string): Readonly<Balances> {
    const key = levelKey(itemId, locationId);
    return this.balances.get(key) ?? this.state.levels.get(key)?.balances ?? zeroBalances();
  }

  hold(id: string): Hold | undefined {
    return this.holds.get(id) ?? this.state.holds.get(id);
  }

  /** Record a new or changed hold (callers pass a fresh object, never a mutated loaded one). */
  putHold(hold: Hold): void {
    this.holds.set(hold.id, hold);
  }

  /**
   * Move units. Every rule was checked before; a bucket going negative here is a bug.
   * Units arriving in `available` first repay any oversold debt of that stock level, so the
   * debt is settled by the next receipt, return or cancellation.
   */
  move(draft: MovementDraft): void {
    const key = levelKey(draft.itemId, draft.locationId);
    invariant(this.state.levels.has(key), () => `stock level ${key} was not loaded before moving units`);
    let b = this.balances.get(key);
    if (!b) {
      b = { ...this.state.levels.get(key)!.balances };
      this.balances.set(key, b);
    }
    applyMovement(b, draft.from, draft.to, draft.quantity);
    this.movements.push(draft);
    if (draft.to === 'available' && b.oversold > 0) {
      const repay = Math.min(b.oversold, b.available);
      applyMovement(b, 'available', 'oversold', repay);
      this.movements.push({ ...draft, from: 'available', to: 'oversold', quantity: repay, reason: 'oversold_settled' });
    }
  }

  /** Movements made so far: a caller applying several commands on one scratch tells them apart. */
  get moved(): number {
    return this.movements.length;
  }

  raise(exception: ExceptionDraft): void {
    this.exceptions.push(exception);
  }

  /** Fold into the batch state. From here the command has happened. */
  commit(now: number): ScratchResult {
    for (const [key, b] of this.balances) {
      const level = this.state.levels.get(key)!;
      level.balances = b;
      level.updatedAt = now;
      this.state.dirtyLevels.add(key);
    }
    for (const [id, hold] of this.holds) {
      this.state.holds.set(id, hold);
      this.state.dirtyHolds.add(id);
    }
    return { movements: this.movements, exceptions: this.exceptions };
  }
}
