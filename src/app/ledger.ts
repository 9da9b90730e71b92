// The command layer: every stock command goes through here, under an idempotency key, in one
// transaction.
//
// Group commit: while one batch is being written, newly submitted commands queue; the next batch
// takes them all (up to `batchMax`) into ONE transaction. The batch locks the stock levels and
// holds it names, applies each command's rules in memory in arrival order (each command sees the
// ones before it, and a refused command leaves no trace), and writes every change with a few
// multi-row statements. A hot SKU therefore costs one lock acquisition per batch instead of one
// per command — the difference between fighting over a row lock and not.

import type { Clock } from './clock.ts';
import { applyCommand, type Touched } from '../domain/apply.ts';
import { type AllocateOrderCommand, createsLevels, type PostCommand, type StockCommand } from '../domain/commands.ts';
import type { Catalog, Outcome } from '../domain/context.ts';
import { refusal } from '../domain/errors.ts';
import { ringFenceReference } from '../domain/hold-rules.ts';
import type { ExceptionDraft, Hold, Item, Location } from '../domain/model.ts';
import { LedgerState, levelKey, Scratch } from '../domain/scratch.ts';
import { componentsOf, existingChannels, itemsById, itemsBySku, locationsByCode, locationsById } from '../store/catalog-repo.ts';
import {
  deleteLevels,
  ensureLevels,
  type IdempotencyRecord,
  insertExceptions,
  insertIdempotency,
  insertMovements,
  loadIdempotency,
  lockHolds,
  lockLevels,
  type MovementRow,
  ringFenceHoldIds,
  writeHolds,
  writeLevels,
} from '../store/ledger-repo.ts';
import { ConflictError, type Db, type Store } from '../store/store.ts';
import { fingerprint } from './fingerprint.ts';
import { checkIdempotencyKey, type CommandResponse, recordOf, replay, type Written } from './idempotent.ts';
import { newId } from './ids.ts';
import { holdView, levelView, movementView } from './views.ts';
import { stockAlerts } from './alert-outbox.ts';
import { type Repayment, repayOversold } from '../store/exception-repo.ts';

/** What a command did to oversold debt, in order: units repaid, or exceptions raised. */
type DebtFact = { repaid: Repayment } | { raised: (ExceptionDraft & { id: string; workspaceId: string; createdAt: number })[] };

/** Commands one transaction may take. */
export const BATCH_MAX_DEFAULT = 512;

export interface CommandRequest extends DocumentRequest {
  command: StockCommand;
  /**
   * What the client sent, when the app layer completed the command from stored state (a channel's
   * order terms): the idempotency fingerprint is taken from it, so a retry replays even if that
   * state changed since. Default: the command.
   */
  payload?: unknown;
}

export type { CommandResponse };

export interface LedgerOptions {
  /** Batch concurrent commands into one transaction (default). Off: one transaction per command. */
  groupCommit?: boolean;
  batchMax?: number;
  /** Transactions in flight at once when group commit is off. */
  concurrency?: number;
  /** Told about every batch written, for metrics. */
  onBatch?: (size: number, duration_ms: number) => void;
  /** Told about every command's outcome, for metrics. */
  onOutcome?: (type: string, outcome: 'ok' | 'replayed' | string) => void;
  /**
   * Runs inside the batch's transaction after its writes, with the items whose stock changed
   * per workspace: what depends on stock (channel availability, its outbox) changes atomically
   * with it.
   */
  afterWrite?: (db: Db, changed: StockChange[], now: number) => Promise<void>;
}

export interface StockChange {
  workspaceId: string;
  itemIds: string[];
}

/**
 * One step of a warehouse document (receive against a purchase order, ship a transfer, post a
 * count…). It runs in a transaction of its own, so that reading the document and writing its
 * new state cannot interleave with another step of the same document.
 */
export interface DocumentStep {
  /** Names the step for metrics, e.g. `po_receive`. */
  readonly name: string;
  /** What the client sent: the idempotency fingerprint is taken from it. */
  readonly payload: unknown;
  /**
   * Lock and read the document and decide the movements, or refuse. Nothing is written yet. A
   * step may also answer stock commands (an order's allocate, ship, cancel…): several are applied
   * in order on one scratch, all or none, so one step is one idempotent whole.
   */
  prepare(db: Db, now: number): Promise<Outcome<PostCommand | StockCommand[]>>;
  /** The movements were applied: write the document's new state and answer. `holds`: the holds its commands touched, as they now are. */
  finish(db: Db, posted: { movements: MovementRow[]; holds: Hold[]; touched: Touched[] }, now: number): Promise<Written>;
}

