// What the returns and counts commands share: the idempotency key a user can retry with, and
// running a document step or a header mutation under it as the CLI user.

import { randomUUID } from 'node:crypto';
import { fingerprint } from '../app/fingerprint.ts';
import { idempotent, type Written } from '../app/idempotent.ts';
import type { CommandResponse, DocumentStep } from '../app/ledger.ts';
import type { Truestock } from '../app/truestock.ts';
import type { Refusal } from '../domain/errors.ts';
import type { Db } from '../store/store.ts';
import { cliActor } from './context.ts';
import { CliError, EXIT_FAILURE, out, refusalError } from './output.ts';

export interface KeyOptions {
  idempotencyKey?: string;
}

/** The key for this run: the one given, or a new one, printed first so that a retry can reuse it. */
export function runKey(opts: KeyOptions): string {
  if (opts.idempotencyKey) return opts.idempotencyKey;
  const key = randomUUID();
  out(`idempotency key: ${key}`);
  return key;
}

function answer(res: CommandResponse, key: string): { replayed: boolean; status: number; body: Record<string, any> } {
  if (!res.ok) throw refusalError(res.refusal, res.refusal.code === 'busy' ? `retry with --idempotency-key ${key}` : undefined);
  return { replayed: res.replayed, status: res.status, body: res.body };
}

async function guarded(key: string, run: () => Promise<CommandResponse>): Promise<CommandResponse> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${err instanceof Error ? err.message : String(err)}; retry with --idempotency-key ${key}`, EXIT_FAILURE);
  }
}

export async function runStep(truestock: Truestock, workspaceId: string, key: string, step: DocumentStep) {
  return answer(await guarded(key, () => truestock.ledger.executeDocument({ workspaceId, idempotencyKey: key, actor: cliActor() }, step)), key);
}

export async function runMutation(truestock: Truestock, workspaceId: string, key: string, request: unknown, fn: (db: Db, now: number) => Promise<Written | Refusal>) {
  return answer(await guarded(key, () => idempotent(truestock.store, truestock.clock, workspaceId, key, fingerprint(request), fn)), key);
}

/** `SKU:QUANTITY` (quantity a whole number ≥ `min`). */
export function parsePair(text: string, min = 1): { sku: string; quantity: number } {
  const m = /^(.+):(\d+)$/.exec(text);
  const quantity = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(quantity) || quantity < min) throw new CliError(`expected SKU:QUANTITY with a whole quantity ≥ ${min}, got ${JSON.stringify(text)}`);
  return { sku: m[1]!, quantity };
}

/** A whole number option ≥ 0. */
export function parseUnits(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new CliError(`${name} must be a whole number ≥ 0, got ${JSON.stringify(text)}`);
  return Number(text);
}
