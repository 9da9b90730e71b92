// A secret is shown once (issue 15, item 2), on SQLite and PostgreSQL: the idempotency record of
// a create that makes a secret keeps no secret, and a replay of the same Idempotency-Key answers
// `secret: null` with a `secret_note` — for workspace API keys, a server admin's workspace and
// key creates, an alert webhook's signing secret and its rotation.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_REPLAY_NOTE } from '../app/idempotent.ts';
import { createServerAdminKey } from '../app/server-admin.ts';
import { Harness, type Json } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';

describe.each(STORE_KINDS)('secrets shown once on %s', (kind) => {
  const h = new Harness(kind);
  let root = '';
  beforeAll(async () => {
    await h.start();
    const made = await createServerAdminKey(h.ts.store, h.clock, 'ops');
    if ('code' in made) throw new Error(made.detail);
    root = made.plain;
  });
  afterAll(() => h.stop());

  const stored = () => h.ts.store.read((db) => db.all<{ response: string }>('SELECT response FROM idempotency_keys'));

  /** Post twice with one Idempotency-Key: the first answer has the secret, the replay and the store do not. */
  async function once(url: string, body: Json | undefined, key: string, status = 201): Promise<string> {
    const idem = randomUUID();
    const first = await h.post(url, body, { key, idem });
    expect(first.statusCode, first.body).toBe(status);
    const secret = first.json().secret as string;
    expect(secret).toMatch(/^(tsk_|whsec_)/);
    const again = await h.post(url, body, { key, idem });
    expect(again.statusCode, again.body).toBe(status);
    expect(again.json()).toEqual({ ...first.json(), secret: null, secret_note: SECRET_REPLAY_NOTE });
    expect(again.body).not.toContain(secret);
    for (const r of await stored()) expect(r.response).not.toContain(secret);
    return secret;
  }

  it('keeps no API key in the idempotency record of POST /v1/api-keys; the key still works', async () => {
    const secret = await once('/v1/api-keys', { name: 'erp', role: 'read' }, h.a.keys.admin);
    expect((await h.get('/v1/items', secret)).statusCode).toBe(200);
  });

  it('keeps no key of a workspace created by the server admin, nor of a key it creates there', async () => {
    await once('/v1/admin/workspaces', { name: `Shown once ${kind}` }, root);
    await once(`/v1/admin/workspaces/${h.b.id}/api-keys`, { name: 'ops key', role: 'operate' }, root);
  });

  it('keeps no webhook signing secret of an alert subscription', async () => {
    await once('/v1/alerts/subscriptions', { kind: 'webhook', name: 'erp', url: 'http://127.0.0.1:9/hooks', events: ['stock.changed'] }, h.a.keys.admin);
  });

  it("keeps no new signing secret of a webhook's rotation", async () => {
    const made = await h.post('/v1/alerts/subscriptions', { kind: 'webhook', name: 'rotated', url: 'http://127.0.0.1:9/hooks' }, { key: h.a.keys.admin });
    await once(`/v1/alerts/subscriptions/${made.json().subscription.id}/secret`, undefined, h.a.keys.admin, 200);
  });
});
