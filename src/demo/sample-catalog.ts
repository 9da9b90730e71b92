// The demo's sample business, as plain data: an apparel brand with two warehouses, a 3PL, two
// shops, stock at Amazon FBA, two Shopify storefronts, an Amazon seller account, a Walmart seller
// account, an eBay store, a Square till in each shop and a wholesale desk. Pure: the seeding (`catalog.ts`) writes it through the app layer. The one file of
// the demo that names channel kinds.

import type { RuleSettings } from '../domain/availability-model.ts';
import type { LocationKind } from '../domain/model.ts';
import type { Random } from './random.ts';

export const DEMO_WORKSPACE_NAME = 'demo';

export interface SampleLocation {
  code: string;
  name: string;
  kind: LocationKind;
  ships_online?: boolean;
}

export const DEMO_LOCATIONS: readonly SampleLocation[] = [
  { code: 'WH-EAST', name: 'East DC (Newark)', kind: 'warehouse' },
  { code: 'WH-WEST', name: 'West DC (Reno)', kind: 'warehouse' },
  { code: '3PL-CENTRAL', name: 'Central 3PL (ShipCo, Columbus)', kind: '3pl' },
  { code: 'STORE-NYC', name: 'SoHo store', kind: 'store' },
  { code: 'STORE-SF', name: 'Mission store', kind: 'store' },
  // Amazon holds this stock and ships it itself: never promised to the other channels.
  { code: 'FBA-US', name: 'Amazon FBA (US)', kind: 'channel_managed', ships_online: false },
];

export interface SampleVariant {
  sku: string;
  name: string;
  options: Record<string, string>;
  barcode: string;
}

export interface SampleProduct {
  handle: string;
  name: string;
  code: string;
  optionNames: string[];
  variants: SampleVariant[];
  unitsPerCase: number;
  /** Units arrive in quality_control first (shoes are checked for pairs and damage). */
  requiresInspection: boolean;
  /** Returns go straight back to available (sealed, nothing to inspect). */
  skipReturnInspection: boolean;
  /** Apparel sells from the shops; accessories and shoes too, but in smaller numbers there. */
  apparel: boolean;
}

export interface SampleKit {
  sku: string;
  name: string;
  kind: 'bundle' | 'multipack';
  components: { sku: string; quantity: number }[];
  /** Kept assembled on the shelf (sold before building from components). */
  stocksPrebuilt: boolean;
}

const COLORS: Record<string, string> = {
  BLK: 'Black', WHT: 'White', NVY: 'Navy', GRY: 'Heather Grey', GRN: 'Forest Green', RED: 'Red',
  OLV: 'Olive', SND: 'Sand', BLU: 'Blue', PNK: 'Pink',
};
const APPAREL_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];

interface ProductSpec {
  code: string;
  handle: string;
  name: string;
  /** Option name → [SKU code, display value] pairs, in the SKU's order. */
  options: [string, [string, string][]][];
  unitsPerCase: number;
  requiresInspection?: boolean;
  skipReturnInspection?: boolean;
  apparel?: boolean;
}

const colors = (...codes: string[]): [string, [string, string][]] => ['Color', codes.map((c) => [c, COLORS[c]!])];
const sizes = (from: string, to: string): [string, [string, string][]] => {
  const list = APPAREL_SIZES.slice(APPAREL_SIZES.indexOf(from), APPAREL_SIZES.indexOf(to) + 1);
  return ['Size', list.map((s) => [s, s])];
};
const same = (name: string, values: string[]): [string, [string, string][]] => [name, values.map((v) => [v.toUpperCase().replace(/[^A-Z0-9]/g, ''), v])];

