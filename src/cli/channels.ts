// `truestock channels add|list|show|set`.

import { channelView, createChannel, findChannel, updateChannel } from '../app/channels.ts';
import type { ChannelKind } from '../domain/listing-rules.ts';
import { listChannels, listingsOfChannels } from '../store/channel-repo.ts';
import { mutate } from './catalog-io.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { CliError, out, table } from './output.ts';

const LIST_PAGE_ROWS = 500;

/**
 * `key=value` settings; true, false and plain numbers are typed, a value in `{…}` or `[…]` is JSON
 * (a kind's maps and lists: `locations={"ATVPDKIKX0DER":"FBA-US"}`), and so is one in double
 * quotes: a string that looks like a number (Walmart's ship node `ship_node='"10001"'`). The rest are strings.
 */
export function parseSettings(pairs: string[]): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`--setting must be KEY=VALUE, got ${JSON.stringify(pair)}`);
    const [key, value] = [pair.slice(0, at), pair.slice(at + 1)];
    settings[key] = value === 'true' ? true : value === 'false' ? false : /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : /^\s*[[{"]/.test(value) ? json(key, value) : value;
  }
  return settings;
}

function json(key: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new CliError(`--setting ${key}: not valid JSON (${err instanceof Error ? err.message : String(err)}): ${value}`);
  }
}

export async function channelsAdd(kind: ChannelKind, name: string, opts: { setting?: string[]; listsAllItems?: boolean; workspace?: string; idempotencyKey?: string }): Promise<void> {
  const settings = parseSettings(opts.setting ?? []);
  if (opts.listsAllItems) settings.lists_all_items = true;
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const input = { kind, name, settings };
    const { body, replayed } = await mutate(truestock, ws.id, opts.idempotencyKey, { type: 'channel_create', ...input }, (db, now) => createChannel(db, ws.id, input, now));
    const c = body.channel as { id: string; name: string; kind: string };
    out(`${replayed ? 'already added' : 'added'} channel ${c.name} (${c.kind}) ${c.id}`);
  });
}

export async function channelsList(opts: { workspace?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const rows: string[][] = [];
    for (let after: string | undefined; ; ) {
      const page = await truestock.store.read((db) => listChannels(db, ws.id, { limit: LIST_PAGE_ROWS, ...(after ? { after } : {}) }));
      // Credentials are write-only here as in the API: shown as set, never what they are.
      rows.push(...page.map((c) => [c.name, c.kind, JSON.stringify(channelView(c).settings), c.id]));
      if (page.length < LIST_PAGE_ROWS) break;
      after = page[page.length - 1]!.id;
    }
    out(rows.length ? table(['name', 'kind', 'settings', 'id'], rows) : 'no channels yet: add one with "truestock channels add shopify NAME"');
  });
}

/** One channel: its kind, its settings (credentials shown as set), and how many listings it has. */
export async function channelsShow(ref: string, opts: { workspace?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const { channel, listings } = await truestock.store.read(async (db) => {
      const channel = await findChannel(db, ws.id, ref);
      return { channel, listings: channel ? await listingsOfChannels(db, ws.id, [channel.id]) : [] };
    });
    if (!channel) throw new CliError(`no channel ${JSON.stringify(ref)} in this workspace`);
    const view = channelView(channel);
    out(`${view.name} (${view.kind}) ${view.id}`);
    for (const [k, v] of Object.entries(view.settings)) out(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    out(`listings: ${listings.filter((l) => l.active).length} active, ${listings.filter((l) => !l.active).length} inactive`);
  });
}

/** Change some settings of a channel (the others stay); `--unset` removes one. Refused settings are one line naming the field. */
export async function channelsSet(ref: string, opts: { setting?: string[]; unset?: string[]; name?: string; workspace?: string; idempotencyKey?: string }): Promise<void> {
  const changes = parseSettings(opts.setting ?? []);
  if (Object.keys(changes).length === 0 && (opts.unset ?? []).length === 0 && opts.name === undefined) throw new CliError('nothing to change: give --setting KEY=VALUE, --unset KEY or --name NAME');
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const channel = await truestock.store.read((db) => findChannel(db, ws.id, ref));
    if (!channel) throw new CliError(`no channel ${JSON.stringify(ref)} in this workspace`);
    const settings = { ...channel.settings, ...changes };
    for (const k of opts.unset ?? []) delete settings[k];
    const patch = { settings, ...(opts.name !== undefined ? { name: opts.name } : {}) };
    const { body } = await mutate(truestock, ws.id, opts.idempotencyKey, { type: 'channel_update', channel: channel.id, ...patch }, (db, now) => updateChannel(db, ws.id, channel.id, patch, now));
    const c = body.channel as { id: string; name: string; kind: string };
    out(`updated channel ${c.name} (${c.kind}) ${c.id}`);
  });
}
