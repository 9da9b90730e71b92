// `truestock rules …` and `truestock availability …`: what each channel may show, and why.
// Each action loads its module when it runs.

import { type Command, Option } from 'commander';
import { keyOption, workspaceOption } from './options.ts';

const json = () => new Option('--json', 'print JSON');
const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerAvailabilityCommands(cli: Command): void {
  const rules = cli
    .command('rules')
    .description("channel rules: locations, allocation (shared, share, ring-fenced), buffer, cap, zero-below, backorder")
    .addHelpText('after', '\nSettings are JSON, e.g. \'{"buffer":{"mode":"fixed","units":2}}\'. See docs/availability.md.');
  rules.command('add')
    .description("add a rule to a channel; the channel's listings are recomputed at once")
    .argument('<channel>', 'channel name or id')
    .requiredOption('--settings <json>', 'what the rule sets, as JSON')
    .option('--sku <sku>', 'only for this item (repeatable; default: every item)', collect)
    .option('--starts-at <time>', 'ISO time the rule starts, e.g. 2026-11-27T00:00:00Z')
    .option('--ends-at <time>', 'ISO time the rule ends')
    .option('--below <units>', 'applies only while the pool is below this many units')
    .addOption(workspaceOption())
    .addOption(keyOption('derived from the arguments'))
    .addOption(json())
    .action(async (channel, opts) => (await import('./availability.ts')).rulesAdd(channel, opts));
  rules.command('list')
    .description("a channel's rules, oldest first")
    .argument('<channel>', 'channel name or id')
    .option('--all', 'include deactivated rules')
    .addOption(workspaceOption())
    .addOption(json())
    .action(async (channel, opts) => (await import('./availability.ts')).rulesList(channel, opts));
  rules.command('remove')
    .description('deactivate a rule (it stays in the history)')
    .argument('<rule>', 'rule id')
    .addOption(workspaceOption())
    .addOption(keyOption('derived from the arguments'))
    .action(async (id, opts) => (await import('./availability.ts')).rulesRemove(id, opts));

  const availability = cli.command('availability').description('what each channel may promise');
  availability.command('explain')
    .description('the number a channel shows for an item, and every step that made it')
    .argument('<sku>')
    .requiredOption('--channel <name>', 'channel name or id')
    .addOption(workspaceOption())
    .addOption(json())
    .action(async (sku, opts) => (await import('./availability.ts')).explain(sku, opts));
  availability.command('recompute')
    .description('recompute every listing (or one channel\'s) and enqueue what changed; safe to repeat')
    .option('--channel <name>', 'only this channel')
    .addOption(workspaceOption())
    .action(async (opts) => (await import('./availability.ts')).recompute(opts));
}