export interface DocumentRequest {
  workspaceId: string;
  idempotencyKey: string;
  /** Who: `key_…` for an API key, `cli:<user>`, `system:<job>`. */
  actor: string;
}

interface Pending {
  req: DocumentRequest & { command?: StockCommand };
  document?: DocumentStep;
  fingerprint: string;
  resolve: (r: CommandResponse) => void;
  reject: (e: unknown) => void;
}

const typeOf = (p: Pending) => p.document?.name ?? p.req.command!.type;

export class Ledger {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private readonly batchMax: number;
  private readonly inFlightMax: number;
  private idle: (() => void)[] = [];
  private flushScheduled = false;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    private readonly options: LedgerOptions = {},
  ) {
    const group = options.groupCommit ?? true;
    this.batchMax = group ? (options.batchMax ?? BATCH_MAX_DEFAULT) : 1;
    this.inFlightMax = group ? 1 : (options.concurrency ?? 1);
  }

  /** Apply one command. Resolves with the outcome; rejects only on a bug or a store failure. */
  execute(req: CommandRequest): Promise<CommandResponse> {
    const badKey = checkIdempotencyKey(req.idempotencyKey);
    if (badKey) return Promise.resolve({ ok: false, refusal: badKey });
    return new Promise((resolve, reject) => {
      this.queue.push({ req, fingerprint: fingerprint(req.payload ?? withoutRoute(req.command)), resolve, reject });
      this.pump();
    });
  }

  /** Apply one step of a warehouse document, alone in its transaction. */
  executeDocument(req: DocumentRequest, step: DocumentStep): Promise<CommandResponse> {
    const badKey = checkIdempotencyKey(req.idempotencyKey);
    if (badKey) return Promise.resolve({ ok: false, refusal: badKey });
    return new Promise((resolve, reject) => {
      this.queue.push({ req, document: step, fingerprint: fingerprint({ step: step.name, payload: step.payload }), resolve, reject });
      this.pump();
    });
  }

  /** Resolves when nothing is queued or being written. */
  drain(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  /**
   * Start the next batch after the current turn of the event loop, so every request that
   * arrived in this turn joins it. Starting at once would run a lone command: with SQLite the
   * whole transaction completes in microtasks before the next socket is even read.
   */
  private pump(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.inFlightMax && this.queue.length > 0) {
      // A document step runs alone; commands batch up to the next document step.
      const solo = this.queue.findIndex((p) => p.document !== undefined);
      const batch = this.queue.splice(0, solo === 0 ? 1 : Math.min(this.batchMax, solo === -1 ? Infinity : solo));
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.flush();
        if (this.inFlight === 0 && this.queue.length === 0) for (const r of this.idle.splice(0)) r();
      });
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    const started = performance.now();
    try {
      const results = await this.store.transaction((db) => this.applyBatch(db, batch));
      this.options.onBatch?.(batch.length, performance.now() - started);
      results.forEach((r, i) => {
        const p = batch[i]!;
        this.options.onOutcome?.(typeOf(p), r.ok ? (r.replayed ? 'replayed' : 'ok') : r.refusal.code);
        p.resolve(r);
      });
    } catch (err) {
      if (batch.length > 1) {
        // One command broke the batch (a bug or a corrupt row): run each alone so the others
        // still succeed and the failure lands on the one that caused it.
        for (const p of batch) await this.run([p]);
        return;
      }
      const p = batch[0]!;
      if (err instanceof ConflictError) {
        p.resolve({ ok: false, refusal: refusal('busy', 'the ledger stayed busy with conflicting writes; retry with the same Idempotency-Key') });
      } else p.reject(err);
    }
  }

  /** One transaction: load and lock, apply each command in memory, write everything. */
  private async applyBatch(db: Db, batch: Pending[]): Promise<CommandResponse[]> {
    const now = this.clock.now();
    const state = new LedgerState();
    const results: CommandResponse[] = new Array(batch.length);
    const writes = { movements: [] as MovementRow[], debts: [] as DebtFact[], keys: [] as Parameters<typeof insertIdempotency>[1] };
    const newHolds = new Set<string>();

    const byWorkspace = new Map<string, number[]>();
    batch.forEach((p, i) => {
      const list = byWorkspace.get(p.req.workspaceId);
      if (list) list.push(i);
      else byWorkspace.set(p.req.workspaceId, [i]);
    });

    // Workspaces in a fixed order, and within each holds before levels, each in id order: every
    // batch takes its row locks in the same global order, so two batches never deadlock.
    for (const workspaceId of [...byWorkspace.keys()].sort()) {
      const indexes = byWorkspace.get(workspaceId)!;
      const keys = new Map<string, IdempotencyRecord>(
        (await loadIdempotency(db, workspaceId, [...new Set(indexes.map((i) => batch[i]!.req.idempotencyKey))])).map((r) => [r.key, r]),
      );
      // A document step decides its movements from the document's state, read and locked here.
      const commands = new Map<number, StockCommand[]>();
      const prepared = new Map<number, Outcome<PostCommand | StockCommand[]>>();
      for (const i of indexes) {
        const p = batch[i]!;
        if (!p.document) commands.set(i, [p.req.command!]);
        else if (!keys.has(p.req.idempotencyKey)) {
          const outcome = await p.document.prepare(db, now);
          prepared.set(i, outcome);
          if (outcome.ok) commands.set(i, Array.isArray(outcome.value) ? outcome.value : [outcome.value]);
        }
      }
      const catalog = await loadWorkspace(db, workspaceId, [...commands.values()].flat(), state, now);

      for (const i of indexes) {
        const { req, fingerprint: fp, document } = batch[i]!;
        const seen = keys.get(req.idempotencyKey);
        if (seen) {
          results[i] = replay(seen, fp);
          continue;
        }
        const remember = (r: CommandResponse) => {
          const record = recordOf(req.idempotencyKey, fp, r);
          if (record) {
            keys.set(record.key, record);
            writes.keys.push({ ...record, workspaceId, createdAt: now });
          }
          results[i] = r;
        };
        const decided = prepared.get(i);
        if (decided && !decided.ok) {
          remember(decided);
          continue;
        }
        const scratch = new Scratch(state);
        const ctx = { workspaceId, now, catalog, scratch, newHoldId: () => newId('hold', now) };
        // Each command sees the ones before it on the scratch; one refusal drops them all.
        const applied: { command: StockCommand; touched: Touched; from: number; to: number }[] = [];
        let refusedBy: CommandResponse | undefined;
        for (const command of commands.get(i)!) {
          const outcome = applyCommand(ctx, command);
          if (!outcome.ok) {
            refusedBy = outcome;
            break;
          }
          applied.push({ command, touched: outcome.value, from: applied.at(-1)?.to ?? 0, to: scratch.moved });
        }
        if (refusedBy) {
          remember(refusedBy);
          continue;
        }
        const { movements, exceptions } = scratch.commit(now);
        const rows: MovementRow[] = [];
        const touchedHolds: Hold[] = [];
        for (const { command, touched, from, to } of applied) {
          const hold = touched.kind === 'hold' ? state.holds.get(touched.holdId) : undefined;
          if (hold && (command.type === 'reserve' || command.type === 'allocate_order')) newHolds.add(hold.id);
          if (hold && !touchedHolds.includes(hold)) touchedHolds.push(hold);
          const reference = referenceOf(command, hold);
          rows.push(...movements.slice(from, to).map((m): MovementRow => ({
            id: newId('mov', now),
            workspaceId,
            itemId: m.itemId,
            locationId: m.locationId,
            from: m.from,
            to: m.to,
            quantity: m.quantity,
            command: command.type === 'post' ? command.flow : command.type,
            reason: m.reason,
            reference,
            note: noteOf(command),
            holdId: m.holdId,
            actor: req.actor,
            createdAt: now,
          })));
        }
        writes.movements.push(...rows);
        // In command order, each command's repayments before what it raises: a debt is repaid to
        // the exceptions that stood for it before this command, never to one it raises itself.
        for (const m of rows) if (m.to === 'oversold') writes.debts.push({ repaid: { id: m.id, workspaceId, itemId: m.itemId, locationId: m.locationId, quantity: m.quantity, command: m.command, reference: m.reference, holdId: m.holdId } });
        if (exceptions.length > 0) writes.debts.push({ raised: exceptions.map((e) => ({ ...e, id: newId('exc', now), workspaceId, createdAt: now })) });
        if (document) {
          const written = await document.finish(db, { movements: rows, holds: touchedHolds.map((h) => state.holds.get(h.id)!), touched: applied.map((a) => a.touched) }, now);
          remember({ ok: true, replayed: false, ...written });
          continue;
        }
        const { command, touched } = applied[0]!;
        const creates = command.type === 'reserve' || command.type === 'allocate_order';
        const body = render(touched, state, catalog, rows);
        remember({ ok: true, replayed: false, status: creates && touched.kind === 'hold' ? 201 : 200, body });
      }
    }

    await writeLevels(db, [...state.dirtyLevels].map((k) => state.levels.get(k)!));
    // Levels this batch created for commands that were then refused would be empty rows nobody
    // asked for: a refusal writes nothing.
    await deleteLevels(db, [...state.levels.entries()].filter(([k, l]) => state.created.has(l.id) && !state.dirtyLevels.has(k)).map(([, l]) => l.id));
    await insertMovements(db, writes.movements);
    await writeHolds(db, [...state.dirtyHolds].map((id) => state.holds.get(id)!), newHolds);
    // Exceptions follow the debt: raised with it, repaid oldest first, settled by the movement.
    for (const f of writes.debts) {
      if ('raised' in f) await insertExceptions(db, f.raised);
      else await repayOversold(db, f.repaid, now);
    }
    await insertIdempotency(db, writes.keys);
    // Alerts out (stock.changed, stock.low) commit or roll back with the stock they report.
    await stockAlerts(db, [...state.dirtyLevels].map((k) => state.levels.get(k)!), now);
    if (this.options.afterWrite && state.dirtyLevels.size > 0) await this.options.afterWrite(db, changedItems(state), now);
    return results;
  }
}

