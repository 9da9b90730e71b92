// The catalog over HTTP, on SQLite and PostgreSQL: products and variants, bundles and
// multipacks, channels, listings and catalog problems. Every bad input answers its exact code,
// names the field, and writes nothing.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, unique } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';

describe.each(STORE_KINDS)('catalog routes on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const send = (method: 'PATCH' | 'PUT', url: string, body: unknown, key = h.a.keys.operate) =>
    h.inject({ method, url, headers: { authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() }, payload: body as Json });
  const admin = (url: string, body: unknown) => h.post(url, body, { key: h.a.keys.admin });
  const channel = async (body: Json): Promise<Json> => {
    const res = await admin('/v1/channels', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().channel;
  };
  const bundle = async (components: Json[], kind = 'bundle'): Promise<Json> => {
    const sku = unique('BUNDLE');
    const res = await h.post('/v1/items', { sku, name: sku, kind, components });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const problems = async (kind?: string): Promise<Json[]> => {
    const res = await h.get(`/v1/catalog/problems${kind ? `?kind=${kind}` : ''}`, h.a.keys.read);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data;
  };

  it('creates items with the new fields and refuses a second item with one barcode, naming it', async () => {
    const res = await h.post('/v1/items', { sku: unique('CASE'), name: 'Case pack', barcode: '4006381333931', units_per_case: 12, requires_inspection: true, skip_return_inspection: true });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().item).toMatchObject({ kind: 'standard', units_per_case: 12, requires_inspection: true, skip_return_inspection: true, product_id: null, options: null });
    const sku = res.json().item.sku;
    const clash = await h.unchanged(() => h.post('/v1/items', { sku: unique('X'), name: 'x', barcode: '4006381333931' }));
    expect(expectProblem(clash, 'barcode_taken', 'barcode').detail).toContain(sku);
    const other = await h.item();
    const patched = await h.unchanged(() => send('PATCH', `/v1/items/${other.id}`, { barcode: '4006381333931' }));
    expectProblem(patched, 'barcode_taken', 'barcode');
    expectProblem(await h.unchanged(() => h.post('/v1/items', { sku, name: 'again' })), 'sku_taken', 'sku');
    expectProblem(await h.unchanged(() => send('PATCH', `/v1/items/${other.id}`, { kind: 'bundle' })), 'validation_failed', 'kind');
    // Its own barcode again is no clash.
    expect((await send('PATCH', `/v1/items/${res.json().item.id}`, { barcode: '4006381333931', name: 'Case pack 12' })).statusCode).toBe(200);
  });

  it('makes products with variants whose options match, and refuses the rest', async () => {
    const made = await h.post('/v1/products', { handle: 'tee', name: 'Tee', option_names: ['Size', 'Color'] });
    expect(made.statusCode, made.body).toBe(201);
    const product = made.json().product;
    expect(product).toMatchObject({ handle: 'tee', option_names: ['Size', 'Color'], archived: false });
    expectProblem(await h.unchanged(() => h.post('/v1/products', { handle: 'tee', name: 'Other' })), 'product_handle_taken', 'handle');

    const v1 = await h.post('/v1/items', { sku: 'TEE-M-BLK', name: 'Tee M black', product_id: product.id, options: { Color: 'Black', Size: 'M' } });
    expect(v1.statusCode, v1.body).toBe(201);
    expect(v1.json().item.options).toEqual({ Size: 'M', Color: 'Black' });
    const same = await h.unchanged(() => h.post('/v1/items', { sku: 'TEE-M-BLK-2', name: 'dup', product_id: product.id, options: { Size: 'M', Color: 'Black' } }));
    expect(expectProblem(same, 'variant_taken', 'options').detail).toContain('TEE-M-BLK');
    expectProblem(await h.unchanged(() => h.post('/v1/items', { sku: 'TEE-X', name: 'x', product_id: product.id, options: { Size: 'M' } })), 'validation_failed', 'options');
    expectProblem(await h.unchanged(() => h.post('/v1/items', { sku: 'TEE-Y', name: 'x', product_id: product.id, options: { Size: 'M', Color: 'Red', Fit: 'Slim' } })), 'validation_failed', 'options.Fit');
    expectProblem(await h.unchanged(() => h.post('/v1/items', { sku: 'TEE-Z', name: 'x', options: { Size: 'M' } })), 'validation_failed', 'options');
    expectProblem(await h.unchanged(() => h.post('/v1/items', { sku: 'TEE-W', name: 'x', product_id: 'prod_nope', options: { Size: 'M' } })), 'validation_failed', 'product_id');

    const v2 = await h.post('/v1/items', { sku: 'TEE-L-BLK', name: 'Tee L black', product_id: product.id, options: { Size: 'L', Color: 'Black' } });
    expect(v2.statusCode).toBe(201);
    // Moving a variant onto another's options is a clash too.
    expectProblem(await h.unchanged(() => send('PATCH', `/v1/items/${v2.json().item.id}`, { options: { Size: 'M', Color: 'Black' } })), 'variant_taken', 'options');
    const got = await h.get(`/v1/products/${product.id}`, h.a.keys.read);
    expect(got.json().variants.map((v: Json) => v.sku)).toEqual(['TEE-L-BLK', 'TEE-M-BLK']);
    expectProblem(await send('PATCH', `/v1/products/${product.id}`, { option_names: ['Size'] }), 'validation_failed', 'option_names');
    const renamed = await send('PATCH', `/v1/products/${product.id}`, { name: 'Classic tee' });
    expect(renamed.json().product.name).toBe('Classic tee');
    const list = await h.get('/v1/products', h.a.keys.read);
    expect(list.json().data.map((p: Json) => p.handle)).toContain('tee');
    expect((await h.get(`/v1/products/${product.id}`, h.b.keys.read)).statusCode).toBe(404);
  });

  it('creates bundles and multipacks from standard items only, and refuses bad components', async () => {
    const a = await h.item();
    const b = await h.item();
    const made = await bundle([{ sku: a.sku, quantity: 2 }, { sku: b.sku, quantity: 1 }]);
    expect(made.item.kind).toBe('bundle');
    expect(made.components).toEqual([{ sku: a.sku, item_id: a.id, quantity: 2 }, { sku: b.sku, item_id: b.id, quantity: 1 }]);
    const bad = (components: unknown, kind = 'bundle') => h.unchanged(() => h.post('/v1/items', { sku: unique('BAD'), name: 'bad', kind, components }));
    expectProblem(await bad([{ sku: 'NOPE', quantity: 1 }]), 'invalid_component', 'components[0].sku');
    expectProblem(await bad([{ sku: a.sku, quantity: 1 }, { sku: made.item.sku, quantity: 1 }]), 'invalid_component', 'components[1].sku');
    expectProblem(await bad([{ sku: a.sku, quantity: 2 }, { sku: b.sku, quantity: 2 }], 'multipack'), 'invalid_component', 'components[1].sku');
    expectProblem(await bad([{ sku: a.sku, quantity: 1 }], 'multipack'), 'invalid_component', 'components[0].quantity');
    expectProblem(await bad([{ sku: a.sku, quantity: 1 }, { sku: a.sku, quantity: 1 }]), 'invalid_component', 'components[1].sku');
    expectProblem(await bad(undefined), 'invalid_component', 'components');
    expectProblem(await bad([{ sku: a.sku, quantity: 1 }], 'standard'), 'validation_failed', 'components');
    expectProblem(await bad([{ sku: a.sku, quantity: 0 }]), 'validation_failed', 'components[0].quantity');

    const pack = await bundle([{ sku: a.sku, quantity: 6 }], 'multipack');
    expect(pack.item.kind).toBe('multipack');
    // A bundle holds no stock of its own.
    expectProblem(await h.unchanged(() => h.post('/v1/stock/receive', { sku: pack.item.sku, location: 'WH1', quantity: 1 })), 'item_has_no_stock', 'sku');
  });

  it('replaces components with PUT, keeping the bundle and a history; shows what an item is part of', async () => {
    const a = await h.item();
    const b = await h.item();
    const made = await bundle([{ sku: a.sku, quantity: 1 }]);
    const put = await send('PUT', `/v1/items/${made.item.id}/components`, { components: [{ sku: b.sku, quantity: 3 }] });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ item: { id: made.item.id }, components: [{ sku: b.sku, quantity: 3 }], version: 2 });
    const shown = (await h.get(`/v1/items/${made.item.id}/components`, h.a.keys.read)).json();
    expect(shown.components).toMatchObject([{ sku: b.sku, quantity: 3 }]);
    expect(shown.history.map((v: Json) => v.version)).toEqual([2, 1]);
    expect(shown.history[1].components).toEqual([{ sku: a.sku, item_id: a.id, quantity: 1 }]);
    const part = (await h.get(`/v1/items/${b.id}/components`, h.a.keys.read)).json();
    expect(part.used_in).toEqual([{ sku: made.item.sku, item_id: made.item.id, kind: 'bundle', quantity: 3, archived: false }]);
    expectProblem(await h.unchanged(() => send('PUT', `/v1/items/${a.id}/components`, { components: [{ sku: b.sku, quantity: 1 }] })), 'validation_failed', 'components');
    expectProblem(await h.unchanged(() => send('PUT', `/v1/items/${made.item.id}/components`, { components: [{ sku: made.item.sku, quantity: 1 }] })), 'invalid_component', 'components[0].sku');
    expect((await send('PUT', `/v1/items/${made.item.id}/components`, { components: [{ sku: a.sku, quantity: 1 }] }, h.a.keys.read)).statusCode).toBe(403);
  });

  it('reserving a bundle reserves its components at one location and lowers their available', async () => {
    const a = await h.item(10);
    const b = await h.item(10);
    const made = await bundle([{ sku: a.sku, quantity: 2 }, { sku: b.sku, quantity: 1 }]);
    const hold = await h.reserve(made.item.sku, 3);
    expect(hold.state).toBe('active');
    expect(await h.totals(a.sku)).toMatchObject({ available: 4, reserved: 6 });
    expect(await h.totals(b.sku)).toMatchObject({ available: 7, reserved: 3 });
    const short = await h.unchanged(() => h.post('/v1/holds', { lines: [{ sku: made.item.sku, quantity: 3, location: 'WH1' }] }), [a.sku, b.sku]);
    expectProblem(short, 'insufficient_stock');
    expect((await h.post(`/v1/holds/${hold.id}/release`)).statusCode).toBe(200);
    expect(await h.totals(a.sku)).toMatchObject({ available: 10, reserved: 0 });
    expect((await h.get('/v1/verify')).json().ok).toBe(true);
  });

  it('manages channels (admin), with unique names and checked settings', async () => {
    const c = await channel({ kind: 'amazon', name: 'Amazon US', settings: { seller_id: 'S1' } });
    expect(c).toMatchObject({ kind: 'amazon', name: 'Amazon US', settings: { seller_id: 'S1' } });
    expectProblem(await h.unchanged(() => admin('/v1/channels', { kind: 'ebay', name: 'Amazon US' })), 'channel_name_taken', 'name');
    expectProblem(await h.post('/v1/channels', { kind: 'ebay', name: 'eBay' }), 'forbidden');
    expectProblem(await admin('/v1/channels', { kind: 'etsy', name: 'Etsy' }), 'validation_failed', 'kind');
    expectProblem(await admin('/v1/channels', { kind: 'custom', name: 'C', settings: { lists_all_items: 'yes' } }), 'validation_failed', 'settings.lists_all_items');
    const other = await channel({ kind: 'ebay', name: unique('eBay') });
    expectProblem(await send('PATCH', `/v1/channels/${other.id}`, { name: 'Amazon US' }, h.a.keys.admin), 'channel_name_taken', 'name');
    const patched = await send('PATCH', `/v1/channels/${other.id}`, { settings: { lists_all_items: false } }, h.a.keys.admin);
    expect(patched.json().channel.settings).toEqual({ lists_all_items: false });
    expect((await h.get(`/v1/channels/${c.id}`, h.a.keys.read)).json().channel.id).toBe(c.id);
    expect((await h.get(`/v1/channels/${c.id}`, h.b.keys.read)).statusCode).toBe(404);
    expect((await h.get('/v1/channels', h.a.keys.read)).json().data.length).toBeGreaterThanOrEqual(2);
  });

  it('maps listings by identifier per channel kind, refuses a taken or incomplete identifier, deactivates', async () => {
    const amazon = await channel({ kind: 'amazon', name: unique('Amazon') });
    const shopify = await channel({ kind: 'shopify', name: unique('Shopify') });
    const item = await h.item();
    const other = await h.item();
    const made = await h.post('/v1/listings', { channel: amazon.name, sku: item.sku, external: { seller_sku: 'AB-1', marketplace_id: 'ATVPDKIKX0DER' } });
    expect(made.statusCode, made.body).toBe(201);
    const listing = made.json().listing;
    expect(listing).toMatchObject({ channel_id: amazon.id, channel: amazon.name, sku: item.sku, external_key: 'seller_sku:AB-1@marketplace:ATVPDKIKX0DER', active: true });
    const taken = await h.unchanged(() => h.post('/v1/listings', { channel: amazon.id, sku: other.sku, external: { seller_sku: 'AB-1', marketplace_id: 'ATVPDKIKX0DER' } }));
    const problem = expectProblem(taken, 'listing_taken', 'external.seller_sku');
    expect(problem).toMatchObject({ listing_id: listing.id, sku: item.sku });
    expectProblem(await h.unchanged(() => h.post('/v1/listings', { channel: amazon.id, sku: other.sku, external: { seller_sku: 'AB-2' } })), 'validation_failed', 'external.marketplace_id');
    expectProblem(await h.unchanged(() => h.post('/v1/listings', { channel: shopify.id, sku: other.sku, external: { inventory_item_id: 5 } })), 'validation_failed', 'external.location_id');
    expectProblem(await h.unchanged(() => h.post('/v1/listings', { channel: shopify.id, sku: other.sku, external: { seller_sku: 'x' } })), 'validation_failed', 'external.seller_sku');
    expectProblem(await h.unchanged(() => h.post('/v1/listings', { channel: shopify.id, sku: other.sku, external: { variant_id: 1, inventory_item_id: 2, location_id: 3 } })), 'validation_failed');
    expectProblem(await h.unchanged(() => h.post('/v1/listings', { channel: shopify.id, sku: 'NOPE', external: { variant_id: 1 } })), 'unknown_item', 'sku');
    expectProblem(await h.unchanged(() => h.post('/v1/listings', { channel: 'nope', sku: other.sku, external: { variant_id: 1 } })), 'validation_failed', 'channel');
    const s = await h.post('/v1/listings', { channel: shopify.id, sku: other.sku, external: { inventory_item_id: 123, location_id: '9' } });
    expect(s.json().listing).toMatchObject({ external: { inventory_item_id: '123', location_id: '9' }, external_key: 'inventory_item:123@location:9' });

    const off = await send('PATCH', `/v1/listings/${listing.id}`, { active: false });
    expect(off.json().listing.active).toBe(false);
    const retaken = await h.post('/v1/listings', { channel: amazon.id, sku: other.sku, external: { seller_sku: 'AB-1', marketplace_id: 'ATVPDKIKX0DER' } });
    expect(retaken.statusCode).toBe(201);
    expectProblem(await send('PATCH', `/v1/listings/${listing.id}`, { active: true }), 'listing_taken', 'active');
    const bySku = await h.get(`/v1/listings?sku=${encodeURIComponent(item.sku)}`, h.a.keys.read);
    expect(bySku.json().data.map((l: Json) => l.id)).toEqual([listing.id]);
    const byChannel = await h.get(`/v1/listings?channel=${encodeURIComponent(amazon.name)}&active=true`, h.a.keys.read);
    expect(byChannel.json().data.map((l: Json) => l.sku)).toEqual([other.sku]);
    expect((await h.get(`/v1/listings/${listing.id}`, h.b.keys.read)).statusCode).toBe(404);
  });

  it('lists every kind of catalog problem', async () => {
    const a = await h.item();
    const b = await h.item();
    const c = await h.item();
    // listing_missing: a channel that lists all items, with one item unlisted.
    const all = await channel({ kind: 'custom', name: unique('Everything'), settings: { lists_all_items: true } });
    const missing = (await problems('listing_missing')).filter((p) => p.channel === all.name).map((p) => p.item_sku);
    expect(missing).toEqual(expect.arrayContaining([a.sku, b.sku, c.sku]));
    expect((await h.post('/v1/listings', { channel: all.id, sku: a.sku, external: { external_id: 'a' } })).statusCode).toBe(201);
    expect((await problems('listing_missing')).filter((p) => p.channel === all.name).map((p) => p.item_sku)).not.toContain(a.sku);

    // listing_duplicate on one channel (older data or a race: the API itself refuses it).
    const ebay = await channel({ kind: 'ebay', name: unique('eBay') });
    const first = (await h.post('/v1/listings', { channel: ebay.id, sku: a.sku, external: { sku: 'E-1' } })).json().listing;
    await h.ts.store.transaction((db) =>
      db.run("INSERT INTO listings (id, workspace_id, channel_id, item_id, external_key, external, active, created_at, updated_at) VALUES ('lst_dup', ?, ?, ?, 'sku:E-1', '{\"sku\":\"E-1\"}', ?, 0, 0)", [h.a.id, ebay.id, b.id, true]));
    const dup = (await problems('listing_duplicate')).find((p) => p.channel === ebay.name)!;
    expect(dup).toMatchObject({ kind: 'listing_duplicate', external_key: 'sku:E-1', listing_id: expect.any(String) });
    expect(dup.listings.map((l: Json) => l.listing_id).sort()).toEqual([first.id, 'lst_dup'].sort());

    // listing_duplicate across two Shopify channels connected to one shop.
    const s1 = await channel({ kind: 'shopify', name: unique('Shop'), settings: { shop_domain: 'acme.myshopify.com' } });
    const s2 = await channel({ kind: 'shopify', name: unique('Shop'), settings: { shop_domain: 'ACME.myshopify.com' } });
    expect((await h.post('/v1/listings', { channel: s1.id, sku: a.sku, external: { variant_id: 77 } })).statusCode).toBe(201);
    expect((await h.post('/v1/listings', { channel: s2.id, sku: b.sku, external: { variant_id: 77 } })).statusCode).toBe(201);
    const across = (await problems('listing_duplicate')).find((p) => p.external_key === 'variant:77')!;
    expect(across.listings.map((l: Json) => l.channel).sort()).toEqual([s1.name, s2.name].sort());

    // listing_archived_item
    const listed = await h.item();
    const l = (await h.post('/v1/listings', { channel: ebay.id, sku: listed.sku, external: { sku: 'E-9' } })).json().listing;
    expect((await send('PATCH', `/v1/items/${listed.id}`, { archived: true })).statusCode).toBe(200);
    expect(await problems('listing_archived_item')).toContainEqual(expect.objectContaining({ listing_id: l.id, item_sku: listed.sku, channel: ebay.name }));

    // barcode_duplicate (older data: the API refuses it)
    await h.ts.store.transaction(async (db) => {
      await db.run('UPDATE items SET barcode = ? WHERE id = ? OR id = ?', ['DUP-CODE', b.id, c.id]);
    });
    expect(await problems('barcode_duplicate')).toContainEqual(expect.objectContaining({ barcode: 'DUP-CODE', skus: [b.sku, c.sku].sort() }));

    // bundle_component_archived
    const part = await h.item();
    const made = await bundle([{ sku: part.sku, quantity: 1 }]);
    expect((await send('PATCH', `/v1/items/${part.id}`, { archived: true })).statusCode).toBe(200);
    expect(await problems('bundle_component_archived')).toContainEqual(expect.objectContaining({ item_sku: made.item.sku, component_sku: part.sku }));

    const everything = await h.get('/v1/catalog/problems', h.a.keys.read);
    expect(new Set(everything.json().data.map((p: Json) => p.kind))).toEqual(new Set(['listing_duplicate', 'listing_missing', 'listing_archived_item', 'barcode_duplicate', 'bundle_component_archived']));
    expect(everything.json().truncated).toEqual([]);
    // Workspace B sees none of it.
    expect((await h.get('/v1/catalog/problems', h.b.keys.read)).json().data).toEqual([]);
  });
});
