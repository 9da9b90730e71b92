// The merchant's inventory ledger as Square keeps it: a history of physical counts and
// adjustments, and counts computed from that history per (catalog object, location, state).
//
// Changes apply by their client-supplied `occurred_at`, not by arrival (the model: "Changes are
// applied based on the client-supplied timestamp and may be sent out of order"). A count is the
// latest physical count of its state — latest by occurred_at, then by arrival — plus every
// adjustment into or out of that state that occurred after it. So a physical count that arrives
// late but occurred before a sale does not undo the sale, and a sale that arrives late but
// occurred before a count is already inside that count.
//
// SOLD, NONE and UNLINKED_RETURN are not tracked (the model: "Quantities in the SOLD state are no
// longer tracked"): moving stock into or out of them changes only the tracked side's count.

import type { Units } from './decimal.ts';

export const UNTRACKED_STATES = ['SOLD', 'NONE', 'UNLINKED_RETURN'] as const;

export interface Source {
  product: 'SQUARE_POS' | 'EXTERNAL_API';
  name: string;
  application_id?: string;
}

interface ChangeBase {
  id: string;
  /** Arrival order: breaks ties between equal occurred_at. */
  seq: number;
  catalogObjectId: string;
  locationId: string;
  quantity: Units;
  occurredAt: number;
  createdAt: number;
  referenceId: string | null;
  teamMemberId: string | null;
  source: Source;
}

export interface PhysicalCount extends ChangeBase {
  type: 'PHYSICAL_COUNT';
  state: string;
}

export interface Adjustment extends ChangeBase {
  type: 'ADJUSTMENT';
  fromState: string;
  toState: string;
  /** The order a POS sale or return belongs to. */
  transactionId: string | null;
  totalPriceMoney: { amount: number; currency: string } | null;
}

export type Change = PhysicalCount | Adjustment;

/** A change before the ledger gives it an id, a sequence and its arrival time. */
export type NewChange = Omit<PhysicalCount, 'id' | 'seq' | 'createdAt'> | Omit<Adjustment, 'id' | 'seq' | 'createdAt'>;

export interface Count {
  catalogObjectId: string;
  locationId: string;
  state: string;
  quantity: Units;
  /** When the server last recomputed it (the arrival of the latest change that touched it). */
  calculatedAt: number;
}

export const countKey = (catalogObjectId: string, locationId: string, state: string) => `${catalogObjectId}\u0000${locationId}\u0000${state}`;

const isTracked = (state: string) => !(UNTRACKED_STATES as readonly string[]).includes(state);

/** Occurred later: by occurred_at, then by arrival. */
const later = (a: Change, b: Change) => a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.seq > b.seq);

export class InventoryLedger {
  readonly changes: Change[] = [];
  private readonly byKey = new Map<string, Change[]>();
  private readonly counts = new Map<string, Count>();
  private seq = 0;

  constructor(
    private readonly now: () => number,
    private readonly newId: () => string,
  ) {}

  /** The tracked states a change moves. */
  static statesOf(c: NewChange | Change): string[] {
    const states = c.type === 'PHYSICAL_COUNT' ? [c.state] : [c.fromState, c.toState];
    return states.filter(isTracked);
  }

  /** The count as the ledger computes it now (0 with no history). */
  quantity(catalogObjectId: string, locationId: string, state: string): Units {
    return this.counts.get(countKey(catalogObjectId, locationId, state))?.quantity ?? 0n;
  }

  /**
   * Records changes (already checked) in one step. A physical count equal to the count it would
   * replace is skipped when `ignoreUnchangedCounts`. Returns the changes recorded and the counts
   * they recomputed.
   */
  record(incoming: NewChange[], ignoreUnchangedCounts: boolean): { recorded: Change[]; recomputed: Count[] } {
    const at = this.now();
    const recorded: Change[] = [];
    const touched = new Set<string>();
    for (const c of incoming) {
      if (c.type === 'PHYSICAL_COUNT' && ignoreUnchangedCounts && this.quantity(c.catalogObjectId, c.locationId, c.state) === c.quantity) continue;
      const change = { ...c, id: this.newId(), seq: ++this.seq, createdAt: at } as Change;
      this.changes.push(change);
      recorded.push(change);
      for (const state of InventoryLedger.statesOf(change)) {
        const key = countKey(change.catalogObjectId, change.locationId, state);
        let list = this.byKey.get(key);
        if (!list) this.byKey.set(key, (list = []));
        list.push(change);
        touched.add(key);
        // Recomputed per change, so a later physical count in the same batch compares with
        // the count the earlier changes left.
        this.recompute(key, change.catalogObjectId, change.locationId, state, at);
      }
    }
    return { recorded, recomputed: [...touched].map((k) => ({ ...this.counts.get(k)! })) };
  }

  private recompute(key: string, catalogObjectId: string, locationId: string, state: string, at: number): void {
    const list = this.byKey.get(key) ?? [];
    let base: PhysicalCount | null = null;
    for (const c of list) if (c.type === 'PHYSICAL_COUNT' && c.state === state && (!base || later(c, base))) base = c;
    let q = base?.quantity ?? 0n;
    for (const c of list) {
      if (c.type !== 'ADJUSTMENT' || (base && !later(c, base))) continue;
      if (c.toState === state) q += c.quantity;
      if (c.fromState === state) q -= c.quantity;
    }
    this.counts.set(key, { catalogObjectId, locationId, state, quantity: q, calculatedAt: at });
  }

  /** Every count with a history. */
  allCounts(): Count[] {
    return [...this.counts.values()].map((c) => ({ ...c }));
  }

  change(id: string): Change | undefined {
    return this.changes.find((c) => c.id === id);
  }
}
