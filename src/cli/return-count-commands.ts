// `truestock` commands for returns and cycle counts. Each action loads its module when it runs.

import type { Command } from 'commander';

export function registerReturnAndCountCommands(cli: Command): void {}
