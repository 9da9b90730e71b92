import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../../test/support/truestock.ts';
import { createLocation } from '../../app/catalog.ts';
import { ManualClock } from '../../app/clock.ts';
import { importStock } from '../../app/stock-import.ts';
import { Truestock } from '../../app/truestock.ts';
import { verify } from '../../app/verify.ts';
import { itemsBySku } from '../../store/catalog-repo.ts';
import { SHOPIFY_EXPORT } from './inventory-csv.fixture.ts';
import { parseShopifyInventoryCsv } from './inventory-csv.ts';


describe('parseShopifyInventoryCsv', () => {
  it('takes On hand (new) when filled, else On hand (current); skips "not stocked"; keeps variant names', () => {
    const p = parseShopifyInventoryCsv(SHOPIFY_EXPORT);
    expect(p.errors).toEqual([]);
    expect(p).toMatchObject({ format: 'shopify', target: 'on_hand', locationByName: true, skipped: 1, read: 6 });
    expect(p.rows).toEqual([
      { line: 2, sku: 'TEE-BLK-M', location: 'Main Warehouse', quantity: 12 },
      { line: 3, sku: 'TEE-BLK-M', location: 'Berlin Store', quantity: 6 },
      { line: 4, sku: 'TEE-BLK-L', location: 'Main Warehouse', quantity: 3 },
      { line: 6, sku: 'TOTE-NAT', location: 'Main Warehouse', quantity: 0 },
      { line: 7, sku: 'TOTE-NAT', location: 'Berlin Store', quantity: 2 },
    ]);
    expect(p.variants!.get('TEE-BLK-L')).toEqual({ handle: 'classic-tee', name: 'Classic Tee - Black / L', options: { Color: 'Black', Size: 'L' } });
    expect(p.variants!.get('TOTE-NAT')).toEqual({ handle: 'canvas-tote', name: 'Canvas Tote, natural', options: null });
  });

  it('reports variants without SKU, empty or bad quantities, repeated rows, and a file that is not an export', () => {
    const head = 'Handle,Title,Option1 Name,Option1 Value,SKU,Location,On hand (current),On hand (new)';
    const p = parseShopifyInventoryCsv([head, 'mug,Mug,Color,Blue,,Main Warehouse,1,', 'mug,Mug,Color,Red,MUG-R,,1,', 'mug,Mug,Color,Red,MUG-R,Main Warehouse,,', 'mug,Mug,Color,Red,MUG-R,Berlin Store,2,1.5', 'mug,Mug,Color,Red,MUG-R,Depot,5,', 'mug,Mug,Color,Red,MUG-R,Depot,5,'].join('\n'));
    expect(p.errors).toEqual([
      { line: 2, column: 'SKU', reason: 'the variant "Mug - Blue" has no SKU: give it one in Shopify (items are matched by SKU)' },
      { line: 3, column: 'Location', reason: 'Location must not be empty' },
      { line: 4, column: 'On hand (current)', reason: 'On hand (new) and On hand (current) are both empty' },
      { line: 5, column: 'On hand (new)', reason: 'On hand (new) must be a whole number of units or "Not stocked", got "1.5"' },
      { line: 7, column: 'Location', reason: 'MUG-R at Depot is also on line 6' },
    ]);
    expect(parseShopifyInventoryCsv('sku,name\nA,a\n').errors.map((e) => e.reason)).toEqual([
      'not a Shopify inventory export: the header has no "Location" column',
      'not a Shopify inventory export: the header has no "On hand (new)", "On hand (current)" or "Available" column',
    ]);
  });

  it('reads the "Only Available quantities" export as the available bucket', () => {
    const p = parseShopifyInventoryCsv('Handle,Title,Option1 Name,Option1 Value,SKU,Location,Available\nmug,Mug,Title,Default Title,MUG,Main Warehouse,7\n');
    expect(p).toMatchObject({ target: 'available', errors: [], rows: [{ sku: 'MUG', location: 'Main Warehouse', quantity: 7 }] });
  });
});

