// A separate process that hammers one SKU with reservations (for the multi-process test).
// argv: databaseUrl workspaceId sku location attempts concurrency tag

import { systemClock } from '../../src/app/clock.ts';
import { Ledger } from '../../src/app/ledger.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';

const [url, workspaceId, sku, location, attempts, concurrency, tag] = process.argv.slice(2) as string[];
const store = new PostgresStore(url!, { poolMax: 4 });
const ledger = new Ledger(store, systemClock);
const counts: Record<string, number> = {};
let next = 0;
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (next < Number(attempts)) {
      const i = next++;
      const r = await ledger.execute({ workspaceId: workspaceId!, idempotencyKey: `${tag}-${i}`, actor: `test:${tag}`, command: { type: 'reserve', lines: [{ sku: sku!, location: location!, quantity: 1 }] } });
      const k = r.ok ? 'ok' : r.refusal.code;
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }),
);
await store.close();
process.stdout.write(JSON.stringify(counts));
