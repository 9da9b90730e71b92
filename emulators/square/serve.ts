// Runs one Square emulator from the command line, for the demo and manual poking:
//   node --import tsx emulators/square/serve.ts --port 4005 [--token T] [--location LSTORE000001] [--seed 7]
// It prints its URL and the access token, and serves until interrupted.

import { parseArgs } from 'node:util';
import { startSquareEmulator } from './emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    token: { type: 'string' },
    merchant: { type: 'string' },
    location: { type: 'string', multiple: true },
    'webhook-window-hours': { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});

const hours = values['webhook-window-hours'];
const e = await startSquareEmulator({
  port: Number(values.port),
  accessToken: values.token,
  merchantId: values.merchant,
  locations: values.location?.map((id) => ({ id })),
  webhookRetry: hours === undefined ? undefined : { baseDelayMs: 60_000, windowMs: Number(hours) * 3_600_000 },
  seed: Number(values.seed),
});
process.stdout.write(`Square emulator for merchant ${e.merchantId} at ${e.url}\n  Authorization: Bearer ${e.accessToken}\n  control: ${e.url}/_emulator/state\n`);
const stop = () => void e.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