const PRODUCTS: ProductSpec[] = [
  { code: 'TEE', handle: 'classic-tee', name: 'Classic Tee', options: [colors('BLK', 'WHT', 'NVY', 'GRY', 'GRN'), sizes('XS', 'XXL')], unitsPerCase: 24, apparel: true },
  { code: 'PKT', handle: 'pocket-tee', name: 'Pocket Tee', options: [colors('BLK', 'WHT', 'OLV', 'SND'), sizes('S', 'XXL')], unitsPerCase: 24, apparel: true },
  { code: 'HOOD', handle: 'hoodie', name: 'Hoodie', options: [colors('BLK', 'GRY', 'NVY', 'GRN'), sizes('S', 'XXL')], unitsPerCase: 12, apparel: true },
  { code: 'CREW', handle: 'crew-sweatshirt', name: 'Crew Sweatshirt', options: [colors('GRY', 'NVY', 'SND'), sizes('S', 'XXL')], unitsPerCase: 12, apparel: true },
  { code: 'JOG', handle: 'joggers', name: 'Joggers', options: [colors('BLK', 'GRY', 'OLV'), sizes('S', 'XXL')], unitsPerCase: 12, apparel: true },
  { code: 'SHORT', handle: 'chino-shorts', name: 'Chino Shorts', options: [colors('SND', 'NVY', 'OLV'), same('Waist', ['28', '30', '32', '34', '36'])], unitsPerCase: 12, apparel: true },
  { code: 'LEG', handle: 'leggings', name: 'Leggings', options: [colors('BLK', 'NVY', 'PNK'), sizes('XS', 'XL')], unitsPerCase: 12, apparel: true },
  { code: 'RAIN', handle: 'rain-jacket', name: 'Rain Jacket', options: [colors('BLK', 'NVY', 'RED'), sizes('S', 'XXL')], unitsPerCase: 6, apparel: true },
  { code: 'RUN', handle: 'running-shoe', name: 'Running Shoe', options: [colors('BLK', 'WHT', 'BLU'), same('Size', ['38', '39', '40', '41', '42', '43', '44', '45'])], unitsPerCase: 6, requiresInspection: true },
  { code: 'BEANIE', handle: 'beanie', name: 'Beanie', options: [colors('BLK', 'GRY', 'NVY', 'RED', 'GRN', 'SND')], unitsPerCase: 24 },
  { code: 'CAP', handle: 'cap', name: 'Cap', options: [colors('BLK', 'WHT', 'NVY', 'OLV', 'RED')], unitsPerCase: 24 },
  { code: 'SOCK', handle: 'crew-socks', name: 'Crew Socks', options: [colors('BLK', 'WHT', 'GRY', 'NVY'), ['Size', [['SM', 'S-M'], ['LXL', 'L-XL']]]], unitsPerCase: 48 },
  { code: 'TOTE', handle: 'tote-bag', name: 'Tote Bag', options: [colors('SND', 'BLK', 'NVY')], unitsPerCase: 24, skipReturnInspection: true },
  { code: 'BTL', handle: 'water-bottle', name: 'Water Bottle', options: [same('Size', ['500ml', '750ml']), colors('BLK', 'WHT', 'BLU', 'GRN')], unitsPerCase: 24, skipReturnInspection: true },
  { code: 'NOTE', handle: 'notebook', name: 'Notebook', options: [same('Ruling', ['Dotted', 'Lined', 'Plain']), same('Format', ['A5', 'A6'])], unitsPerCase: 48, skipReturnInspection: true },
];

/** EAN-13 in the 200–299 "in-store" prefix range: valid check digits, never a real product's. */
export function demoBarcode(n: number): string {
  const body = `200${String(n).padStart(9, '0')}`;
  const sum = [...body].reverse().reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
  return body + String((10 - (sum % 10)) % 10);
}

function variantsOf(spec: ProductSpec, barcodeFrom: number): SampleVariant[] {
  let combos: [string, string][][] = [[]];
  for (const [name, values] of spec.options) combos = combos.flatMap((c) => values.map(([code, value]) => [...c, [code, `${name}\u0000${value}`] as [string, string]]));
  return combos.map((c, i) => {
    const options = Object.fromEntries(c.map(([, nv]) => nv.split('\u0000') as [string, string]));
    return {
      sku: [spec.code, ...c.map(([code]) => code)].join('-'),
      name: `${spec.name}, ${Object.values(options).join(' / ')}`,
      options,
      barcode: demoBarcode(barcodeFrom + i),
    };
  });
}

export const DEMO_PRODUCTS: readonly SampleProduct[] = (() => {
  let barcode = 1;
  return PRODUCTS.map((spec) => {
    const variants = variantsOf(spec, barcode);
    barcode += variants.length;
    return {
      handle: spec.handle,
      name: spec.name,
      code: spec.code,
      optionNames: spec.options.map(([name]) => name),
      variants,
      unitsPerCase: spec.unitsPerCase,
      requiresInspection: spec.requiresInspection ?? false,
      skipReturnInspection: spec.skipReturnInspection ?? false,
      apparel: spec.apparel ?? false,
    };
  });
})();

