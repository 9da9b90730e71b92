// Runs one Amazon emulator from the command line, for the demo and manual poking:
//   node --import tsx emulators/amazon/serve.ts --port 4002 [--seller A1EMULATEDSELLER] [--marketplace ATVPDKIKX0DER] [--seed 7]
// It prints its URL and the LWA credentials, and serves until interrupted.

import { parseArgs } from 'node:util';
import { startAmazonEmulator } from './emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    seller: { type: 'string' },
    marketplace: { type: 'string', multiple: true },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'refresh-token': { type: 'string' },
    'listing-processing-ms': { type: 'string' },
    'feed-queue-ms': { type: 'string' },
    'feed-processing-ms': { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const e = await startAmazonEmulator({
  port: Number(values.port),
  sellerId: values.seller,
  marketplaceIds: values.marketplace,
  clientId: values['client-id'],
  clientSecret: values['client-secret'],
  refreshToken: values['refresh-token'],
  listingProcessingMs: num(values['listing-processing-ms']),
  feedQueueMs: num(values['feed-queue-ms']),
  feedProcessingMs: num(values['feed-processing-ms']),
  seed: Number(values.seed),
});
process.stdout.write(`Amazon SP-API emulator for seller ${e.sellerId} at ${e.url}\n  LWA: POST ${e.url}/auth/o2/token client_id=${e.clientId} client_secret=${e.clientSecret} refresh_token=${e.refreshToken}\n`);
const stop = () => void e.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
