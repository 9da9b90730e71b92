// What the orders list and an order's page share: the order as the API sends it (docs/orders.md,
// src/app/order-views.ts — only the fields these screens read), its state as a badge, the channel
// it came from as the merchant knows it, and times with their zone.

import * as f from '../format.ts';
import type { Channel, Movement } from '../types.ts';
import { Badge } from '../ui/page.tsx';

export const ORDER_STATES = ['pending', 'allocated', 'partially_shipped', 'shipped', 'cancelled'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const SERVICE_LEVELS = ['standard', 'two_day', 'next_day', 'pickup'] as const;

export interface OrderLine {
  line: number;
  sku: string | null;
  channel_line_id: string | null;
  quantity: number;
  allocated: number;
  shipped: number;
  cancelled: number;
  backordered: number;
  returned: number;
  unmapped?: string;
}

export interface Order {
  id: string;
  number: number;
  /** The reference the order's movements carry: `SO-000042`, or the channel's order name. */
  reference: string;
  source: 'channel' | 'staff';
  state: OrderState;
  channel_id: string | null;
  channel_reference: string | null;
  service_level: string;
  pickup_location: string | null;
  ship_to: { postal_code: string | null; country: string | null } | null;
  promised_ship_by: string | null;
  promised_deliver_by: string | null;
  requested_ship_date: string | null;
  customer_reference: string | null;
  fulfilled_by_channel: boolean;
  exception: string | null;
  lines: OrderLine[];
  created_at: string;
  updated_at: string;
}

export interface OrderAllocation {
  hold_id: string;
  hold_state: string;
  line: number | null;
  location: string;
  sku: string;
  bundle_sku?: string;
  quantity: number;
  shipped: number;
  oversold: number;
}

export interface OrderShipment {
  id: string;
  location: string;
  lines: { line: number; quantity: number }[];
  created_at: string;
}

export interface OrderException {
  id: string;
  kind: string;
  state: string;
  quantity: number | null;
  hold_id: string | null;
  message: string | null;
  created_at: string;
}

export interface OrderDetail extends Order {
  candidates: string[] | null;
  /** Whatever routing stored with the order (its shape grows with routing): drawn generically. */
  routing: unknown;
  allocations: OrderAllocation[];
  shipments: OrderShipment[];
  movements: Movement[];
  movements_truncated: boolean;
  exceptions: OrderException[];
}

/** Hold states whose units are still the order's (held at checkout, or allocated). */
export const OPEN_HOLD_STATES = new Set(['active', 'allocated']);

/** Units an allocation row still holds at its location (not shipped). */
export const openUnitsOf = (a: OrderAllocation): number => (OPEN_HOLD_STATES.has(a.hold_state) ? Math.max(0, a.quantity - a.shipped) : 0);

/** Open units per location, in the order the allocations list them: `[['WH1', 3], ['ST1', 2]]`. */
export function unitsByLocation(allocations: readonly OrderAllocation[]): [string, number][] {
  const by = new Map<string, number>();
  for (const a of allocations) {
    const n = openUnitsOf(a);
    if (n > 0) by.set(a.location, (by.get(a.location) ?? 0) + n);
  }
  return [...by];
}

const STATE_TONE: Record<string, 'bad' | 'warn' | 'good' | 'info' | undefined> = {
  pending: 'warn',
  allocated: 'info',
  partially_shipped: 'info',
  shipped: 'good',
  cancelled: undefined,
};

export function OrderStateBadge({ state }: { state: string }) {
  return <Badge tone={STATE_TONE[state]}>{f.label(state)}</Badge>;
}

export function ExceptionBadge({ exception }: { exception: string | null | undefined }) {
  return exception ? <Badge tone="bad">{f.label(exception)}</Badge> : null;
}

/** The app's one time format (`f.time`, with its zone); the exact instant on hover. */
export function ZonedTime({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <>—</>;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return <>{iso}</>;
  return (
    <time dateTime={iso} title={d.toISOString()} className="nowrap">
      {f.time(iso)}
    </time>
  );
}

/** The channel's name (or id) for an order; staff orders have none. */
export function channelName(channels: readonly Channel[] | undefined, id: string | null): string {
  if (!id) return 'staff';
  return channels?.find((c) => c.id === id)?.name ?? id;
}

/** Lines and units of an order: "2 lines · 5 units". */
export function linesAndUnits(o: Pick<Order, 'lines'>): string {
  const lines = o.lines ?? [];
  const units = lines.reduce((s, l) => s + l.quantity, 0);
  return `${f.int(lines.length)} line${lines.length === 1 ? '' : 's'} · ${f.int(units)} unit${units === 1 ? '' : 's'}`;
}
