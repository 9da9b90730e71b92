// The emulator kit: the pieces every channel emulator needs (README.md).

export { type ArmedFault, ArmedFaults } from './armed-faults.ts';
export { type KitClock, type KitScheduler, type KitSleep, ManualKitScheduler, realScheduler, schedulerOn, settle } from './clock.ts';
export { controlFields } from './control-fields.ts';
export { emulatorErrors, type ErrorRegistry, type ErrorSpec, PROBLEM_JSON, type Problem } from './emulator-errors.ts';
export { checkFaults, type DeliveryFaults, type FaultDraw, FaultSwitches, NO_FAULTS, Outage, type OutageAnswer, type OutageMode } from './faults.ts';
export { type HttpAnswer, readBody, readJsonBody, sendAnswer } from './http-answer.ts';
export { inProcessFetch, type InProcessOptions, type NodeHandler } from './in-process-fetch.ts';
export { type Random, randomUuid, seededRandom } from './prng.ts';
export { matchRoute, route, type Route } from './routes.ts';
export { type BucketStatus, TokenBucket } from './token-bucket.ts';
export { checkAddress, type DeliveryCounters, type DeliveryInfo, WebhookSender, type WebhookSenderOptions } from './webhook-delivery.ts';
