// Runs one emulator from the command line, for the demo and manual poking:
//   node --import tsx emulators/shopify/serve.ts --shop demo-shop --port 4001 [--throttle-status 429] [--seed 7]
// It prints its URL and serves until interrupted.

import { parseArgs } from 'node:util';
import { startShopifyEmulator } from './emulator.ts';

const { values } = parseArgs({
  options: {
    shop: { type: 'string', default: 'demo-shop' },
    port: { type: 'string', default: '0' },
    'access-token': { type: 'string' },
    'client-secret': { type: 'string' },
    'throttle-status': { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
  },
});

const e = await startShopifyEmulator({
  shop: values.shop,
  port: Number(values.port),
  accessToken: values['access-token'],
  clientSecret: values['client-secret'],
  throttleHttpStatus: values['throttle-status'] === '429' ? 429 : 200,
  seed: Number(values.seed),
});
process.stdout.write(`Shopify emulator for ${e.shopDomain} at ${e.url} (token ${e.accessToken})\n`);
const stop = () => void e.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
