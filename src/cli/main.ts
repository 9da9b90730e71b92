// The `truestock` command. Thin: parse arguments, call one command module, turn any failure
// into one line on stderr and an exit code. Command modules are loaded when they run, so
// `truestock adjust` does not pay for the HTTP server or the CSV reader.

import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { MOVABLE_BUCKETS } from '../domain/buckets.ts';
import { ADJUST_REASONS } from '../domain/commands.ts';
import { LOCATION_KINDS } from '../domain/model.ts';
import { CliError, EXIT_USAGE, reportError } from './output.ts';
import { keyOption, workspaceOption } from './options.ts';
import { registerAvailabilityCommands } from './availability-commands.ts';
import { registerCatalogCommands } from './catalog-commands.ts';
import { registerCsvCommands } from './csv-commands.ts';
import { registerPurchasingCommands } from './purchasing-commands.ts';
import { registerReturnAndCountCommands } from './return-count-commands.ts';
import { registerOrderCommands } from './order-commands.ts';
import { registerStartCommand } from './start.ts';

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}


export function program(): Command {
  const cli = new Command('truestock')
    .description('Inventory ledger: one source of truth for stock, every channel.')
    .version(version(), '-V, --version')
    .exitOverride()
    // Commander's own messages become our one-line errors (see run()).
    .configureOutput({ outputError: () => undefined, writeErr: () => undefined })
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nEnvironment: DATABASE_URL (PostgreSQL) or TRUESTOCK_DB (SQLite file, default ./truestock.db); TRUESTOCK_DEBUG=1 shows stack traces.');

  cli
    .command('serve')
    .description('run the HTTP API, the hold sweeper, the rule scheduler and the channel sync dispatcher')
    .addOption(new Option('--host <host>', 'interface to listen on').env('HOST').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').env('PORT').default('8080'))
    .option('--no-log', 'do not log requests')
    .option('--no-sync', 'do not push to channels from this process (run `truestock worker` processes instead)')
    .action(async (opts) => (await import('./serve.ts')).serve(opts));

  cli
    .command('worker')
    .description('push channel numbers from the outbox (several workers may share one PostgreSQL database)')
    .action(async () => (await import('./serve.ts')).worker());

  cli
    .command('init')
    .description('create a workspace and print its admin API key')
    .option('--name <name>', 'workspace name', 'default')
    .action(async (opts) => (await import('./init.ts')).init(opts));

  // `items import|export` and `stock import|export` are in csv-commands.ts.
  cli.command('items').description('manage items');

  const locations = cli.command('locations').description('manage locations');
  locations
    .command('add')
    .description('add a location')
    .argument('<code>', 'short code, e.g. WH1')
    .argument('<name>', 'display name')
    .addOption(new Option('--kind <kind>', 'kind of location').choices(LOCATION_KINDS).default('warehouse'))
    .addOption(workspaceOption())
    .addOption(keyOption('derived from the arguments'))
    .action(async (code, name, opts) => (await import('./locations.ts')).locationsAdd(code, name, opts));
  locations
    .command('list')
    .description('list locations')
    .addOption(workspaceOption())
    .action(async (opts) => (await import('./locations.ts')).locationsList(opts));

  cli
    .command('stock')
    .description("show an item's stock per location and in total")
    .argument('<sku>')
    .addOption(workspaceOption())
    .option('--json', 'print JSON')
    .action(async (sku, opts) => (await import('./stock.ts')).stock(sku, opts));

  cli
    .command('adjust')
    .description('add (DELTA > 0) or remove (DELTA < 0) units of a bucket at a location')
    .argument('<sku>')
    .argument('<location>', 'location code')
    .argument('<delta>', 'signed whole number, e.g. 5 or -2')
    .addOption(new Option('--reason <reason>', 'why').choices(ADJUST_REASONS).makeOptionMandatory())
    .option('--note <text>', 'free text kept with the movement')
    .addOption(new Option('--bucket <bucket>', 'bucket to change').choices(MOVABLE_BUCKETS).default('available'))
    .addOption(workspaceOption())
    .addOption(keyOption('a new random UUID, printed so that you can retry with it'))
    .action(async (sku, location, delta, opts) => (await import('./adjust.ts')).adjust(sku, location, delta, opts));

  cli
    .command('verify')
    .description('replay the ledger and compare with stored balances and holds; exit 1 on any mismatch')
    .addOption(new Option('--workspace <id>', 'workspace id or name (default: every workspace)').env('TRUESTOCK_WORKSPACE'))
    .action(async (opts) => (await import('./verify.ts')).verify(opts));

  registerCatalogCommands(cli);
  registerCsvCommands(cli);
  registerPurchasingCommands(cli);
  registerReturnAndCountCommands(cli);
  registerOrderCommands(cli);
  registerAvailabilityCommands(cli);
  registerStartCommand(cli);

  const users = cli.command('users').description('dashboard user accounts (sign in with email and password)');
  users
    .command('add <email>')
    .description('add a user; prints a generated password once')
    .option('--name <name>', 'display name (default: the part of the email before @)')
    .addOption(new Option('--role <role>', 'what the user may do').choices(['read', 'operate', 'admin']).default('operate'))
    .addOption(workspaceOption())
    .action(async (email, opts) => (await import('./users.ts')).addUser(email, opts));
  users
    .command('list')
    .description('list the users of a workspace')
    .addOption(workspaceOption())
    .action(async (opts) => (await import('./users.ts')).listUsersCommand(opts));

  cli.command('secrets').description('channel credentials sealed at rest (docs/security.md)').command('rotate')
    .description('seal every channel\'s credentials with a new key: a new key file, or TRUESTOCK_SECRET_KEY (old key in TRUESTOCK_SECRET_KEY_OLD); stop the servers first')
    .action(async () => (await import('./secrets.ts')).secretsRotate());

  // The server administrator's tools (docs/workspaces.md).
  const workspaces = cli.command('workspaces').description('workspaces on this server: list, create, suspend, reactivate');
  workspaces
    .command('list')
    .description('every workspace with its state and counts (users, keys, items, channels)')
    .option('--json', 'print JSON')
    .action(async (opts) => (await import('./workspaces.ts')).workspacesList(opts));
  workspaces
    .command('create <name>')
    .description("create a workspace; prints its first admin API key once")
    .action(async (name) => (await import('./workspaces.ts')).workspacesCreate(name));
  workspaces
    .command('suspend <workspace>')
    .description("refuse a workspace's keys, users and sessions and pause its channels' sync; its data is kept")
    .option('--reason <text>', 'why (shown to the server admin)')
    .action(async (ws, opts) => (await import('./workspaces.ts')).workspacesSuspend(ws, opts));
  workspaces
    .command('reactivate <workspace>')
    .description('let a suspended workspace in again')
    .action(async (ws) => (await import('./workspaces.ts')).workspacesReactivate(ws));
  const adminKey = cli.command('admin').description('the server administrator').command('key').description('server admin keys (tsa_…): manage workspaces, read none of their data');
  adminKey
    .command('create')
    .description('create a server admin key; prints it once')
    .option('--name <name>', 'who or what holds it', 'server admin')
    .action(async (opts) => (await import('./workspaces.ts')).adminKeyCreate(opts));
  adminKey
    .command('list')
    .description('list server admin keys (never the keys themselves)')
    .action(async () => (await import('./workspaces.ts')).adminKeyList());
  adminKey
    .command('revoke <id>')
    .description('revoke a server admin key')
    .action(async (id) => (await import('./workspaces.ts')).adminKeyRevoke(id));
  return cli;
}

/** Run the CLI; resolves with the exit code. Never throws. */
export async function run(argv: string[]): Promise<number> {
  const cli = program();
  try {
    await cli.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0; // --help, --version
      const command = commandPath(cli, argv);
      if (err.code === 'commander.help') return reportError(new CliError(`a command is required (see ${command} --help)`, EXIT_USAGE));
      return reportError(new CliError(`${err.message.replace(/^error: /, '')} (see ${command} --help)`, EXIT_USAGE));
    }
    return reportError(err);
  }
}

/** `truestock items import` for the help hint of a usage error. */
function commandPath(cli: Command, argv: string[]): string {
  const names = ['truestock'];
  let cmd: Command | undefined = cli;
  for (const arg of argv.slice(2)) {
    cmd = cmd?.commands.find((c) => c.name() === arg);
    if (!cmd) break;
    names.push(arg);
  }
  return names.join(' ');
}

// Failures outside the awaited chain (a stray rejection in a library) still end as one line.
process.on('uncaughtException', (err) => process.exit(reportError(err)));
process.on('unhandledRejection', (err) => process.exit(reportError(err)));

process.exit(await run(process.argv));
