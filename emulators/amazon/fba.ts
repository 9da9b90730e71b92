// FBA stock per seller SKU in Amazon's fulfillment network, in the buckets of FBA Inventory's
// InventoryDetails. `changedAt` moves on every change except inbound ones, because the model says
// `startDateTime` does not detect changes in inboundWorking/Shipped/ReceivingQuantity.

import { EmulatorError, invalid } from './errors.ts';
import { iso } from './time.ts';

export interface FbaStock {
  sku: string;
  fnSku: string;
  asin: string;
  productName: string;
  fulfillable: number;
  inboundWorking: number;
  inboundShipped: number;
  inboundReceiving: number;
  /** Reserved, by reason: units in customer orders not yet shipped, moving between FCs, being processed. */
  pendingCustomerOrder: number;
  pendingTransshipment: number;
  fcProcessing: number;
  unfulfillable: number;
  researching: number;
  changedAt: number;
}

export const FBA_BUCKETS = ['fulfillable', 'inboundWorking', 'inboundShipped', 'inboundReceiving', 'pendingCustomerOrder', 'pendingTransshipment', 'fcProcessing', 'unfulfillable', 'researching'] as const;
export type FbaBucket = (typeof FBA_BUCKETS)[number];
const INBOUND: readonly FbaBucket[] = ['inboundWorking', 'inboundShipped', 'inboundReceiving'];

export function reserved(s: FbaStock): number {
  return s.pendingCustomerOrder + s.pendingTransshipment + s.fcProcessing;
}

/** Every unit Amazon holds or has inbound for the SKU (the emulator's reading of totalQuantity). */
export function total(s: FbaStock): number {
  return s.fulfillable + reserved(s) + s.unfulfillable + s.researching + s.inboundWorking + s.inboundShipped + s.inboundReceiving;
}

export function checkBuckets(b: Partial<Record<string, unknown>>): Partial<Record<FbaBucket, number>> {
  const out: Partial<Record<FbaBucket, number>> = {};
  for (const [k, v] of Object.entries(b)) {
    if (!(FBA_BUCKETS as readonly string[]).includes(k)) throw invalid(`${k} is not an FBA bucket; known: ${FBA_BUCKETS.join(', ')}`);
    if (!Number.isSafeInteger(v) || (v as number) < 0) throw invalid(`${k} must be a whole number of 0 or more`);
    out[k as FbaBucket] = v as number;
  }
  return out;
}

/** Sets some buckets; the change time moves unless only inbound buckets changed. */
export function setBuckets(s: FbaStock, b: Partial<Record<FbaBucket, number>>, at: number): void {
  let detected = false;
  for (const [k, v] of Object.entries(b) as [FbaBucket, number][]) {
    if (s[k] === v) continue;
    s[k] = v;
    if (!INBOUND.includes(k)) detected = true;
  }
  if (detected) s.changedAt = at;
}

/** An inbound shipment arrives: `quantity` units move from inbound (receiving, then shipped, then working) to fulfillable. */
export function receive(s: FbaStock, quantity: number, at: number): void {
  if (!Number.isSafeInteger(quantity) || quantity <= 0) throw invalid('quantity must be a whole number above 0');
  const inbound = s.inboundReceiving + s.inboundShipped + s.inboundWorking;
  if (quantity > inbound) throw new EmulatorError('inbound_short', `${s.sku} has ${inbound} inbound units, fewer than ${quantity}`);
  let left = quantity;
  for (const k of ['inboundReceiving', 'inboundShipped', 'inboundWorking'] as const) {
    const n = Math.min(left, s[k]);
    s[k] -= n;
    left -= n;
  }
  s.fulfillable += quantity;
  s.changedAt = at;
}

/** The InventorySummary of the model; `details` adds inventoryDetails. */
export function summaryJson(s: FbaStock, details: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    asin: s.asin,
    fnSku: s.fnSku,
    sellerSku: s.sku,
    condition: 'NewItem',
    lastUpdatedTime: iso(s.changedAt),
    productName: s.productName,
    totalQuantity: total(s),
  };
  if (details) {
    out.inventoryDetails = {
      fulfillableQuantity: s.fulfillable,
      inboundWorkingQuantity: s.inboundWorking,
      inboundShippedQuantity: s.inboundShipped,
      inboundReceivingQuantity: s.inboundReceiving,
      reservedQuantity: {
        totalReservedQuantity: reserved(s),
        pendingCustomerOrderQuantity: s.pendingCustomerOrder,
        pendingTransshipmentQuantity: s.pendingTransshipment,
        fcProcessingQuantity: s.fcProcessing,
      },
      researchingQuantity: {
        totalResearchingQuantity: s.researching,
        researchingQuantityBreakdown: [
          { name: 'researchingQuantityInShortTerm', quantity: s.researching },
          { name: 'researchingQuantityInMidTerm', quantity: 0 },
          { name: 'researchingQuantityInLongTerm', quantity: 0 },
        ],
      },
      unfulfillableQuantity: {
        totalUnfulfillableQuantity: s.unfulfillable,
        customerDamagedQuantity: 0,
        warehouseDamagedQuantity: s.unfulfillable,
        distributorDamagedQuantity: 0,
        carrierDamagedQuantity: 0,
        defectiveQuantity: 0,
        expiredQuantity: 0,
      },
    };
  }
  return out;
}