export const DEMO_KITS: readonly SampleKit[] = [
  // Three pairs of socks, sold as one.
  ...['BLK', 'WHT', 'GRY', 'NVY'].flatMap((c) => ['SM', 'LXL'].map((s): SampleKit => ({
    sku: `SOCK-${c}-${s}-3PK`, name: `Crew Socks 3-pack, ${COLORS[c]} / ${s === 'SM' ? 'S-M' : 'L-XL'}`, kind: 'multipack', components: [{ sku: `SOCK-${c}-${s}`, quantity: 3 }], stocksPrebuilt: false,
  }))),
  ...['S', 'M', 'L', 'XL'].map((s): SampleKit => ({
    sku: `TEE-BLK-${s}-3PK`, name: `Classic Tee 3-pack, Black / ${s}`, kind: 'multipack', components: [{ sku: `TEE-BLK-${s}`, quantity: 3 }], stocksPrebuilt: false,
  })),
  ...['S', 'M', 'L', 'XL'].map((s): SampleKit => ({
    sku: `GYMKIT-${s}`, name: `Gym kit ${s}: hoodie, joggers and a bottle`, kind: 'bundle', stocksPrebuilt: false,
    components: [{ sku: `HOOD-BLK-${s}`, quantity: 1 }, { sku: `JOG-BLK-${s}`, quantity: 1 }, { sku: 'BTL-750ML-BLK', quantity: 1 }],
  })),
  ...['S', 'M', 'L', 'XL'].map((s): SampleKit => ({
    sku: `STARTER-${s}`, name: `Starter set ${s}: tee, cap and tote`, kind: 'bundle', stocksPrebuilt: false,
    components: [{ sku: `TEE-WHT-${s}`, quantity: 1 }, { sku: 'CAP-BLK', quantity: 1 }, { sku: 'TOTE-SND', quantity: 1 }],
  })),
  { sku: 'DESKSET', name: 'Desk set: two notebooks and a bottle', kind: 'bundle', stocksPrebuilt: false,
    components: [{ sku: 'NOTE-DOTTED-A5', quantity: 2 }, { sku: 'NOTE-LINED-A6', quantity: 1 }, { sku: 'BTL-500ML-WHT', quantity: 1 }] },
  // Gift-wrapped ahead of the season: pre-built boxes are on the shelf and sold first.
  { sku: 'WINTER-BOX', name: 'Winter gift box: beanie and two pairs of socks', kind: 'bundle', stocksPrebuilt: true,
    components: [{ sku: 'BEANIE-GRY', quantity: 1 }, { sku: 'SOCK-GRY-LXL', quantity: 2 }] },
];

export const demoStandardSkus = (): string[] => DEMO_PRODUCTS.flatMap((p) => p.variants.map((v) => v.sku));
export const demoAllSkus = (): string[] => [...demoStandardSkus(), ...DEMO_KITS.map((k) => k.sku)];

export const productOf = (sku: string): SampleProduct | undefined => DEMO_PRODUCTS.find((p) => sku === p.code || sku.startsWith(`${p.code}-`));

// ---- channels ---------------------------------------------------------------------------------

export type DemoChannelName = 'webstore' | 'outlet' | 'amazon-us' | 'walmart-us' | 'ebay' | 'pos-nyc' | 'pos-sf' | 'wholesale';
/** The wholesale desk's channel, by name (the traffic places its orders). */
export const WHOLESALE_CHANNEL: DemoChannelName = 'wholesale';

export interface SampleChannel {
  name: DemoChannelName;
  kind: 'shopify' | 'amazon' | 'walmart' | 'ebay' | 'square' | 'wholesale';
  /** The channel's standing rule (its default: no SKUs, no window). */
  rule: RuleSettings;
  /** Extra rules: a safety valve, a promotion… */
  extraRules?: { below_units?: number; skus?: string[]; settings: RuleSettings }[];
  /** Which SKUs this channel lists. */
  skus(): string[];
  /** The channel's settings when the seeding creates it. */
  settings?: Record<string, unknown>;
  /**
   * What a number changed in the storefront's own admin means (the channel's `edit_policy`):
   * `master_wins` (default: truestock puts its number back) or `adopt` (booked as found or lost).
   */
  editPolicy?: 'master_wins' | 'adopt';
  /**
   * A store's till: the customer walks out with what they bought, so its sales are handed over
   * (shipped) as soon as truestock has them, never cancelled (a return undoes one), and a staff
   * member now and then recounts a shelf on it.
   */
  till?: boolean;
  /**
   * An emulated storefront in the demo (its kind's `demo()`; the storefront makes the listings):
   * its one location, and the truestock location that stands for; for a channel that also keeps
   * stock itself, its warehouse (a `channel_managed` location) and the SKUs it ships from there.
   */
  storefront?: { location: { code: string; name: string }; managed?: { location: { code: string; name: string }; skus(): string[] } };
}

