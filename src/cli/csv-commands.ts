// `truestock` commands that import and export CSV files. Each action loads its module when it runs.

import { type Command, Option } from 'commander';
import { KINDS } from '../channels/registry.ts';
import { keyOption, workspaceOption } from './options.ts';

/** Kinds whose own inventory export `stock import --format <kind>` reads (see app/stock-import.ts). */
const exportKinds = KINDS.filter((k) => k.stockFile);

/** The command `name` of `cli`, made when no other module made it first. */
function group(cli: Command, name: string, description: string): Command {
  return cli.commands.find((c) => c.name() === name) ?? cli.command(name).description(description);
}

export function registerCsvCommands(cli: Command): void {
  const items = group(cli, 'items', 'manage items');
  items
    .command('import')
    .description('create or update items from a CSV file (columns sku,name[,barcode][,archived][,kind][,units_per_case][,requires_inspection][,skip_return_inspection]); all rows or none')
    .argument('<file>', 'CSV file with a header row')
    .addOption(workspaceOption())
    .addOption(keyOption('derived from the file content, so the same file imports once'))
    .action(async (file, opts) => (await import('./items-import.ts')).itemsImport(file, opts));
  items
    .command('export')
    .description('write every item as CSV, in the columns items import takes')
    .option('--out <file>', 'write to this file (default: stdout)')
    .addOption(workspaceOption())
    .action(async (opts) => (await import('./csv-export.ts')).itemsExport(opts));

  // `stock` also shows one SKU (`truestock stock SKU`); these are its subcommands.
  const stock = group(cli, 'stock', 'stock levels');
  stock
    .command('import')
    .description(`set counted stock from a CSV file (sku,location,on_hand[,zone])${exportKinds.map((k) => ` or ${k.stockFile!.label}`).join('')}; each difference is a count variance; all rows or none`)
    .argument('<file>', 'CSV file with a header row')
    .addOption(new Option('--format <format>', 'file layout').choices(['truestock', ...exportKinds.map((k) => k.name)]).default('truestock'))
    .option('--create-items', `${exportKinds.filter((k) => k.stockFile!.createsItems).map((k) => k.label).join(' or ')} files: create items for unknown SKUs from what the file says of them first`)
    .addOption(workspaceOption())
    .addOption(keyOption('derived from the file content, so the same file imports once'))
    .action(async (file, opts) => (await import('./stock-import.ts')).stockImport(file, opts));
  stock
    .command('export')
    .description('write every stock level as CSV (sku,location,on_hand,zone), the columns stock import takes')
    .option('--out <file>', 'write to this file (default: stdout)')
    .addOption(workspaceOption())
    .action(async (opts) => (await import('./csv-export.ts')).stockExport(opts));
}
