// The seller's listings and what a Listings Items patch does to them. A patch is checked at once
// (INVALID with issues, or ACCEPTED) and applied only after the processing delay, as Amazon does;
// a later order or patch may land in between, and the last writer wins (Amazon's writes are blind
// overwrites). Only `/attributes/fulfillment_availability` has an effect; other attribute paths
// are stored as given and shown under `attributes`.

export type FulfillmentChannel = 'MFN' | 'AFN';

export interface Listing {
  sku: string;
  productType: string;
  marketplaceIds: string[];
  channel: FulfillmentChannel;
  /** MFN: the DEFAULT quantity; null when the attribute is absent (deleted or never set). */
  quantity: number | null;
  asin: string;
  itemName: string;
  createdAt: number;
  updatedAt: number;
  /** Attributes other than fulfillment_availability, as last patched. */
  attributes: Record<string, unknown>;
  /** Issues a processed submission left on the listing (e.g. the per-SKU failure switch). */
  issues: Issue[];
}

export interface Issue {
  code: string;
  message: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  attributeNames?: string[];
  categories: string[];
}

export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

/** A failure the control surface attached to a SKU: its patches and feed messages fail in processing. */
export interface SkuFailure {
  code: string;
  message: string;
}

export const FULFILLMENT_AVAILABILITY = 'fulfillment_availability';
export const MFN_CHANNEL_CODE = 'DEFAULT';
const PATCH_OPS = ['add', 'replace', 'merge', 'delete'];

export interface CheckedPatch {
  issues: Issue[];
  /** Present when there is no ERROR issue: what processing does. */
  apply?: (listing: Listing, at: number) => void;
}

const error = (code: string, message: string, attributeNames: string[] | undefined, categories: string[]): Issue => ({
  code,
  message,
  severity: 'ERROR',
  ...(attributeNames ? { attributeNames } : {}),
  categories,
});

/**
 * Checks a patch submission against a listing (undefined: no listing with that SKU) the way the
 * Listings Items API and a JSON_LISTINGS_FEED PATCH message are checked, and says what applying it does.
 */
export function checkPatch(listing: Listing | undefined, productType: string, patches: PatchOperation[], knownProductTypes: ReadonlySet<string>): CheckedPatch {
  const issues: Issue[] = [];
  if (!knownProductTypes.has(productType)) {
    issues.push(error('INVALID_PRODUCT_TYPE', `The product type ${productType} is not a valid Amazon product type.`, undefined, ['INVALID_ATTRIBUTE']));
  }
  if (!listing) {
    issues.push(error('NOT_FOUND', 'No listings item exists for this SKU; a patch can only change an existing listing.', undefined, []));
    return { issues };
  }
  if (knownProductTypes.has(productType) && productType !== listing.productType) {
    issues.push(error('PRODUCT_TYPE_MISMATCH', `The listing has product type ${listing.productType}, not ${productType}.`, undefined, ['INVALID_ATTRIBUTE']));
  }
  let quantity: number | null | undefined; // undefined: untouched
  const attributes: Record<string, unknown> = {};
  patches.forEach((p, i) => {
    if (!PATCH_OPS.includes(p.op)) {
      issues.push(error('INVALID_PATCH', `patches[${i}].op must be one of ${PATCH_OPS.join(', ')}.`, undefined, []));
      return;
    }
    const m = /^\/attributes\/([a-z0-9_]+)$/.exec(p.path);
    if (!m) {
      issues.push(error('INVALID_PATCH', `patches[${i}].path ${JSON.stringify(p.path)} is not an attribute path (/attributes/<name>).`, undefined, []));
      return;
    }
    const name = m[1]!;
    if (p.op !== 'delete' && !Array.isArray(p.value)) {
      issues.push(error('INVALID_PATCH', `patches[${i}].value must be an array of objects.`, [name], ['INVALID_ATTRIBUTE']));
      return;
    }
    if (name !== FULFILLMENT_AVAILABILITY) {
      attributes[name] = p.op === 'delete' ? undefined : p.value;
      return;
    }
    if (p.op === 'delete') {
      quantity = null;
      return;
    }
    for (const entry of p.value as unknown[]) {
      const e = (entry ?? {}) as Record<string, unknown>;
      const code = e.fulfillment_channel_code;
      if (typeof code !== 'string' || code === '') {
        issues.push(error('MISSING_ATTRIBUTE', 'fulfillment_availability needs a fulfillment_channel_code.', [FULFILLMENT_AVAILABILITY], ['MISSING_ATTRIBUTE']));
        continue;
      }
      if (code !== MFN_CHANNEL_CODE || listing.channel === 'AFN') {
        issues.push(error('FULFILLMENT_CHANNEL_MANAGED_BY_AMAZON', `The quantity of fulfillment channel ${code} is not set by the seller: ${listing.channel === 'AFN' ? 'the listing is fulfilled by Amazon, whose stock sets it' : 'only DEFAULT (merchant-fulfilled) is'}.`, [FULFILLMENT_AVAILABILITY], ['INVALID_ATTRIBUTE']));
        continue;
      }
      const q = e.quantity;
      if (!Number.isSafeInteger(q) || (q as number) < 0) {
        issues.push(error('INVALID_ATTRIBUTE', 'fulfillment_availability quantity must be a whole number of 0 or more.', [FULFILLMENT_AVAILABILITY], ['INVALID_ATTRIBUTE']));
        continue;
      }
      quantity = q as number;
    }
  });
  if (issues.length > 0) return { issues };
  return {
    issues,
    apply(l, at) {
      if (quantity !== undefined) l.quantity = quantity;
      for (const [k, v] of Object.entries(attributes)) {
        if (v === undefined) delete l.attributes[k];
        else l.attributes[k] = v;
      }
      l.issues = [];
      l.updatedAt = at;
    },
  };
}

/** The issue a processed submission leaves when the control surface made its SKU fail. */
export function failureIssue(f: SkuFailure): Issue {
  return { code: f.code, message: f.message, severity: 'ERROR', attributeNames: [FULFILLMENT_AVAILABILITY], categories: ['INVALID_ATTRIBUTE'] };
}