function changedItems(state: LedgerState): StockChange[] {
  const byWorkspace = new Map<string, Set<string>>();
  for (const key of state.dirtyLevels) {
    const level = state.levels.get(key)!;
    const set = byWorkspace.get(level.workspaceId) ?? new Set<string>();
    set.add(level.itemId);
    byWorkspace.set(level.workspaceId, set);
  }
  return [...byWorkspace].map(([workspaceId, items]) => ({ workspaceId, itemIds: [...items] }));
}

/**
 * What idempotency compares: the request without its `route`, which the server derives from the
 * routing rules — a retry after a rule change is the same request and replays the first answer.
 */
function withoutRoute(c: StockCommand): unknown {
  if (!('route' in c) || c.route === undefined) return c;
  const { route: _route, ...rest } = c;
  return rest;
}

function referenceOf(c: StockCommand, hold: Hold | undefined): string | null {
  if ('order_reference' in c && c.order_reference) return c.order_reference;
  if ('reference' in c && c.reference) return c.reference;
  return hold?.orderReference ?? hold?.reference ?? null;
}

function noteOf(c: StockCommand): string | null {
  return 'note' in c && typeof c.note === 'string' ? c.note : null;
}

function render(touched: Touched, state: LedgerState, catalog: Catalog, rows: MovementRow[]): Record<string, unknown> {
  const movements = rows.map((m) => movementView(m, catalog.item(m.itemId)!.sku, catalog.location(m.locationId)!.code));
  if (touched.kind === 'hold') {
    return {
      hold: holdView(state.holds.get(touched.holdId)!, catalog),
      movements,
      ...(touched.backordered ? { backordered: touched.backordered } : {}),
      ...(touched.route ? { route: touched.route } : {}),
    };
  }
  if (touched.kind === 'backorder') return { hold: null, movements, backordered: touched.backordered };
  if (touched.kind === 'levels') {
    const stock_levels = touched.levels.map((t) => {
      const level = state.level(t.itemId, t.locationId)!;
      return levelView(catalog.item(t.itemId)!.sku, catalog.location(t.locationId)!.code, level.balances, level.updatedAt);
    });
    return { stock_levels, movements };
  }
  const level = state.level(touched.itemId, touched.locationId)!;
  return { stock_level: levelView(catalog.item(touched.itemId)!.sku, catalog.location(touched.locationId)!.code, level.balances, level.updatedAt), movements };
}

