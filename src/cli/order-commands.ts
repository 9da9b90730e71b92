// `truestock orders …` commands (src/cli/orders.ts does the work). Each action loads its module when it runs.

import { type Command, Option } from 'commander';
import { ORDER_STATES, SERVICE_LEVELS } from '../domain/order-rules.ts';
import { keyOption, workspaceOption } from './options.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const newKey = () => keyOption('a new random UUID, printed so that you can retry with it');

export function registerOrderCommands(cli: Command): void {
  const orders = cli.command('orders').description('orders: place (staff or channel), ship, cancel, list and show (docs/orders.md)');
  orders
    .command('place')
    .description('place an order; staff orders are refused when short, channel orders never are (oversold and raised)')
    .argument('<lines...>', 'SKU:QUANTITY, e.g. TEE-M:2')
    .addOption(new Option('--source <source>', 'staff (refused when short) or channel (already taken by the channel)').choices(['staff', 'channel']).makeOptionMandatory())
    .option('--channel <id>', 'the channel id (with --source channel)')
    .option('--reference <ref>', "the channel's order reference (with --source channel)")
    .option('--pending', 'payment unconfirmed: hold the units until the order is confirmed')
    .addOption(new Option('--service-level <level>', 'how it ships').choices([...SERVICE_LEVELS]))
    .option('--pickup <code>', 'the store the customer collects from (allocated there only)')
    .option('--location <code>', 'a candidate location, best first (repeatable; default: every location that ships online)', collect)
    .option('--postal-code <code>', 'ship-to postal code')
    .option('--country <cc>', 'ship-to country (ISO 3166-1 alpha-2)')
    .option('--customer <ref>', 'customer reference')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .addOption(newKey())
    .action(async (lines, opts) => (await import('./orders.ts')).ordersPlace(lines, opts));
  orders
    .command('ship')
    .description('ship units from one location (everything left there when no lines are given)')
    .argument('<order>', 'order id or number')
    .argument('[lines...]', 'LINE:QUANTITY, e.g. 1:2')
    .requiredOption('--location <code>', 'where the units ship from')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .addOption(newKey())
    .action(async (ref, lines, opts) => (await import('./orders.ts')).ordersShip(ref, lines, opts));
  orders
    .command('cancel')
    .description('cancel the order, or units of lines (LINE or LINE:QUANTITY); the rest stays where it is')
    .argument('<order>', 'order id or number')
    .argument('[lines...]', 'LINE or LINE:QUANTITY')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .addOption(newKey())
    .action(async (ref, lines, opts) => (await import('./orders.ts')).ordersCancel(ref, lines, opts));
  orders
    .command('show')
    .description('an order with its lines and where its units are allocated')
    .argument('<order>', 'order id or number')
    .option('--json', 'print JSON (with shipments, movements, exceptions and the routing decision)')
    .addOption(workspaceOption())
    .action(async (ref, opts) => (await import('./orders.ts')).ordersShow(ref, opts));
  orders
    .command('list')
    .description('orders, newest first')
    .addOption(new Option('--state <state>').choices([...ORDER_STATES]))
    .option('--channel <id>', 'one channel')
    .option('--sku <sku>', 'orders with a line of this SKU')
    .option('--location <code>', 'orders allocated (or picked up) at this location')
    .option('--exceptions', 'only orders with an exception')
    .option('--json', 'print JSON')
    .addOption(workspaceOption())
    .action(async (opts) => (await import('./orders.ts')).ordersList(opts));
}
