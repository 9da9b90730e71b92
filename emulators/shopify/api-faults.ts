// Scripted failures of the Admin API (README "API faults"): each fault answers the next N requests
// it applies to, in the order they arrive, so a test can drive a connector through exactly the
// answers it must survive.

import { invalid } from './errors.ts';
import { API_FAULTS, type ApiFault, type ApiFaults } from './types.ts';

/** More than this many pending answers of one fault is a mistake in a test, not a scenario. */
const FAULT_TIMES_MAX = 10_000;

export const INTERNAL_ERROR_MESSAGE = 'Internal error. Looks like something went wrong on our end.';
export const CONCURRENT_REQUEST_MESSAGE = 'The same idempotency key is being used by a request that is still running. Retry later with the same key.';
export const PREVIOUS_ATTEMPT_FAILED_MESSAGE = 'A previous request with this idempotency key failed. Retry with a new idempotency key.';

export function checkApiFault(fault: unknown, times: unknown): asserts fault is ApiFault {
  if (!(API_FAULTS as readonly unknown[]).includes(fault)) throw invalid(`fault must be one of ${API_FAULTS.join(', ')}`);
  if (times !== undefined && !(Number.isSafeInteger(times) && (times as number) >= 0 && (times as number) <= FAULT_TIMES_MAX)) {
    throw invalid(`times must be an integer from 0 to ${FAULT_TIMES_MAX}`);
  }
}

export class ApiFaultSwitch {
  private readonly left: ApiFaults = Object.fromEntries(API_FAULTS.map((f) => [f, 0])) as ApiFaults;

  /** Arms `fault` for the next `times` requests it applies to (0 disarms it); returns what is armed. */
  arm(fault: ApiFault, times = 1): ApiFaults {
    checkApiFault(fault, times);
    this.left[fault] = times;
    return this.pending();
  }

  /** True (and one use spent) when `fault` should answer this request. */
  take(fault: ApiFault): boolean {
    if (this.left[fault] === 0) return false;
    this.left[fault]--;
    return true;
  }

  pending(): ApiFaults {
    return { ...this.left };
  }
}