interface Names {
  skus: string[];
  codes: string[];
  /** SKU and location code pairs the command may put units into. */
  pairs: [string, string][];
  holdId?: string;
}

/** SKUs, location codes and hold ids a command names. */
function namesOf(c: StockCommand): Names {
  const codes: string[] = [];
  const skus: string[] = [];
  const pairs: [string, string][] = [];
  const str = (x: unknown): x is string => typeof x === 'string';
  const listed = 'locations' in c && Array.isArray(c.locations) ? c.locations.filter(str) : [];
  // A routed command's candidates stand in for `locations`.
  const routed = 'route' in c && Array.isArray(c.route?.candidates) ? c.route.candidates.map((x) => x?.code).filter(str) : [];
  const candidates = [...listed, ...routed];
  codes.push(...candidates);
  const lines: unknown[] = [c, ...('lines' in c && Array.isArray(c.lines) ? c.lines : []), ...('variances' in c && Array.isArray(c.variances) ? c.variances : [])];
  for (const l of lines as { sku?: unknown; location?: unknown }[]) {
    if (!str(l?.sku)) continue;
    skus.push(l.sku);
    if (str(l.location)) codes.push(l.location);
    for (const code of str(l.location) ? [l.location] : candidates) pairs.push([l.sku, code]);
  }
  return { skus, codes, pairs, ...('hold_id' in c && typeof c.hold_id === 'string' ? { holdId: c.hold_id } : {}) };
}

