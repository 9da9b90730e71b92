// `truestock` commands for returns and cycle counts. Each action loads its module when it runs.

import { type Command, Option } from 'commander';
import { COUNT_STATES } from '../domain/count-rules.ts';
import { RETURN_STATES } from '../domain/return-rules.ts';
import { keyOption, workspaceOption } from './options.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const newKey = () => keyOption('a new random UUID, printed so that you can retry with it');

export function registerReturnAndCountCommands(cli: Command): void {
  const returns = cli.command('returns').description('customer returns: receive into quality_control, inspect, close');
  returns
    .command('create')
    .description('open a return for the units a customer is sending back')
    .argument('<lines...>', 'SKU:QUANTITY expected, e.g. TEE-M:2')
    .requiredOption('--location <code>', 'where the return arrives')
    .option('--number <number>', 'return number (default: RET-000001, …)')
    .option('--channel <id>', 'channel id the order came from')
    .option('--order <reference>', 'the order being returned')
    .option('--note <text>', 'free text')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .addOption(newKey())
    .action(async (lines, opts) => (await import('./returns.ts')).returnsCreate(lines, opts));
  returns
    .command('receive')
    .description('receive returned units into quality_control (available for items that skip inspection)')
    .argument('<return>', 'return id or number')
    .argument('<lines...>', 'SKU:QUANTITY received')
    .option('--allow-over-receipt', 'take more units than the return expects')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .addOption(newKey())
    .action(async (ref, lines, opts) => (await import('./returns.ts')).returnsReceive(ref, lines, opts));
  returns
    .command('inspect')
    .description('decide inspected units of one SKU: restock, damaged, write off, return to vendor')
    .argument('<return>', 'return id or number')
    .argument('<sku>')
    .option('--restock <n>', 'back to available')
    .option('--damaged <n>', 'to damaged')
    .option('--write-off <n>', 'to shrinkage')
    .option('--return-to-vendor <n>', 'to the vendor')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .addOption(newKey())
    .action(async (ref, sku, opts) => (await import('./returns.ts')).returnsInspect(ref, sku, opts));
  returns
    .command('close')
    .description('close a return once nothing awaits inspection')
    .argument('<return>', 'return id or number')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .addOption(newKey())
    .action(async (ref, opts) => (await import('./returns.ts')).returnsClose(ref, opts));
  returns
    .command('show')
    .description('show a return and its lines')
    .argument('<return>', 'return id or number')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .action(async (ref, opts) => (await import('./returns.ts')).returnsShow(ref, opts));
  returns
    .command('list')
    .description('list returns')
    .addOption(new Option('--state <state>', 'only returns in this state').choices(RETURN_STATES))
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .action(async (opts) => (await import('./returns.ts')).returnsList(opts));

  const counts = cli.command('counts').description('cycle counts: snapshot, enter counts, post variances');
  counts
    .command('create')
    .description('open a count of a location: all of it, some zones (--zone) or some SKUs (--sku)')
    .requiredOption('--location <code>', 'the location to count')
    .option('--zone <zone>', 'count this zone (repeatable)', collect)
    .option('--sku <sku>', 'count this SKU (repeatable)', collect)
    .option('--blind', 'hide expected quantities from counters below admin')
    .option('--number <number>', 'count number (default: CNT-000001, …)')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .addOption(newKey())
    .action(async (opts) => (await import('./counts.ts')).countsCreate(opts));
  counts
    .command('enter')
    .description('enter counted quantities; a counter entering again corrects their own number')
    .argument('<count>', 'count id or number')
    .argument('<entries...>', 'SKU:COUNTED, e.g. TEE-M:12')
    .option('--counter <name>', 'who counted (default: the CLI user)')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .addOption(newKey())
    .action(async (ref, entries, opts) => (await import('./counts.ts')).countsEnter(ref, entries, opts));
  counts
    .command('show')
    .description('show a count with its variance report')
    .argument('<count>', 'count id or number')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .action(async (ref, opts) => (await import('./counts.ts')).countsShow(ref, opts));
  counts
    .command('post')
    .description('post the variances as cycle_count movements; over the threshold, the count awaits approval')
    .argument('<count>', 'count id or number')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .addOption(newKey())
    .action(async (ref, opts) => (await import('./counts.ts')).countsPost(ref, opts));
  counts
    .command('approve')
    .description('approve and post a count (an admin act, recorded as approved_by)')
    .argument('<count>', 'count id or number')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .addOption(newKey())
    .action(async (ref, opts) => (await import('./counts.ts')).countsApprove(ref, opts));
  counts
    .command('cancel')
    .description('cancel a count that has not been posted')
    .argument('<count>', 'count id or number')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .addOption(newKey())
    .action(async (ref, opts) => (await import('./counts.ts')).countsCancel(ref, opts));
  counts
    .command('list')
    .description('list counts')
    .addOption(new Option('--state <state>', 'only counts in this state').choices(COUNT_STATES))
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .action(async (opts) => (await import('./counts.ts')).countsList(opts));
}
