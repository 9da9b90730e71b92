// Options that many commands share.

import { Option } from 'commander';

export const workspaceOption = () => new Option('--workspace <id>', 'workspace id or name (default: the only one)').env('TRUESTOCK_WORKSPACE');
export const keyOption = (what: string) => new Option('--idempotency-key <key>', `idempotency key (default: ${what})`);
