// Scripted API failures: a fault armed for the next N requests of one operation (or of any), so a
// test can drive a connector through exactly the answers it must survive. The emulator decides
// what a fault answers; this only counts which request gets which fault.

/** One armed fault: answers the next `times` requests of `operation` (null: of any operation). */
export interface ArmedFault<F extends string, Op extends string> {
  fault: F;
  times: number;
  operation: Op | null;
}

export class ArmedFaults<F extends string, Op extends string> {
  private armed: ArmedFault<F, Op>[] = [];

  constructor(
    private readonly faults: readonly F[],
    private readonly isOperation: (s: string) => s is Op,
  ) {}

  /**
   * Arms `fault` for the next `times` requests of `operation` (absent: of any), replacing what was
   * armed for that pair; 0 disarms it. Returns what is armed. A bad argument is a RangeError
   * naming it, checked in the order fault, times, operation.
   */
  arm(fault: F, times = 1, operation?: string): ArmedFault<F, Op>[] {
    if (!(this.faults as readonly string[]).includes(fault)) throw new RangeError(`fault must be one of ${this.faults.join(', ')}`);
    if (!Number.isSafeInteger(times) || times < 0) throw new RangeError('times must be a whole number of 0 or more');
    if (operation !== undefined && !this.isOperation(operation)) throw new RangeError(`operation ${operation} is not one the emulator serves`);
    const op = operation ?? null;
    this.armed = this.armed.filter((a) => !(a.fault === fault && a.operation === op));
    if (times > 0) this.armed.push({ fault, times, operation: op });
    return this.list();
  }

  /** The fault this request of `op` answers with (one use spent), or null: the operation's own first, then one armed for any. */
  take(op: Op): F | null {
    const a = this.armed.find((x) => x.operation === op) ?? this.armed.find((x) => x.operation === null);
    if (!a) return null;
    a.times--;
    if (a.times === 0) this.armed = this.armed.filter((x) => x !== a);
    return a.fault;
  }

  /** What is armed, in the order it was armed (copies). */
  list(): ArmedFault<F, Op>[] {
    return this.armed.map((a) => ({ ...a }));
  }

  clear(): void {
    this.armed = [];
  }
}
