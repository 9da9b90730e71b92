// Channel credentials at rest (issue 15, item 2), on SQLite and PostgreSQL: sealed with a key
// from a 0600 key file generated on first start (or TRUESTOCK_SECRET_KEY); rows in clear from
// before are sealed at the next start; `truestock secrets rotate` seals every row with a new key
// and drops the old one; reads hide credentials at any depth.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../app/access.ts';
import { createChannel } from '../app/channels.ts';
import { ManualClock } from '../app/clock.ts';
import { newSecretKey, parseSecretKey, readKeyFile } from '../app/secret-key.ts';
import { Truestock, type TruestockConfig } from '../app/truestock.ts';
import { rotateSecretKey } from '../cli/secrets.ts';
import { getSubscription } from '../store/alert-repo.ts';
import { getChannel } from '../store/channel-repo.ts';
import { isSealed, SecretBox } from '../store/secret-box.ts';
import { createDatabase, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';

describe.each(STORE_KINDS)('channel secrets at rest on %s', (kind) => {
  const clock = new ManualClock();
  let db: TestDatabase;
  let dir: string;
  let config: TruestockConfig;
  let ws = '';
  beforeAll(async () => {
    db = await createDatabase(kind);
    dir = mkdtempSync(join(tmpdir(), 'truestock-key-'));
    config = { ...db.config, clock, secretKeyFile: join(dir, 'truestock-secret.key') };
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const withTs = async <T>(fn: (ts: Truestock) => Promise<T>, c: TruestockConfig = config): Promise<T> => {
    const ts = await Truestock.open(c);
    try {
      return await fn(ts);
    } finally {
      await ts.close();
    }
  };
  const rawAlertSecret = async (ts: Truestock) => (await ts.store.read((d) => d.get<{ secret: string }>("SELECT secret FROM alert_subscriptions WHERE id = 'asub_legacy'")))!.secret;
  const rawPreviousSecret = async (ts: Truestock) => (await ts.store.read((d) => d.get<{ previous_secret: string }>("SELECT previous_secret FROM alert_subscriptions WHERE id = 'asub_legacy'")))!.previous_secret;
  const rawSettings = (ts: Truestock) => ts.store.read((d) => d.all<{ id: string; settings: string }>('SELECT id, settings FROM channels ORDER BY id'));
  const fileBox = () => new SecretBox(parseSecretKey(readKeyFile(config.secretKeyFile!)[0]!, 'key file'));

  it('generates a 0600 key file on first start and seals settings with it; reads hide credentials at any depth', async () => {
    await withTs(async (ts) => {
      expect(statSync(config.secretKeyFile!).mode & 0o777).toBe(0o600);
      ws = (await createWorkspace(ts.store, clock, 'Sealed')).workspace.id;
      const made = await ts.store.transaction((d) => createChannel(d, ws, { kind: 'custom', name: 'erp', settings: { access_token: 'at-SECRET', oauth: { refresh_token: 'rt-SECRET', expires_in: 3600 }, region: 'eu' } }, clock.now()));
      if ('code' in made) throw new Error(made.detail);
      expect(made.body.channel).toMatchObject({ settings: { access_token: '(set)', oauth: { refresh_token: '(set)', expires_in: 3600 }, region: 'eu' } });
      const [row] = await rawSettings(ts);
      expect(isSealed(row!.settings)).toBe(true);
      expect(row!.settings).not.toMatch(/SECRET|region/);
      expect(JSON.parse(fileBox().open(row!.settings))).toMatchObject({ oauth: { refresh_token: 'rt-SECRET' } });
      expect((await ts.store.read((d) => getChannel(d, ws, row!.id)))!.settings).toMatchObject({ access_token: 'at-SECRET' });
    });
  });

  it('seals a row in clear from before encryption at the next start', async () => {
    await withTs((ts) => ts.store.transaction(async (d) => {
      await d.run("INSERT INTO channels (id, workspace_id, kind, name, settings, created_at, updated_at) VALUES ('chan_legacy', ?, 'custom', 'legacy', ?, 0, 0)", [ws, JSON.stringify({ api_token: 'legacy-SECRET' })]);
      await d.run(`INSERT INTO alert_subscriptions (id, workspace_id, kind, name, url, secret, previous_secret, previous_secret_until, email, events, min_severity, digest_minutes, digest_due_at, enabled, created_at, updated_at)
        VALUES ('asub_legacy', ?, 'webhook', 'erp', 'http://127.0.0.1:9/', 'whsec_legacySECRET', 'whsec_previousSECRET', 1, NULL, '[]', 'info', 0, NULL, ?, 0, 0)`, [ws, true]);
    }));
    await withTs(async (ts) => {
      for (const r of await rawSettings(ts)) expect(r.settings).not.toContain('SECRET');
      expect((await ts.store.read((d) => getChannel(d, ws, 'chan_legacy')))!.settings).toEqual({ api_token: 'legacy-SECRET' });
      // An alert's signing secret too: sealed at rest, read back as it was.
      expect((await rawAlertSecret(ts))).not.toContain('SECRET');
      expect((await ts.store.read((d) => getSubscription(d, ws, 'asub_legacy')))!.secret).toBe('whsec_legacySECRET');
      // And the secret a rotation replaced, which signs beside it for a while.
      expect((await rawPreviousSecret(ts))).not.toContain('SECRET');
      expect((await ts.store.read((d) => getSubscription(d, ws, 'asub_legacy')))!.previous_secret).toBe('whsec_previousSECRET');
    });
  });

  it('rotates: every row sealed with a new key, the old key gone from the file, everything still read', async () => {
    const before = readKeyFile(config.secretKeyFile!);
    const done = await rotateSecretKey(config);
    expect(done).toMatchObject({ file: config.secretKeyFile, channels: 2 });
    const after = readKeyFile(config.secretKeyFile!);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    expect(statSync(config.secretKeyFile!).mode & 0o777).toBe(0o600);
    await withTs(async (ts) => {
      const box = fileBox();
      for (const r of await rawSettings(ts)) expect(box.sealedWithCurrent(r.settings)).toBe(true);
      expect(JSON.parse(box.open((await rawSettings(ts)).find((r) => r.id === 'chan_legacy')!.settings))).toEqual({ api_token: 'legacy-SECRET' });
      expect(JSON.parse(box.open(await rawAlertSecret(ts)))).toBe('whsec_legacySECRET');
      expect(JSON.parse(box.open(await rawPreviousSecret(ts)))).toBe('whsec_previousSECRET');
    });
  });

  it('takes the key from TRUESTOCK_SECRET_KEY, with the old one in TRUESTOCK_SECRET_KEY_OLD during a rotation', async () => {
    const fileKey = readKeyFile(config.secretKeyFile!)[0]!;
    const envKey = newSecretKey();
    const envConfig: TruestockConfig = { ...db.config, clock, secretKey: envKey, secretKeysOld: [fileKey] };
    expect(await rotateSecretKey(envConfig)).toMatchObject({ file: null, channels: 2 });
    await withTs(async (ts) => {
      const box = new SecretBox(parseSecretKey(envKey, 'env'));
      for (const r of await rawSettings(ts)) expect(box.sealedWithCurrent(r.settings)).toBe(true);
    }, { ...db.config, clock, secretKey: envKey });
  });
});
