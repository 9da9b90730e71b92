// `truestock` commands for purchase orders and transfers. Each action loads its module when it runs.

import type { Command } from 'commander';

export function registerPurchasingCommands(cli: Command): void {}
