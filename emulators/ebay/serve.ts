// Runs one eBay emulator from the command line, for the demo and manual poking:
//   node --import tsx emulators/ebay/serve.ts --port 4004 [--seller emulated_seller] [--seed 7] [--id-start 0]
// It prints its URL and the OAuth credentials, and serves until interrupted.

import { parseArgs } from 'node:util';
import { startEbayEmulator } from './emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    seller: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'refresh-token': { type: 'string' },
    'public-url': { type: 'string' },
    'id-start': { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});

const e = await startEbayEmulator({
  port: Number(values.port),
  sellerId: values.seller,
  clientId: values['client-id'],
  clientSecret: values['client-secret'],
  refreshToken: values['refresh-token'],
  publicUrl: values['public-url'],
  idStart: values['id-start'] === undefined ? undefined : Number(values['id-start']),
  seed: Number(values.seed),
});
process.stdout.write(
  `eBay emulator for seller ${e.sellerId} at ${e.url}\n  OAuth: POST ${e.url}/identity/v1/oauth2/token (Basic ${e.clientId}:${e.clientSecret}) grant_type=refresh_token refresh_token=${e.refreshToken}\n`,
);
const stop = () => void e.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