const OUTLET_PRODUCTS = ['PKT', 'CREW', 'SHORT', 'RAIN', 'CAP', 'BEANIE', 'SOCK', 'TOTE'];
/** Sold on Amazon from FBA: the products the brand keeps at FBA-US (see `openingStock`). */
const AMAZON_FBA_PRODUCTS = ['TEE', 'SOCK', 'BTL'];
/** Sold on Amazon merchant-fulfilled, shipped by the 3PL (which also buys in the shoes). */
const AMAZON_MFN_PRODUCTS = ['HOOD', 'JOG', 'RUN', 'CAP', 'BEANIE', 'TOTE'];
const variantSkus = (codes: string[]) => DEMO_PRODUCTS.filter((p) => codes.includes(p.code)).flatMap((p) => p.variants.map((v) => v.sku));
/** The FBA location, which only the Amazon channel sells from. */
const FBA_LOCATION = 'FBA-US';
const WHOLESALE_PRODUCTS = ['TEE', 'PKT', 'HOOD', 'CREW', 'SOCK', 'CAP', 'BEANIE'];
/** Sold on Walmart, shipped by the 3PL: the basics (and the shoes the 3PL buys in). */
const WALMART_PRODUCTS = ['TEE', 'HOOD', 'JOG', 'LEG', 'RUN', 'BTL'];
/** Listed on eBay from the West DC: outerwear and accessories. */
const EBAY_PRODUCTS = ['CREW', 'RAIN', 'BEANIE', 'CAP', 'NOTE'];

