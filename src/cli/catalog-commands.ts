// `truestock` commands for products, bundles, channels, listings, catalog problems, CSV import/export. Each action loads its module when it runs.

import { Argument, type Command, Option } from 'commander';
import { CATALOG_PROBLEM_KINDS } from '../app/catalog-problems.ts';
import { KIND_NAMES } from '../channels/registry.ts';
import { keyOption, workspaceOption } from './options.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerCatalogCommands(cli: Command): void {
  const products = cli.command('products').description('products and their variants');
  products
    .command('add')
    .description('add a product; its variants are items created with its id and option values')
    .argument('<handle>', 'unique handle, e.g. classic-tee')
    .argument('<name>', 'display name')
    .option('--option <name>', 'an option the variants differ by (repeat, e.g. --option Size --option Color)', collect)
    .addOption(workspaceOption())
    .addOption(keyOption('derived from the arguments'))
    .action(async (handle, name, opts) => (await import('./products.ts')).productsAdd(handle, name, opts));
  products
    .command('list')
    .description('list products')
    .addOption(workspaceOption())
    .action(async (opts) => (await import('./products.ts')).productsList(opts));

  const bundles = cli.command('bundles').description('bundles (kits) and multipacks');
  bundles
    .command('add')
    .description('add a bundle or multipack made of standard items')
    .argument('<sku>')
    .argument('<name>')
    .requiredOption('--component <sku:qty>', 'a component and its quantity per unit sold (repeat), e.g. TEE-M:2', collect)
    .addOption(new Option('--kind <kind>', 'bundle, or multipack (N of one item)').choices(['bundle', 'multipack']).default('bundle'))
    .addOption(workspaceOption())
    .addOption(keyOption('derived from the arguments'))
    .action(async (sku, name, opts) => (await import('./bundles.ts')).bundlesAdd(sku, name, opts));
  bundles
    .command('import')
    .description('import bundles from CSV (sku,name,kind,component_sku,quantity; one row per component): all rows or none')
    .argument('<file>')
    .addOption(workspaceOption())
    .addOption(keyOption("the file's content, so the same file imports once"))
    .action(async (file, opts) => (await import('./bundles.ts')).bundlesImport(file, opts));
  bundles
    .command('export')
    .description('write every bundle and multipack as CSV, one row per component')
    .argument('[file]', 'output file (default: stdout)')
    .addOption(workspaceOption())
    .action(async (file, opts) => (await import('./bundles.ts')).bundlesExport(file, opts));

  const channels = cli.command('channels').description('sales channels');
  channels
    .command('add')
    .description('add a channel')
    .addArgument(new Argument('<kind>', 'kind of channel').choices(KIND_NAMES))
    .argument('<name>', 'unique name, e.g. "Shopify US"')
    .option('--setting <key=value>', 'a setting (repeat); values true/false/numbers are typed, {…}, […] and "…" are JSON, e.g. seller_id=A1B2C3 or locations=\'{"ATVPDKIKX0DER":"FBA-US"}\'', collect)
    .option('--lists-all-items', 'every active item should be listed here (reported as a catalog problem when not)')
    .addOption(workspaceOption())
    .addOption(keyOption('derived from the arguments'))
    .action(async (kind, name, opts) => (await import('./channels.ts')).channelsAdd(kind, name, opts));
  channels
    .command('list')
    .description('list channels')
    .addOption(workspaceOption())
    .action(async (opts) => (await import('./channels.ts')).channelsList(opts));
  channels
    .command('show')
    .description('show a channel: its settings (credentials shown as set) and its listings')
    .argument('<channel>', 'channel name or id')
    .addOption(workspaceOption())
    .action(async (channel, opts) => (await import('./channels.ts')).channelsShow(channel, opts));
  channels
    .command('set')
    .description("change a channel's settings (the others stay) or its name")
    .argument('<channel>', 'channel name or id')
    .option('--setting <key=value>', 'a setting to set (repeat); typed as in `channels add`', collect)
    .option('--unset <key>', 'a setting to remove (repeat)', collect)
    .option('--name <name>', 'a new name')
    .addOption(workspaceOption())
    .addOption(keyOption('derived from the arguments'))
    .action(async (channel, opts) => (await import('./channels.ts')).channelsSet(channel, opts));

  const listings = cli.command('listings').description("channel listings: a channel's identifiers for an item");
  listings
    .command('add')
    .description('map a channel identifier to an item, bundle or multipack')
    .argument('<channel>', 'channel name or id')
    .argument('<sku>')
    .requiredOption('--id <field=value>', 'an identifier field (repeat), e.g. --id seller_sku=AB-1 --id marketplace_id=ATVPDKIKX0DER', collect)
    .option('--inactive', 'record the listing deactivated')
    .addOption(workspaceOption())
    .addOption(keyOption('derived from the arguments'))
    .action(async (channel, sku, opts) => (await import('./listings.ts')).listingsAdd(channel, sku, opts));
  listings
    .command('import')
    .description('import listings from CSV (channel,sku,external.<field>…,active): all rows or none')
    .argument('<file>')
    .addOption(workspaceOption())
    .addOption(keyOption("the file's content, so the same file imports once"))
    .action(async (file, opts) => (await import('./listings.ts')).listingsImport(file, opts));
  listings
    .command('export')
    .description('write listings as CSV')
    .argument('[file]', 'output file (default: stdout)')
    .option('--channel <channel>', 'only this channel (name or id)')
    .addOption(workspaceOption())
    .action(async (file, opts) => (await import('./listings.ts')).listingsExport(file, opts));

  const catalog = cli.command('catalog').description('the catalog as a whole');
  catalog
    .command('problems')
    .description('list catalog problems: duplicate or missing listings, listings of archived items, shared barcodes, bundles with archived components')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(CATALOG_PROBLEM_KINDS))
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .action(async (opts) => (await import('./catalog-problems.ts')).catalogProblemsCommand(opts));
}
