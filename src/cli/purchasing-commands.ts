// `truestock` commands for purchase orders and transfers. Each action loads its module when it runs.

import { type Command, Option } from 'commander';
import { keyOption, workspaceOption } from './options.ts';

const newKey = () => keyOption('a new random UUID, printed so that you can retry with it');
const json = () => new Option('--json', 'print the JSON the API answers with');

export function registerPurchasingCommands(cli: Command): void {
  const po = cli
    .command('po')
    .description('purchase orders: what suppliers will deliver (incoming), received in parts, good or damaged')
    .addHelpText('after', '\nA PO is named by its number (PO-000123) or its id. It closes itself when every line has arrived in full.');
  po.command('create')
    .description('open a purchase order; its lines become incoming at the location')
    .argument('<lines...>', 'SKU:QTY, e.g. TEE-M:40 TEE-L:24')
    .requiredOption('--supplier <name>', 'who will deliver')
    .requiredOption('--location <code>', 'where it will arrive')
    .option('--number <number>', 'document number (default: the next PO-000123)')
    .option('--eta <date>', 'expected arrival, e.g. 2026-12-01')
    .option('--note <text>', 'kept with the PO and its movements')
    .addOption(workspaceOption())
    .addOption(newKey())
    .addOption(json())
    .action(async (lines, opts) => (await import('./po.ts')).poCreate(lines, opts));
  po.command('receive')
    .description('receive a delivery or one carton of it: good units to available (or quality_control where inspection is required), damaged to damaged')
    .argument('<po>', 'PO number or id')
    .argument('<lines...>', 'SKU:GOOD[:DAMAGED][@LOCATION], e.g. TEE-M:38:2; @LOCATION puts that carton away at another location')
    .option('--reference <text>', 'delivery note or carton; kept as the movements’ note')
    .option('--allow-over-receipt', 'accept more units than are still expected')
    .addOption(workspaceOption())
    .addOption(newKey())
    .addOption(json())
    .action(async (id, lines, opts) => (await import('./po.ts')).poReceive(id, lines, opts));
  po.command('close')
    .description('close a PO; what was never delivered stops being incoming')
    .argument('<po>', 'PO number or id')
    .option('--reason <text>', 'why it closes short (required when units are still expected)')
    .addOption(workspaceOption())
    .addOption(newKey())
    .addOption(json())
    .action(async (id, opts) => (await import('./po.ts')).poClose(id, opts));
  po.command('show')
    .description('a PO: its lines, what is still expected, and every movement it made')
    .argument('<po>', 'PO number or id')
    .addOption(workspaceOption())
    .addOption(json())
    .action(async (id, opts) => (await import('./po.ts')).poShow(id, opts));
  po.command('list')
    .description('list purchase orders')
    .addOption(new Option('--state <state>', 'only these').choices(['open', 'closed']))
    .addOption(workspaceOption())
    .addOption(json())
    .action(async (opts) => (await import('./po.ts')).poList(opts));

  const transfers = cli
    .command('transfers')
    .description('stock moving between two locations: shipped, received in parts, losses written off on close')
    .addHelpText('after', '\nA transfer is named by its number (TR-000045) or its id. It closes itself when every unit has arrived.');
  transfers.command('create')
    .description('create and ship a transfer: available at FROM goes in transit, TO expects it as incoming')
    .argument('<from>', 'source location code')
    .argument('<to>', 'destination location code')
    .argument('<lines...>', 'SKU:QTY, e.g. TEE-M:10')
    .option('--number <number>', 'document number (default: the next TR-000045)')
    .option('--eta <date>', 'expected arrival, e.g. 2026-12-01')
    .option('--note <text>', 'kept with the transfer and its movements')
    .addOption(workspaceOption())
    .addOption(newKey())
    .addOption(json())
    .action(async (from, to, lines, opts) => (await import('./transfers.ts')).transfersCreate(from, to, lines, opts));
  transfers.command('receive')
    .description('receive part or all of a transfer at its destination')
    .argument('<transfer>', 'transfer number or id')
    .argument('<lines...>', 'SKU:GOOD[:DAMAGED], e.g. TEE-M:9:1')
    .option('--reference <text>', 'delivery note; kept as the movements’ note')
    .addOption(workspaceOption())
    .addOption(newKey())
    .addOption(json())
    .action(async (id, lines, opts) => (await import('./transfers.ts')).transfersReceive(id, lines, opts));
  transfers.command('close')
    .description('close a transfer: what never arrived is written off as lost in transit (shrinkage)')
    .argument('<transfer>', 'transfer number or id')
    .option('--note <text>', 'why')
    .addOption(workspaceOption())
    .addOption(newKey())
    .addOption(json())
    .action(async (id, opts) => (await import('./transfers.ts')).transfersClose(id, opts));
  transfers.command('show')
    .description('a transfer: its lines, what is in transit, and every movement it made')
    .argument('<transfer>', 'transfer number or id')
    .addOption(workspaceOption())
    .addOption(json())
    .action(async (id, opts) => (await import('./transfers.ts')).transfersShow(id, opts));
  transfers.command('list')
    .description('list transfers')
    .addOption(new Option('--state <state>', 'only these').choices(['in_transit', 'closed']))
    .addOption(workspaceOption())
    .addOption(json())
    .action(async (opts) => (await import('./transfers.ts')).transfersList(opts));
}
