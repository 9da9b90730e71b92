// `truestock channels add|list`.

import { createChannel } from '../app/channels.ts';
import type { ChannelKind } from '../domain/listing-rules.ts';
import { listChannels } from '../store/channel-repo.ts';
import { mutate } from './catalog-io.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { CliError, out, table } from './output.ts';

const LIST_PAGE_ROWS = 500;

/** `key=value` settings; true, false and plain numbers are typed, the rest are strings. */
export function parseSettings(pairs: string[]): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`--setting must be KEY=VALUE, got ${JSON.stringify(pair)}`);
    const [key, value] = [pair.slice(0, at), pair.slice(at + 1)];
    settings[key] = value === 'true' ? true : value === 'false' ? false : /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return settings;
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
      rows.push(...page.map((c) => [c.name, c.kind, JSON.stringify(c.settings), c.id]));
      if (page.length < LIST_PAGE_ROWS) break;
      after = page[page.length - 1]!.id;
    }
    out(rows.length ? table(['name', 'kind', 'settings', 'id'], rows) : 'no channels yet: add one with "truestock channels add shopify NAME"');
  });
}