export const DEMO_CHANNELS: readonly SampleChannel[] = [
  {
    // The brand's own store: 40 % of the East DC (wholesale has the other 60 %), less an adaptive
    // buffer for what the other channels sell before the webstore hears of it.
    name: 'webstore', kind: 'shopify',
    rule: { locations: { codes: ['WH-EAST'] }, allocation: { mode: 'share', percent: 40 }, buffer: { mode: 'adaptive', confidence: 0.95, min_units: 0, max_units: 4 } },
    // The last couple of units are not worth the oversell risk on the busiest channel.
    extraRules: [{ below_units: 3, settings: { zero_below_units: 3 } }],
    skus: demoAllSkus,
    settings: { shop_domain: 'webstore.myshopify.com', lists_all_items: true },
    storefront: { location: { code: 'WH-EAST', name: 'East DC' } },
  },
  {
    // Clearance storefront, fulfilled from the West DC; a fixed buffer of one unit.
    name: 'outlet', kind: 'shopify',
    rule: { locations: { codes: ['WH-WEST'] }, allocation: { mode: 'shared' }, buffer: { mode: 'fixed', units: 1 } },
    skus: () => [
      ...DEMO_PRODUCTS.filter((p) => OUTLET_PRODUCTS.includes(p.code)).flatMap((p) => p.variants.map((v) => v.sku)),
      ...DEMO_KITS.filter((k) => k.sku.startsWith('SOCK-')).map((k) => k.sku),
    ],
    settings: { shop_domain: 'outlet.myshopify.com', lists_all_items: false },
    storefront: { location: { code: 'WH-WEST', name: 'West DC' } },
  },
  {
    // The brand's Amazon seller account on Amazon.com: merchant-fulfilled listings shipped by the
    // 3PL, and FBA listings Amazon sells and ships from its own warehouse (FBA-US), whose numbers
    // are Amazon's (never pushed). Its orders reach truestock minutes late (polled), so a fixed
    // buffer of two keeps a number pushed before a late order from re-listing sold units.
    name: 'amazon-us', kind: 'amazon',
    rule: { locations: { codes: ['3PL-CENTRAL'] }, allocation: { mode: 'shared' }, buffer: { mode: 'fixed', units: 2 } },
    extraRules: [{ skus: variantSkus(AMAZON_FBA_PRODUCTS), settings: { locations: { codes: [FBA_LOCATION] }, buffer: { mode: 'none' } } }],
    skus: () => variantSkus([...AMAZON_MFN_PRODUCTS, ...AMAZON_FBA_PRODUCTS]),
    settings: { region: 'na' },
    storefront: {
      location: { code: '3PL-CENTRAL', name: 'Central 3PL (merchant-fulfilled)' },
      managed: { location: { code: FBA_LOCATION, name: 'Amazon FBA (US)' }, skus: () => variantSkus(AMAZON_FBA_PRODUCTS) },
    },
  },
  {
    // The brand's Walmart Marketplace seller, shipped by the 3PL like Amazon's merchant-fulfilled
    // listings (the hoodies, joggers and shoes are the same units on both). Its orders come as
    // webhooks but now and then only by the poll (a minute), and a catalog-wide change goes by a
    // feed that takes minutes to apply: a fixed buffer of three keeps those minutes from selling
    // units that are gone.
    name: 'walmart-us', kind: 'walmart',
    rule: { locations: { codes: ['3PL-CENTRAL'] }, allocation: { mode: 'shared' }, buffer: { mode: 'fixed', units: 3 } },
    skus: () => variantSkus(WALMART_PRODUCTS),
    storefront: { location: { code: '3PL-CENTRAL', name: 'Central 3PL' } },
  },
  {
    // An eBay store for outerwear and accessories, shipped from the West DC beside the outlet. Its
    // orders come as notifications within seconds (or by the minute's poll) and a lowering is
    // revised at once; a buffer of two covers the rest, and keeps eBay's daily revisions for
    // numbers that matter.
    name: 'ebay', kind: 'ebay',
    rule: { locations: { codes: ['WH-WEST'] }, allocation: { mode: 'shared' }, buffer: { mode: 'fixed', units: 2 } },
    skus: () => variantSkus(EBAY_PRODUCTS),
    storefront: { location: { code: 'WH-WEST', name: 'West DC' } },
  },
  // The tills in both shops are Square, one Square account per shop: each sells what is on its own
  // shelf (its rule names the store; a Square rule naming none would sell the store's mapped
  // location anyway), buffer none (the till is at the shelf). A staff member's count on the till
  // is the shelf's truth: adopted, not overwritten.
  ...(['NYC', 'SF'] as const).map((store): SampleChannel => ({
    name: store === 'NYC' ? 'pos-nyc' : 'pos-sf', kind: 'square',
    rule: { locations: { codes: [`STORE-${store}`] }, allocation: { mode: 'shared' }, buffer: { mode: 'none' } },
    skus: demoStandardSkus,
    editPolicy: 'adopt',
    till: true,
    storefront: { location: { code: `STORE-${store}`, name: DEMO_LOCATIONS.find((l) => l.code === `STORE-${store}`)!.name } },
  })),
  {
    // Retail partners buy by the case: 60 % of the East DC, shown only in whole cases' worth.
    name: 'wholesale', kind: 'wholesale',
    rule: { locations: { codes: ['WH-EAST'] }, allocation: { mode: 'share', percent: 60 }, buffer: { mode: 'none' }, zero_below_units: 12 },
    skus: () => DEMO_PRODUCTS.filter((p) => WHOLESALE_PRODUCTS.includes(p.code)).flatMap((p) => p.variants.map((v) => v.sku)),
  },
];

export const demoChannel = (name: DemoChannelName): SampleChannel => DEMO_CHANNELS.find((c) => c.name === name)!;

// ---- opening stock --------------------------------------------------------------------------

/** Sizes people buy most get more stock (and more orders: see traffic.ts). */
export function popularity(sku: string): number {
  if (/-(M|L|32|42|A5)(-|$)/.test(sku)) return 3;
  if (/-(S|XL|30|34|41|43)(-|$)/.test(sku)) return 2;
  return 1;
}

/** Opening quantities per location for one standard SKU (0: none there). */
export function openingStock(sku: string, rng: Random): Record<string, number> {
  const product = productOf(sku);
  const weight = popularity(sku);
  const apparel = product?.apparel ?? false;
  const out: Record<string, number> = {
    'WH-EAST': rng.int(20, 40) * weight + (apparel ? 0 : 20),
    'WH-WEST': rng.int(6, 18) * weight,
    '3PL-CENTRAL': rng.int(40, 120),
    'STORE-NYC': apparel ? rng.int(1, 4) * weight : rng.int(3, 10),
    'STORE-SF': apparel ? rng.int(0, 3) * weight : rng.int(2, 8),
    'FBA-US': ['TEE', 'SOCK', 'BTL'].includes(product?.code ?? '') ? rng.int(10, 40) : 0,
  };
  return out;
}
