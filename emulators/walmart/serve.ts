// Runs one Walmart Marketplace emulator from the command line, for the demo and manual poking:
//   node --import tsx emulators/walmart/serve.ts --port 4003 [--partner 10000000001] [--ship-node 10000000001] [--seed 7]
// It prints its URL and the client credentials, and serves until interrupted.

import { parseArgs } from 'node:util';
import { startWalmartEmulator } from './emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    partner: { type: 'string' },
    'ship-node': { type: 'string', multiple: true },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'feed-received-ms': { type: 'string' },
    'feed-processing-ms': { type: 'string' },
    'feeds-per-hour': { type: 'string' },
    'hmac-encoding': { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const e = await startWalmartEmulator({
  port: Number(values.port),
  partnerId: values.partner,
  shipNodes: values['ship-node'],
  clientId: values['client-id'],
  clientSecret: values['client-secret'],
  feedReceivedMs: num(values['feed-received-ms']),
  feedProcessingMs: num(values['feed-processing-ms']),
  feedsPerHour: num(values['feeds-per-hour']),
  hmacEncoding: values['hmac-encoding'] as 'base64' | 'hex' | undefined,
  seed: Number(values.seed),
});
process.stdout.write(`Walmart Marketplace emulator for partner ${e.partnerId} at ${e.url}\n  Token: POST ${e.url}/v3/token (Basic ${e.clientId}:${e.clientSecret}, grant_type=client_credentials)\n  Ship nodes: ${e.shipNodes.join(', ')}\n`);
const stop = () => void e.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
