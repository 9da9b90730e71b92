// Fulfillment API getOrders and getOrder over the emulated orders, in the model's Order shape
// (sell_fulfillment_v1_oas3.json). The filter's brackets and braces must arrive percent-encoded,
// as eBay requires; an order's cancelRequests show only in getOrder (always empty in getOrders).

import { badRequest, detail, EbayApiError, FULFILLMENT } from './errors.ts';
import type { ApiRequest, HttpAnswer } from './http-answer.ts';
import type { EbayOrder, Orders } from './orders.ts';
import { iso, parseIso } from './time.ts';

const LIMIT_DEFAULT = 50;
const LIMIT_MAX = 200;
const ORDER_IDS_MAX = 50;
/** eBay keeps orders for two years. */
const RETENTION_MS = 2 * 365 * 24 * 3_600_000;
const BASE = '/sell/fulfillment/v1';
/** Characters eBay requires percent-encoded in the filter. */
const MUST_ENCODE = /[[\]{}|]/;
const FULFILLMENT_STATUSES = ['NOT_STARTED', 'IN_PROGRESS', 'FULFILLED'];

interface Filter {
  field: 'creationDate' | 'lastModifiedDate' | null;
  from: number;
  to: number;
  statuses: Set<string> | null;
}

export class OrdersApi {
  constructor(
    private readonly orders: Orders,
    private readonly sellerId: string,
    private readonly now: () => number,
  ) {}

  getOrders(r: ApiRequest): HttpAnswer {
    if (MUST_ENCODE.test(r.rawQuery)) {
      const raw = /(?:^|&)filter=([^&]*)/.exec(r.rawQuery)?.[1] ?? r.rawQuery;
      throw badRequest(30800, FULFILLMENT, `Invalid filter value ${raw} for filter filter. The characters [ ] { } | must be percent-encoded.`, { fieldvalue: raw, fieldname: 'filter' });
    }
    checkFieldGroups(r.query.get('fieldGroups'));
    const retained = (o: EbayOrder) => o.creationDate >= this.now() - RETENTION_MS;
    const ids = r.query.get('orderIds');
    if (ids !== null) {
      // orderIds overrides every other parameter.
      const list = ids.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (list.length > ORDER_IDS_MAX) throw badRequest(30900, FULFILLMENT, `Exceeded maximum number of order IDs (the current limit is ${ORDER_IDS_MAX})`);
      const found = list.flatMap((id) => {
        const o = this.orders.orders.get(id);
        return o && retained(o) ? [o] : [];
      });
      return { status: 200, body: { href: `${r.origin}${BASE}/order?orderIds=${encodeURIComponent(ids)}`, total: found.length, limit: list.length, offset: 0, orders: found.map((o) => this.view(o, false)) } };
    }
    const limit = whole(r.query.get('limit'), LIMIT_DEFAULT, 1, LIMIT_MAX, 31100, 'limit');
    const offset = whole(r.query.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER, 31000, 'offset');
    const filter = this.parseFilter(r.query.get('filter'));
    const all = [...this.orders.orders.values()]
      .filter((o) => retained(o) && (filter.field === null || (o[filter.field] >= filter.from && o[filter.field] <= filter.to)) && (filter.statuses === null || filter.statuses.has(this.orders.fulfillmentStatus(o))))
      // Oldest first, so paging by offset is stable while new orders arrive (eBay's order is not documented).
      .sort((a, b) => a.creationDate - b.creationDate || a.orderId.localeCompare(b.orderId));
    const page = all.slice(offset, offset + limit);
    const filterRaw = r.query.get('filter');
    const href = (off: number) => `${r.origin}${BASE}/order?${filterRaw !== null ? `filter=${encodeURIComponent(filterRaw)}&` : ''}limit=${limit}&offset=${off}`;
    return {
      status: 200,
      body: {
        href: href(offset),
        total: all.length,
        limit,
        offset,
        ...(offset + limit < all.length ? { next: href(offset + limit) } : {}),
        ...(offset > 0 ? { prev: href(Math.max(0, offset - limit)) } : {}),
        orders: page.map((o) => this.view(o, false)),
      },
    };
  }

  getOrder(r: ApiRequest): HttpAnswer {
    checkFieldGroups(r.query.get('fieldGroups'));
    const o = this.orders.orders.get(r.params.orderId!);
    if (!o) throw new EbayApiError(404, detail(32100, FULFILLMENT, `Invalid order ID: ${r.params.orderId}`, { orderId: r.params.orderId! }));
    return { status: 200, body: this.view(o, true) };
  }

  private parseFilter(raw: string | null): Filter {
    const f: Filter = { field: null, from: -Infinity, to: Infinity, statuses: null };
    if (raw === null || raw.trim() === '') return f;
    const dates: Partial<Record<'creationdate' | 'lastmodifieddate', [number, number]>> = {};
    for (const part of raw.split(',')) {
      const m = /^\s*(\w+):(.*)$/.exec(part);
      if (!m) throw badRequest(30700, FULFILLMENT, `Invalid filter name: ${part}`, { fieldname: part });
      const [, name, value] = m as unknown as [string, string, string];
      if (name === 'creationdate' || name === 'lastmodifieddate') dates[name] = this.parseRange(name, value.trim());
      else if (name === 'orderfulfillmentstatus') {
        const s = /^\{([A-Z_|]+)\}$/.exec(value.trim());
        const values = s ? s[1]!.split('|') : [];
        if (values.length === 0 || values.some((v) => !FULFILLMENT_STATUSES.includes(v))) throw badRequest(30800, FULFILLMENT, `Invalid filter value ${value} for filter ${name}`, { fieldvalue: value, fieldname: name });
        f.statuses = new Set(values);
      } else throw badRequest(30700, FULFILLMENT, `Invalid filter name: ${name}`, { fieldname: name });
    }
    // Both given: only creationdate is used (the model says so).
    const used = dates.creationdate ? 'creationdate' : dates.lastmodifieddate ? 'lastmodifieddate' : null;
    if (used) {
      f.field = used === 'creationdate' ? 'creationDate' : 'lastModifiedDate';
      [f.from, f.to] = dates[used]!;
    }
    return f;
  }

