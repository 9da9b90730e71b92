// `truestock orders list|show|place|ship|cancel`: orders from the warehouse floor, through the
// same use-cases and ledger steps as the API (docs/orders.md). One line on stderr and a non-zero
// exit on any refusal.

import { cancelStep, type OrderCreate, placeStep, shipStep } from '../app/orders.ts';
import { orderDetail, orderViews, type OrderView } from '../app/order-views.ts';
import type { Truestock } from '../app/truestock.ts';
import { ORDER_STATES, type OrderState, SERVICE_LEVELS, type ServiceLevel } from '../domain/order-rules.ts';
import { locationsByCode } from '../store/catalog-repo.ts';
import { getOrder, listOrders } from '../store/order-repo.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { type KeyOptions, parsePair, runKey, runStep } from './document-cli.ts';
import { CliError, out, table } from './output.ts';

interface Common extends KeyOptions {
  workspace?: string;
  json?: boolean;
}

/** Orders per page when listing. */
const LIST_PAGE = 500;

type Detail = OrderView & { allocations: { location: string; sku: string; quantity: number; shipped: number; oversold: number; hold_state: string }[]; shipments: unknown[] };

function show(o: Detail, json?: boolean): void {
  if (json) {
    out(JSON.stringify({ order: o }, null, 2));
    return;
  }
  const where = o.pickup_location ? `, pickup at ${o.pickup_location}` : '';
  out(`order ${o.number} ${o.reference} (${o.id}): ${o.state}, ${o.source}${o.channel_id ? ` ${o.channel_id}` : ''}, ${o.service_level}${where}${o.exception ? `, exception: ${o.exception}` : ''}`);
  out(table(['line', 'sku', 'quantity', 'allocated', 'shipped', 'cancelled', 'backordered'], o.lines.map((l) => [l.line, l.sku ?? '(unmapped)', l.quantity, l.allocated, l.shipped, l.cancelled, l.backordered])));
  const open = o.allocations.filter((a) => a.hold_state === 'allocated' || a.hold_state === 'active');
  if (open.length > 0) out(table(['location', 'sku', 'allocated', 'shipped', 'oversold'], open.map((a) => [a.location, a.sku, a.quantity, a.shipped, a.oversold])));
}

async function detail(ts: Truestock, workspaceId: string, ref: string): Promise<Detail> {
  const d = await ts.store.read(async (db) => {
    const o = await getOrder(db, workspaceId, ref);
    return o ? orderDetail(db, workspaceId, o) : undefined;
  });
  if (!d) throw new CliError(`no order ${JSON.stringify(ref)} in this workspace`);
  return d as Detail;
}

async function orderId(ts: Truestock, workspaceId: string, ref: string): Promise<string> {
  const o = await ts.store.read((db) => getOrder(db, workspaceId, ref));
  if (!o) throw new CliError(`no order ${JSON.stringify(ref)} in this workspace`);
  return o.id;
}

export async function ordersPlace(lines: string[], opts: Common & { source: string; channel?: string; reference?: string; pending?: boolean; serviceLevel?: string; pickup?: string; location?: string[]; postalCode?: string; country?: string; customer?: string }): Promise<void> {
  if (opts.source !== 'staff' && opts.source !== 'channel') throw new CliError('--source must be staff (refused when short) or channel (the channel already took it: never refused)');
  if (opts.serviceLevel !== undefined && !SERVICE_LEVELS.includes(opts.serviceLevel as ServiceLevel)) throw new CliError(`--service-level must be one of ${SERVICE_LEVELS.join(', ')}`);
  const input: OrderCreate = {
    source: opts.source,
    lines: lines.map((l) => parsePair(l)),
    ...(opts.channel ? { channel: opts.channel } : {}),
    ...(opts.reference ? { reference: opts.reference } : {}),
    ...(opts.pending ? { pending: true } : {}),
    ...(opts.serviceLevel ? { service_level: opts.serviceLevel as ServiceLevel } : {}),
    ...(opts.pickup ? { pickup_location: opts.pickup } : {}),
    ...(opts.location?.length ? { locations: opts.location } : {}),
    ...(opts.postalCode || opts.country ? { ship_to: { postal_code: opts.postalCode ?? null, country: opts.country ?? null } } : {}),
    ...(opts.customer ? { customer_reference: opts.customer } : {}),
  };
  const key = runKey(opts);
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const res = await runStep(ts, ws.id, key, placeStep(ws.id, input));
    if (!opts.json) out(res.replayed ? 'already placed under this idempotency key:' : res.status === 200 ? 'the channel already sent this order:' : 'placed:');
    show(res.body.order, opts.json);
  });
}

