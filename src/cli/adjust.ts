// `truestock adjust SKU LOCATION DELTA`: correct a bucket by hand, through the ledger like any
// other change, under an idempotency key the user can retry with.

import { randomUUID } from 'node:crypto';
import type { MovableBucket } from '../domain/buckets.ts';
import type { AdjustReason } from '../domain/commands.ts';
import { cliActor, resolveWorkspace, withTruestock } from './context.ts';
import { CliError, EXIT_FAILURE, out, refusalError, table } from './output.ts';
import { STOCK_COLUMNS } from './stock.ts';

export interface AdjustOptions {
  reason: AdjustReason;
  note?: string;
  bucket: MovableBucket;
  workspace?: string;
  idempotencyKey?: string;
}

export function parseDelta(text: string): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw new CliError(`DELTA must be a whole number such as 5 or -2, got ${JSON.stringify(text)}`);
  const delta = Number(text);
  if (!Number.isSafeInteger(delta)) throw new CliError(`DELTA ${text} is too large`);
  return delta;
}

export async function adjust(sku: string, location: string, deltaText: string, opts: AdjustOptions): Promise<void> {
  const delta = parseDelta(deltaText);
  const key = opts.idempotencyKey ?? randomUUID();
  // Printed first: if anything below fails half-way, the user can retry without applying twice.
  if (!opts.idempotencyKey) out(`idempotency key: ${key}`);
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    let res;
    try {
      res = await truestock.ledger.execute({
        workspaceId: ws.id,
        idempotencyKey: key,
        actor: cliActor(),
        command: { type: 'adjust', sku, location, delta, reason: opts.reason, bucket: opts.bucket, ...(opts.note !== undefined ? { note: opts.note } : {}) },
      });
    } catch (err) {
      throw new CliError(`${err instanceof Error ? err.message : String(err)}; retry with --idempotency-key ${key}`, EXIT_FAILURE);
    }
    if (!res.ok) throw refusalError(res.refusal, res.refusal.code === 'busy' ? `retry with --idempotency-key ${key}` : undefined);
    const level = res.body.stock_level as Record<string, number | string>;
    out(res.replayed
      ? `already applied under idempotency key ${key}; nothing changed. The stock level then was:`
      : `adjusted ${opts.bucket} of ${sku} at ${location} by ${delta > 0 ? '+' : ''}${delta} (${opts.reason})`);
    out(table(['sku', 'location', ...STOCK_COLUMNS], [[String(level.sku), String(level.location), ...STOCK_COLUMNS.map((c) => Number(level[c] ?? 0))]]));
  });
}