  private parseRange(name: string, value: string): [number, number] {
    const m = /^\[(.*)\.\.(.*)\]$/.exec(value);
    if (!m) throw badRequest(30800, FULFILLMENT, `Invalid filter value ${value} for filter ${name}`, { fieldvalue: value, fieldname: name });
    const [startText, endText] = [m[1]!.trim(), m[2]!.trim()];
    if (startText === '') throw badRequest(30820, FULFILLMENT, 'Start date is missing');
    const start = parseIso(startText);
    const end = endText === '' ? this.now() : parseIso(endText);
    if (start === null || end === null) throw badRequest(30810, FULFILLMENT, 'Invalid date format');
    if (start > this.now() || end > this.now()) throw badRequest(30850, FULFILLMENT, "Start and end dates can't be in the future");
    if (start > end) throw badRequest(30840, FULFILLMENT, 'Start date should be before end date');
    return [start, end];
  }

  /** The model's Order; `full` (getOrder) adds the cancel requests getOrders always leaves empty. */
  view(o: EbayOrder, full: boolean): Record<string, unknown> {
    const money = (value: number, currency: string) => ({ value: value.toFixed(2), currency });
    const currency = o.lines[0]?.currency ?? 'USD';
    const subtotal = o.lines.reduce((n, l) => n + Number(l.unitPrice) * l.quantity, 0);
    const cancelled = o.cancelState === 'CANCELED';
    return {
      orderId: o.orderId,
      creationDate: iso(o.creationDate),
      lastModifiedDate: iso(o.lastModifiedDate),
      orderFulfillmentStatus: this.orders.fulfillmentStatus(o),
      orderPaymentStatus: o.paidDate === null ? 'PENDING' : cancelled ? 'FULLY_REFUNDED' : 'PAID',
      sellerId: this.sellerId,
      buyer: { username: o.buyer },
      pricingSummary: { priceSubtotal: money(subtotal, currency), deliveryCost: money(0, currency), total: money(subtotal, currency) },
      cancelStatus: {
        cancelState: o.cancelState,
        ...(o.cancelledDate !== null ? { cancelledDate: iso(o.cancelledDate) } : {}),
        cancelRequests: full
          ? o.cancelRequests.map((c) => ({
              cancelRequestId: c.cancelRequestId,
              cancelInitiator: c.cancelInitiator,
              cancelReason: c.cancelReason,
              cancelRequestedDate: iso(c.cancelRequestedDate),
              cancelRequestState: c.cancelRequestState,
              ...(c.cancelCompletedDate !== null ? { cancelCompletedDate: iso(c.cancelCompletedDate) } : {}),
            }))
          : [],
      },
      paymentSummary: {
        totalDueSeller: money(subtotal, currency),
        payments: o.paidDate === null ? [] : [{ paymentMethod: 'EBAY', paymentStatus: 'PAID', paymentDate: iso(o.paidDate), amount: money(subtotal, currency) }],
        refunds: [],
      },
      fulfillmentStartInstructions: [{ fulfillmentInstructionsType: 'SHIP_TO', ebaySupportedFulfillment: false, shippingStep: { shipTo: { fullName: 'Emulated Buyer' }, shippingServiceCode: 'USPSPriority' } }],
      fulfillmentHrefs: [],
      lineItems: o.lines.map((l) => ({
        lineItemId: l.lineItemId,
        legacyItemId: l.legacyItemId,
        sku: l.sku,
        title: l.title,
        quantity: l.quantity,
        soldFormat: 'FIXED_PRICE',
        listingMarketplaceId: l.marketplaceId,
        purchaseMarketplaceId: l.marketplaceId,
        lineItemFulfillmentStatus: l.shipped ? 'FULFILLED' : 'NOT_STARTED',
        lineItemCost: money(Number(l.unitPrice) * l.quantity, l.currency),
        total: money(Number(l.unitPrice) * l.quantity, l.currency),
        deliveryCost: { shippingCost: money(0, l.currency) },
        refunds: [],
      })),
      salesRecordReference: o.orderId.slice(-5),
    };
  }
}

function checkFieldGroups(v: string | null): void {
  if (v !== null && v !== 'TAX_BREAKDOWN') throw badRequest(32800, FULFILLMENT, `Invalid field group: ${v}`, { fieldGroup: v });
}

function whole(raw: string | null, fallback: number, min: number, max: number, errorId: number, name: string): number {
  if (raw === null) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw badRequest(errorId, FULFILLMENT, `Invalid ${name}: ${raw}`, { [`${name}value`]: raw });
  return n;
}
