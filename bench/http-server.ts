// The server side of benchmark (c), in its own process so that it does not share an event loop
// with the load generator. Seeds one hot SKU, listens on a free port, prints what the client
// needs as one JSON line, and runs until killed.
// env: DATABASE_URL or TRUESTOCK_DB, TRUESTOCK_GROUP_COMMIT=0|1, BENCH_STOCK

import { configFromEnv, Truestock } from '../src/app/truestock.ts';
import { startServer } from '../src/http/server.ts';
import { seed } from './fixture.ts';

const ts = await Truestock.open({ ...configFromEnv(), poolMax: 16 });
const fx = await seed(ts, 1, Number(process.env.BENCH_STOCK ?? 10_000));
const server = await startServer({ truestock: ts, host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url, key: fx.adminKey, sku: fx.skus[0] })}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => ts.close()).then(() => process.exit(0));
});