describe.each(STORE_KINDS)('Shopify inventory import on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let fx: Fixture;
  const clock = new ManualClock(Date.UTC(2026, 2, 1));

  beforeEach(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, clock });
    fx = await Fixture.create(ts, { skus: ['TEE-BLK-M', 'TEE-BLK-L', 'TOTE-NAT'], locations: [] });
    await ts.store.transaction(async (d) => {
      // Matched by name ("Main Warehouse") and by code ("Berlin Store" is this location's code).
      await createLocation(d, fx.workspaceId, { code: 'WH1', name: 'Main Warehouse', kind: 'warehouse' }, clock.now());
      await createLocation(d, fx.workspaceId, { code: 'Berlin Store', name: 'Berlin', kind: 'store' }, clock.now());
    });
  });
  afterEach(async () => {
    await ts.close();
    await db.drop();
  });

  const onHand = () =>
    ts.store.read((d) =>
      d.all<{ k: string }>(
        `SELECT i.sku || '@' || l.code || '=' || CAST(s.available + s.reserved + s.committed + s.damaged + s.quality_control + s.safety_stock - s.oversold AS TEXT) AS k
         FROM stock_levels s JOIN items i ON i.id = s.item_id JOIN locations l ON l.id = s.location_id WHERE s.workspace_id = ? ORDER BY 1`,
        [fx.workspaceId],
      ),
    ).then((rows) => rows.map((r) => r.k));

  it('sets each level to its on hand, matching locations by name or code', async () => {
    await fx.ok({ type: 'receive', sku: 'TOTE-NAT', location: 'WH1', quantity: 5 });
    const res = await importStock(ts, fx.workspaceId, SHOPIFY_EXPORT, { actor: 'test', format: 'shopify', fileName: 'inventory_export_1.csv' });
    expect(res).toMatchObject({ ok: true, summary: { reference: 'import:inventory_export_1.csv', rows: 5, changed: 5, skipped: 1, units_added: 23, units_removed: 5 } });
    expect(await onHand()).toEqual(['TEE-BLK-L@WH1=3', 'TEE-BLK-M@Berlin Store=6', 'TEE-BLK-M@WH1=12', 'TOTE-NAT@Berlin Store=2', 'TOTE-NAT@WH1=0']);
    expect((await verify(ts.store, fx.workspaceId)).ok).toBe(true);
  });

  it('reports unknown SKUs and locations; with create-items, creates the items from the file first', async () => {
    const text = SHOPIFY_EXPORT + 'beanie,Beanie,Color,Grey,,,,,BEANIE-GRY,,,Main Warehouse,,0,0,0,4,4,\r\nbeanie,Beanie,Color,Grey,,,,,BEANIE-GRY,,,Hamburg,,0,0,0,1,1,\r\n';
    expect(await importStock(ts, fx.workspaceId, text, { actor: 'test', format: 'shopify' })).toMatchObject({
      ok: false,
      errors: [
        { line: 8, column: 'sku', reason: 'no item with SKU "BEANIE-GRY"' },
        { line: 9, column: 'location', reason: 'no location with code or name "Hamburg"' },
      ],
    });
    const fixed = text.split('\r\n').filter((l) => !l.includes('Hamburg')).join('\r\n');
    const res = await importStock(ts, fx.workspaceId, fixed, { actor: 'test', format: 'shopify', createItems: true });
    expect(res).toMatchObject({ ok: true, summary: { items_created: 1, rows: 6 } });
    const [beanie] = await ts.store.read((d) => itemsBySku(d, fx.workspaceId, ['BEANIE-GRY']));
    expect(beanie).toMatchObject({ name: 'Beanie - Grey', options: { Color: 'Grey' }, kind: 'standard' });
    expect(await onHand()).toContain('BEANIE-GRY@WH1=4');
  });
});