export async function ordersShip(ref: string, lines: string[], opts: Common & { location: string }): Promise<void> {
  // Lines as LINE:QUANTITY (the order's line numbers); none: everything left at the location.
  const parsed = lines.map((l) => {
    const m = /^(\d+):(\d+)$/.exec(l);
    if (!m || Number(m[2]) < 1) throw new CliError(`expected LINE:QUANTITY (line number and units ≥ 1), got ${JSON.stringify(l)}`);
    return { line: Number(m[1]), quantity: Number(m[2]) };
  });
  const key = runKey(opts);
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const res = await runStep(ts, ws.id, key, shipStep(ws.id, await orderId(ts, ws.id, ref), { location: opts.location, ...(parsed.length ? { lines: parsed } : {}) }));
    if (!opts.json) out(res.replayed ? 'already shipped under this idempotency key; nothing changed:' : 'shipped:');
    show(res.body.order, opts.json);
  });
}

export async function ordersCancel(ref: string, lines: string[], opts: Common): Promise<void> {
  // Lines as LINE or LINE:QUANTITY; none: the whole order.
  const parsed = lines.map((l) => {
    const m = /^(\d+)(?::(\d+))?$/.exec(l);
    if (!m || (m[2] !== undefined && Number(m[2]) < 1)) throw new CliError(`expected LINE or LINE:QUANTITY, got ${JSON.stringify(l)}`);
    return { line: Number(m[1]), ...(m[2] !== undefined ? { quantity: Number(m[2]) } : {}) };
  });
  const key = runKey(opts);
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const res = await runStep(ts, ws.id, key, cancelStep(ws.id, await orderId(ts, ws.id, ref), parsed.length ? { lines: parsed } : {}));
    if (!opts.json) out(res.replayed ? 'already cancelled under this idempotency key; nothing changed:' : 'cancelled:');
    show(res.body.order, opts.json);
  });
}

export async function ordersShow(ref: string, opts: Common): Promise<void> {
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    show(await detail(ts, ws.id, ref), opts.json);
  });
}

export async function ordersList(opts: Common & { state?: string; channel?: string; sku?: string; location?: string; exceptions?: boolean }): Promise<void> {
  if (opts.state !== undefined && !ORDER_STATES.includes(opts.state as OrderState)) throw new CliError(`--state must be one of ${ORDER_STATES.join(', ')}`);
  await withTruestock({ mustExist: true }, async (ts) => {
    const ws = await resolveWorkspace(ts, opts.workspace);
    const views = await ts.store.read(async (db) => {
      const locationId = opts.location === undefined ? undefined : ((await locationsByCode(db, ws.id, [opts.location]))[0]?.id ?? '-');
      const all: OrderView[] = [];
      for (let before: number | undefined; ;) {
        const rows = await listOrders(db, ws.id, {
          limit: LIST_PAGE,
          ...(opts.state ? { state: opts.state as OrderState } : {}),
          ...(opts.channel ? { channel: opts.channel } : {}),
          ...(opts.sku ? { sku: opts.sku } : {}),
          ...(locationId ? { locationId } : {}),
          ...(opts.exceptions ? { hasException: true } : {}),
          ...(before !== undefined ? { before } : {}),
        });
        all.push(...(await orderViews(db, ws.id, rows.slice(0, LIST_PAGE))));
        if (rows.length <= LIST_PAGE) break;
        before = rows[LIST_PAGE - 1]!.number;
      }
      return all;
    });
    if (opts.json) return out(JSON.stringify({ data: views }, null, 2));
    out(views.length ? table(['number', 'reference', 'state', 'source', 'lines', 'exception', 'id'], views.map((o) => [o.number, o.reference, o.state, o.source, o.lines.length, o.exception ?? '', o.id])) : 'no orders');
  });
}
