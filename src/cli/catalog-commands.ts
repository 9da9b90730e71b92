// `truestock` commands for products, bundles, channels, listings, catalog problems, CSV import/export. Each action loads its module when it runs.

import type { Command } from 'commander';

export function registerCatalogCommands(cli: Command): void {}
