// `truestock` commands that import and export CSV files. Each action loads its module when it runs.

import type { Command } from 'commander';

export function registerCsvCommands(cli: Command): void {}
