// A channel's rules (docs/availability.md "Channel rules"): each rule with what it does and whether
// it is in force now; add, edit or deactivate one with a form for every setting. Nothing is saved
// on the first click: the form first asks the what-if which listings' numbers would change
// (before → after), and saving is a second, explicit step for exactly what was previewed — a form
// edited after its preview must be previewed again. Refusals are shown next to the field they name.

import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { useAction } from '../action.ts';
import { all, api, ApiError, describeError, newIdempotencyKey, type Problem, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import type { PageProps } from '../routes.ts';
import { href } from '../router.ts';
import type { Channel, Location } from '../types.ts';
import { ActionButton, CheckField, ConfirmRow, Outcome, SelectField } from '../ui/forms.tsx';
import { Badge, Empty, LoadState, PageHeader, Section, TableWrap } from '../ui/page.tsx';
import { useLocations } from '../ui/pickers.tsx';
import { draftOf, EMPTY, type Draft, type FieldGroup, groupOf, inForce, type Rule, type RuleBody, ruleBody, type Tri } from '../rule-draft.ts';

/** Location kinds a rule may sell from (docs/availability.md, `locations.kinds`). */
const LOCATION_KINDS = ['warehouse', 'store', '3pl', 'channel_managed', 'dropship'] as const;
/** Changed listings shown under a preview; the what-if counts them all. */
const PREVIEW_ROWS_MAX = 200;

interface WhatIf {
  channel_id: string;
  listings: number;
  changed: number;
  truncated: boolean;
  changes: { listing_id: string; sku: string; before: number; after: number; delta: number; backorder_before: number; backorder_after: number }[];
}

interface Saved {
  rule: Rule;
  listings_changed: number;
  next_rule_change_at?: string | null;
  ring_fence?: { sku: string; wanted: number; fenced: number; short: number }[];
}

export function ChannelRulesPage({ params }: PageProps) {
  const id = params.id ?? '';
  const channel = useLive(async () => (await all<Channel>('/channels')).find((x) => x.id === id || x.name === id) ?? null, [id], 30_000);
  const [showInactive, setShowInactive] = useState(false);
  const rules = useLive(() => api.get<{ channel_id: string; data: Rule[] }>(`/channels/${seg(id)}/rules`, { include_inactive: showInactive || undefined }), [id, showInactive]);
  const [editing, setEditing] = useState<Rule | null>(null);
  const [removing, setRemoving] = useState<Rule | null>(null);
  const c = channel.data ?? undefined;
  const name = c?.name ?? id;
  const rows = rules.data?.data ?? [];
  const now = Date.now();

  return (
    <div>
      <PageHeader title={`Rules of ${name}`} sub={<>What {name} may show for each listing: locations, allocation, buffer, cap, zero-below, backorder, time windows and per-item overrides.</>}>
        <a className="btn btn-plain" href={href(`/channels/${seg(id)}`)}>
          Channel {name}
        </a>
      </PageHeader>
      {channel.data === null && (
        <p className="load-error" role="alert">
          No channel {id} in this workspace. <a href={href('/channels')}>All channels</a>
        </p>
      )}
      <Section title="Rules" id="rules">
        <p className="muted">The most specific rule wins field by field: the channel default, item rules, time windows, then below-N valves. A channel with no rule shows its whole pool.</p>
        <CheckField label="Show deactivated rules" checked={showInactive} onChange={setShowInactive} />
        <LoadState live={rules} what="the rules" />
        {rules.data && rows.length === 0 && <Empty>No rules: this channel shows the whole pool of every location that ships online.</Empty>}
        {rows.length > 0 && (
          <TableWrap label="Rules">
            <table className="rules">
              <thead>
                <tr>
                  <th scope="col">What it does</th>
                  <th scope="col">In force</th>
                  <th scope="col">Changed</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => {
                  const state = inForce(r, now);
                  return (
                    <tr key={r.id} data-rule={r.id}>
                      <td className="message">
                        {r.does} <small className="muted">{r.id}</small>
                      </td>
                      <td>{state.yes ? <Badge tone="good">{state.text}</Badge> : <Badge>{state.text}</Badge>}</td>
                      <td className="nowrap">{f.time(r.updated_at)}</td>
                      <td className="nowrap">
                        {r.active && (
                          <>
                            <ActionButton role="admin" label={`Edit ${r.id}`} onClick={() => (setRemoving(null), setEditing(r))}>
                              Edit
                            </ActionButton>{' '}
                            <ActionButton role="admin" kind="danger" label={`Deactivate ${r.id}`} onClick={() => (setEditing(null), setRemoving(r))}>
                              Deactivate
                            </ActionButton>
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Section>
      {removing && <Deactivate key={removing.id} channel={id} rule={removing} onDone={() => rules.refresh()} onClose={() => setRemoving(null)} />}
      <RuleForm key={editing?.id ?? 'new'} channel={id} editing={editing} onSaved={() => rules.refresh()} onCancel={() => setEditing(null)} />
    </div>
  );
}

/** What a proposal would change, before → after: nothing is saved by showing it. */
function Preview({ result, title }: { result: WhatIf; title: string }) {
  const shown = result.changes.slice(0, PREVIEW_ROWS_MAX);
  return (
    <div className="preview" data-testid="what-if">
      <h3>{title}</h3>
      <p role="status">
        {result.changed === 0
          ? `No listing's number would change (${f.int(result.listings)} listing${result.listings === 1 ? '' : 's'} on the channel). Nothing is saved yet.`
          : `${f.int(result.changed)} of ${f.int(result.listings)} listings would change. Nothing is saved yet.`}
      </p>
      {shown.length > 0 && (
        <TableWrap label="Listings that would change">
          <table>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col" className="num">Now</th>
                <th scope="col" className="num">After</th>
                <th scope="col" className="num">Change</th>
                <th scope="col" className="num">Backorder</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => (
                <tr key={c.listing_id} data-listing={c.listing_id}>
                  <th scope="row">
                    <a href={href(`/items/${seg(c.sku)}`)}>{c.sku}</a>
                  </th>
                  <td className="num">{f.int(c.before)}</td>
                  <td className="num">{f.int(c.after)}</td>
                  <td className={`num ${c.delta < 0 ? 'bad' : ''}`}>{c.delta > 0 ? `+${f.int(c.delta)}` : f.int(c.delta)}</td>
                  <td className="num">{c.backorder_before === c.backorder_after ? f.int(c.backorder_after) : `${f.int(c.backorder_before)} → ${f.int(c.backorder_after)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {result.changed > shown.length && <p className="muted">and {f.int(result.changed - shown.length)} more</p>}
    </div>
  );
}

/** Ask the what-if (a read: repeating it is harmless, so each ask takes a fresh key). */
async function askWhatIf(channel: string, body: RuleBody & { replaces?: string }): Promise<WhatIf> {
  return api.send<WhatIf>('POST', `/channels/${seg(channel)}/rules/what-if`, body, newIdempotencyKey());
}

function savedText(res: Saved, verb: string): string {
  const short = (res.ring_fence ?? []).filter((x) => x.short > 0);
  const fence = short.length ? ` Stock is short for the ring-fence: ${short.map((x) => `${x.sku} ${x.fenced} of ${x.wanted}`).join(', ')}.` : '';
  return `Rule ${res.rule.id} ${verb}: ${f.int(res.listings_changed)} listing${res.listings_changed === 1 ? '' : 's'} changed.${fence}`;
}

function Deactivate({ channel, rule, onDone, onClose }: { channel: string; rule: Rule; onDone: () => void; onClose: () => void }) {
  // Deactivating is what-if'd as replacing the rule with one that sets nothing.
  const preview = useLive(() => askWhatIf(channel, { skus: null, starts_at: null, ends_at: null, below_units: null, settings: {}, replaces: rule.id }), [channel, rule.id], 0);
  const action = useAction();
  return (
    <Section title={`Deactivate ${rule.id}?`} id="deactivate">
      <p>{rule.does}</p>
      <LoadState live={preview} what="what deactivating would change" />
      {preview.data && <Preview result={preview.data} title="If it is deactivated" />}
      <ConfirmRow action={action} onClose={onClose}>
        <ActionButton role="admin" kind="danger" action={action} disabled={!preview.data || !!action.done} onClick={() => void action.run<Saved>('DELETE', `/channel-rules/${seg(rule.id)}`, undefined, (res) => (onDone(), savedText(res, 'deactivated')))}>
          Deactivate rule
        </ActionButton>
      </ConfirmRow>
      <Outcome action={action} />
    </Section>
  );
}

/** A refusal shown beside the field it names. */
function FieldError({ refusal, group }: { refusal: Problem | null; group: FieldGroup }) {
  if (!refusal || groupOf(refusal.field) !== group) return null;
  return (
    <p className="outcome outcome-error" role="alert" data-field-error={group}>
      {describeError(new ApiError(refusal))}
    </p>
  );
}

function Input({ label, value, onChange, type = 'text', hint, invalid, step }: { label: string; value: string; onChange: (v: string) => void; type?: 'text' | 'number' | 'datetime-local'; hint?: string; invalid?: boolean; step?: string }) {
  const id = useId();
  return (
    <div className={`field ${type === 'number' ? 'field-number' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        step={step ?? (type === 'number' ? 'any' : undefined)}
        inputMode={type === 'number' ? 'decimal' : undefined}
        value={value}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={invalid || undefined}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint && <small id={`${id}-hint`}>{hint}</small>}
    </div>
  );
}

function Group({ legend, children, refusal, group }: { legend: string; children: ReactNode; refusal: Problem | null; group: FieldGroup }) {
  return (
    <fieldset className="field rule-setting" data-group={group}>
      <legend>{legend}</legend>
      {children}
      <FieldError refusal={refusal} group={group} />
    </fieldset>
  );
}

const TRI_LABELS = (none: string, set: string) => [
  { value: 'unset', label: 'not set here (a less specific rule, or the default)' },
  { value: 'none', label: none },
  { value: 'set', label: set },
];

function RuleForm({ channel, editing, onSaved, onCancel }: { channel: string; editing: Rule | null; onSaved: () => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => (editing ? draftOf(editing) : EMPTY));
  const [preview, setPreview] = useState<{ fingerprint: string; result: WhatIf } | null>(null);
  const [refusal, setRefusal] = useState<Problem | null>(null);
  const [asking, setAsking] = useState(false);
  const save = useAction();
  const locations = useLocations();
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const body = ruleBody(draft);
  const fingerprint = JSON.stringify(body);
  const fresh = preview !== null && preview.fingerprint === fingerprint;
  const bad = (g: FieldGroup) => refusal !== null && groupOf(refusal.field) === g;

  const ask = async (e: FormEvent) => {
    e.preventDefault();
    setAsking(true);
    setRefusal(null);
    save.clear();
    try {
      const result = await askWhatIf(channel, editing ? { ...body, replaces: editing.id } : body);
      setPreview({ fingerprint, result });
    } catch (err) {
      setPreview(null);
      setRefusal(err instanceof ApiError ? err.problem : { status: 0, detail: describeError(err) });
    } finally {
      setAsking(false);
    }
  };
  const commit = () =>
    void save.run<Saved>(editing ? 'PUT' : 'POST', editing ? `/channel-rules/${seg(editing.id)}` : `/channels/${seg(channel)}/rules`, body, (res) => {
      onSaved();
      setPreview(null);
      if (!editing) setDraft(EMPTY);
      return savedText(res, editing ? 'replaced' : 'saved');
    });
  const general = refusal && groupOf(refusal.field) === null ? describeError(new ApiError(refusal)) : null;

  return (
    <Section title={editing ? `Edit rule ${editing.id}` : 'Add a rule'} id="rule-form">
      {editing && <p className="muted">Now: {editing.does}</p>}
      <form className="stack-form rule-form" onSubmit={ask} noValidate aria-label={editing ? 'Edit rule' : 'Add a rule'}>
        <Group legend="Applies to" refusal={refusal} group="skus">
          <Input label="SKUs (blank: every item; separate with commas)" value={draft.skus} onChange={(v) => set({ skus: v })} invalid={bad('skus')} hint="An item override names its SKUs." />
        </Group>
        <Group legend="Time window (your time zone; blank: open)" refusal={refusal} group="starts_at">
          <Input label="Starts" type="datetime-local" value={draft.startsAt} onChange={(v) => set({ startsAt: v })} invalid={bad('starts_at')} />
          <Input label="Ends" type="datetime-local" value={draft.endsAt} onChange={(v) => set({ endsAt: v })} invalid={bad('ends_at')} />
          <FieldError refusal={refusal} group="ends_at" />
        </Group>
        <Group legend="Only while short" refusal={refusal} group="below_units">
          <Input label="Applies while the pool is below (units; blank: always)" type="number" value={draft.below} onChange={(v) => set({ below: v })} invalid={bad('below_units')} />
        </Group>
        <Group legend="Locations" refusal={refusal} group="locations">
          <SelectField
            label="Sells from"
            value={draft.locations}
            onChange={(v) => set({ locations: v as Draft['locations'] })}
            options={[
              { value: 'unset', label: 'not set here (default: every location that ships online)' },
              { value: 'set', label: 'these locations and kinds' },
            ]}
          />
          {draft.locations === 'set' && (
            <div className="two-col">
              <div>
                {(locations.data ?? []).map((l: Location) => (
                  <CheckField key={l.code} label={`${l.code} — ${l.name}`} checked={draft.codes.includes(l.code)} onChange={(on) => set({ codes: on ? [...draft.codes, l.code] : draft.codes.filter((x) => x !== l.code) })} />
                ))}
              </div>
              <div>
                {LOCATION_KINDS.map((k) => (
                  <CheckField key={k} label={`every ${f.label(k)}`} checked={draft.kinds.includes(k)} onChange={(on) => set({ kinds: on ? [...draft.kinds, k] : draft.kinds.filter((x) => x !== k) })} />
                ))}
              </div>
            </div>
          )}
        </Group>
        <Group legend="Allocation" refusal={refusal} group="allocation">
          <SelectField
            label="Allocation mode"
            value={draft.allocation}
            onChange={(v) => set({ allocation: v as Draft['allocation'] })}
            options={[
              { value: 'unset', label: 'not set here (default: shared)' },
              { value: 'shared', label: 'shared: the whole pool' },
              { value: 'share', label: 'share: a percentage of the pool' },
              { value: 'ring_fenced', label: 'ring-fence: units reserved for this channel' },
            ]}
          />
          {draft.allocation === 'share' && <Input label="Share (%)" type="number" value={draft.percent} onChange={(v) => set({ percent: v })} invalid={bad('allocation')} />}
          {draft.allocation === 'ring_fenced' && <Input label="Ring-fenced units per item" type="number" value={draft.quantity} onChange={(v) => set({ quantity: v })} invalid={bad('allocation')} />}
        </Group>
        <Group legend="Buffer" refusal={refusal} group="buffer">
          <SelectField
            label="Buffer mode"
            value={draft.buffer}
            onChange={(v) => set({ buffer: v as Draft['buffer'] })}
            options={[
              { value: 'unset', label: 'not set here (default: none)' },
              { value: 'none', label: 'none' },
              { value: 'fixed', label: 'fixed: hold back units' },
              { value: 'percent', label: 'percent: hold back a percentage' },
              { value: 'adaptive', label: 'adaptive: what other channels may sell meanwhile' },
            ]}
          />
          {draft.buffer === 'fixed' && <Input label="Buffer units" type="number" value={draft.bufferUnits} onChange={(v) => set({ bufferUnits: v })} invalid={bad('buffer')} />}
          {draft.buffer === 'percent' && <Input label="Buffer (%)" type="number" value={draft.bufferPercent} onChange={(v) => set({ bufferPercent: v })} invalid={bad('buffer')} />}
          {draft.buffer === 'adaptive' && (
            <>
              <Input label="Confidence (between 0 and 1)" type="number" value={draft.confidence} onChange={(v) => set({ confidence: v })} invalid={bad('buffer')} />
              <Input label="At least (units)" type="number" value={draft.minUnits} onChange={(v) => set({ minUnits: v })} invalid={bad('buffer')} />
              <Input label="At most (units)" type="number" value={draft.maxUnits} onChange={(v) => set({ maxUnits: v })} invalid={bad('buffer')} />
            </>
          )}
        </Group>
        <Group legend="Cap" refusal={refusal} group="cap_units">
          <SelectField label="Cap setting" value={draft.cap} onChange={(v) => set({ cap: v as Tri })} options={TRI_LABELS('no cap (lifts one)', 'show at most')} />
          {draft.cap === 'set' && <Input label="Show at most (units)" type="number" value={draft.capUnits} onChange={(v) => set({ capUnits: v })} invalid={bad('cap_units')} />}
        </Group>
        <Group legend="Zero below" refusal={refusal} group="zero_below_units">
          <SelectField label="Zero-below setting" value={draft.zeroBelow} onChange={(v) => set({ zeroBelow: v as Tri })} options={TRI_LABELS('never show 0 early (lifts one)', 'show 0 below')} />
          {draft.zeroBelow === 'set' && <Input label="Show 0 below (units)" type="number" value={draft.zeroBelowUnits} onChange={(v) => set({ zeroBelowUnits: v })} invalid={bad('zero_below_units')} />}
        </Group>
        <Group legend="Backorder" refusal={refusal} group="backorder_days">
          <SelectField label="Backorder setting" value={draft.backorder} onChange={(v) => set({ backorder: v as Tri })} options={TRI_LABELS('no backorder (lifts one)', 'promise incoming stock')} />
          {draft.backorder === 'set' && <Input label="Incoming within (days)" type="number" value={draft.backorderDays} onChange={(v) => set({ backorderDays: v })} invalid={bad('backorder_days')} />}
        </Group>
        <div className="button-row">
          <button type="submit" className="btn btn-primary" disabled={asking} aria-busy={asking || undefined}>
            Preview changes
          </button>
          {editing && (
            <button type="button" className="btn btn-plain" onClick={onCancel}>
              Cancel editing
            </button>
          )}
        </div>
        {general && (
          <p className="outcome outcome-error" role="alert">
            {general}
          </p>
        )}
      </form>
      {preview && <Preview result={preview.result} title={fresh ? 'What saving would change' : 'What the previous version of the form would change'} />}
      {preview && !fresh && <p className="notice">The form changed since this preview: preview again before saving.</p>}
      {preview && (
        <div className="button-row">
          <ActionButton role="admin" kind="primary" action={save} disabled={!fresh} onClick={commit}>
            {editing ? 'Save changes' : 'Save rule'}
          </ActionButton>
        </div>
      )}
      <Outcome action={save} />
    </Section>
  );
}