/**
 * Read what a workspace's commands name and lock what they may change: holds first, then
 * every stock level of the named items at the named locations (creating the empty levels that
 * receipts and adjustments may fill).
 */
async function loadWorkspace(db: Db, workspaceId: string, commands: StockCommand[], state: LedgerState, now: number): Promise<Catalog> {
  const names = commands.map(namesOf);
  // Orders from a ring-fenced channel draw on its fence: lock those holds with the named ones.
  const orders = commands.filter((c): c is AllocateOrderCommand => c.type === 'allocate_order' && typeof c.channel === 'string');
  const fenceIds = await ringFenceHoldIds(db, workspaceId, [...new Set(orders.map((c) => c.channel!))], orders.flatMap((c) => namesOf(c).skus));
  const holdIds = [...new Set([...names.flatMap((n) => (n.holdId ? [n.holdId] : [])), ...fenceIds])].sort();
  const holds = await lockHolds(db, workspaceId, holdIds);
  for (const h of holds) state.holds.set(h.id, h);
  const fences = new Map<string, string[]>();
  for (const h of holds) {
    if (!fenceIds.includes(h.id) || h.reference === null) continue;
    fences.set(h.reference, [...(fences.get(h.reference) ?? []), h.id]);
  }

  const holdLines = holds.flatMap((h) => h.lines);
  const items = new Map<string, Item>();
  const locations = new Map<string, Location>();
  for (const i of [
    ...(await itemsBySku(db, workspaceId, names.flatMap((n) => n.skus))),
    ...(await itemsById(db, workspaceId, holdLines.flatMap((l) => (l.bundleItemId ? [l.itemId, l.bundleItemId] : [l.itemId])))),
  ]) items.set(i.id, i);
  for (const l of [
    ...(await locationsByCode(db, workspaceId, names.flatMap((n) => n.codes))),
    ...(await locationsById(db, workspaceId, holdLines.map((l) => l.locationId))),
  ]) locations.set(l.id, l);

  const channels = new Set(await existingChannels(db, workspaceId, commands.flatMap((c) => ('channel' in c && typeof c.channel === 'string' ? [c.channel] : []))));

  // Bundles and multipacks sell their components: load those and lock their stock levels too.
  const components = await componentsOf(db, [...items.values()].filter((i) => i.kind !== 'standard').map((i) => i.id));
  const componentIds = [...components.values()].flat().map((c) => c.itemId).filter((id) => !items.has(id));
  for (const i of await itemsById(db, workspaceId, componentIds)) items.set(i.id, i);

  const bySku = new Map([...items.values()].map((i) => [i.sku, i]));
  const byCode = new Map([...locations.values()].map((l) => [l.code, l]));
  const catalog: Catalog = {
    itemBySku: (sku) => bySku.get(sku),
    locationByCode: (code) => byCode.get(code),
    item: (id) => items.get(id),
    location: (id) => locations.get(id),
    components: (id) => components.get(id) ?? [],
    hasChannel: (id) => channels.has(id),
    ringFenceHolds: (channelId) => fences.get(ringFenceReference(channelId)) ?? [],
  };

  // Empty levels for every pair a command may put units into; a bundle's units go to its components.
  const toCreate = new Map<string, { id: string; workspaceId: string; itemId: string; locationId: string }>();
  commands.forEach((c, i) => {
    if (!createsLevels(c)) return;
    for (const [sku, code] of names[i]!.pairs) {
      const item = bySku.get(sku);
      const loc = byCode.get(code);
      if (!item || !loc) continue;
      // A kit kept pre-built has levels of its own beside its components'.
      const parts = (components.get(item.id) ?? []).map((x) => x.itemId);
      const stocked = item.kind === 'standard' ? [item.id] : item.stocksPrebuilt ? [item.id, ...parts] : parts;
      for (const itemId of stocked) {
        const key = levelKey(itemId, loc.id);
        if (!toCreate.has(key)) toCreate.set(key, { id: newId('lvl', now), workspaceId, itemId, locationId: loc.id });
      }
    }
  });
  if (toCreate.size > 0) await ensureLevels(db, [...toCreate.values()], now);
  for (const l of toCreate.values()) state.created.add(l.id);
  const levels = await lockLevels(db, workspaceId, [...items.keys()].sort(), [...locations.keys()].sort());
  for (const l of levels) state.levels.set(levelKey(l.itemId, l.locationId), l);
  return catalog;
}
