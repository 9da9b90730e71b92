// Cycle counts: the counts in progress and waiting for approval, and starting a new one.

import { type FormEvent, useState } from 'react';
import { useAction } from '../action.ts';
import { api, type Page, seg } from '../api.ts';
import * as f from '../format.ts';
import { useLive } from '../live.ts';
import { href, navigate } from '../router.ts';
import type { Count, CountState } from '../types.ts';
import { CheckField, Outcome, SelectField, Submit, TextField } from '../ui/forms.tsx';
import { Badge, DOCUMENTS_SHOWN, Empty, LoadState, PageHeader, Section, TableWrap } from '../ui/page.tsx';
import { LocationSelect, SKU_LIST_ID, SkuDatalist, useLocations } from '../ui/pickers.tsx';

export const COUNT_STATE_TONE: Record<CountState, 'info' | 'warn' | 'good' | undefined> = { open: 'info', awaiting_approval: 'warn', posted: 'good', cancelled: undefined };

const SHOW = [
  { value: 'active', label: 'open or awaiting approval' },
  { value: 'posted', label: 'posted' },
  { value: 'cancelled', label: 'cancelled' },
];

export function CountsPage() {
  const [show, setShow] = useState('active');
  const counts = useLive(async () => {
    const states = show === 'active' ? ['awaiting_approval', 'open'] : [show];
    const pages = await Promise.all(states.map((state) => api.get<Page<Count>>('/counts', { state, limit: DOCUMENTS_SHOWN })));
    return pages.flatMap((p) => p.data);
  }, [show]);
  return (
    <div>
      <PageHeader title="Cycle counts" sub="Count the shelf, compare with the books, post the variances (above the threshold, an admin approves)." />
      <Section title="Counts" id="counts" actions={<SelectField label="Show" value={show} onChange={setShow} options={SHOW} />}>
        <LoadState live={counts} what="counts" />
        {counts.data && counts.data.length === 0 && <Empty>No counts here.</Empty>}
        {counts.data && counts.data.length > 0 && (
          <TableWrap label="Counts">
            <table>
              <thead>
                <tr>
                  <th scope="col">Count</th>
                  <th scope="col">Location</th>
                  <th scope="col">Scope</th>
                  <th scope="col">State</th>
                  <th scope="col">Opened</th>
                  <th scope="col">Posted</th>
                </tr>
              </thead>
              <tbody>
                {counts.data.map((c) => (
                  <tr key={c.id}>
                    <th scope="row">
                      <a href={href(`/counts/${seg(c.id)}`)}>{c.number}</a>
                    </th>
                    <td>{c.location}</td>
                    <td>
                      {c.scope}
                      {c.blind && <> · blind</>}
                    </td>
                    <td>
                      <Badge tone={COUNT_STATE_TONE[c.state]}>{f.label(c.state)}</Badge>
                    </td>
                    <td className="nowrap">{f.time(c.created_at)}</td>
                    <td className="nowrap">{f.time(c.posted_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Section>
      <NewCount />
    </div>
  );
}

const splitList = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

function NewCount() {
  const action = useAction();
  const locations = useLocations();
  const [location, setLocation] = useState('');
  const [scope, setScope] = useState('all');
  const [skus, setSkus] = useState('');
  const [zones, setZones] = useState('');
  const [blind, setBlind] = useState(false);
  const [number, setNumber] = useState('');
  const loc = location || locations.data?.[0]?.code || '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = {
      location: loc,
      scope,
      blind,
      ...(scope === 'skus' ? { skus: splitList(skus) } : {}),
      ...(scope === 'zones' ? { zones: splitList(zones) } : {}),
      ...(number.trim() ? { number: number.trim() } : {}),
    };
    void action.run('POST', '/counts', body, (r: { count: Count }) => navigate(`/counts/${seg(r.count.id)}`));
  };
  return (
    <Section title="Start a count" id="new-count">
      <SkuDatalist />
      <form onSubmit={submit} className="stack-form">
        <LocationSelect label="Location" value={loc} onChange={setLocation} locations={locations.data} />
        <SelectField label="Scope" value={scope} onChange={setScope} options={[{ value: 'all', label: 'everything at the location' }, { value: 'skus', label: 'some SKUs' }, { value: 'zones', label: 'some zones' }]} />
        {scope === 'skus' && <TextField label="SKUs" value={skus} onChange={setSkus} list={SKU_LIST_ID} required hint="separated by spaces or commas" />}
        {scope === 'zones' && <TextField label="Zones" value={zones} onChange={setZones} required hint="separated by spaces or commas" />}
        <TextField label="Number" value={number} onChange={setNumber} placeholder="CNT-000001 if blank" />
        <CheckField label="Blind (counters do not see the books)" checked={blind} onChange={setBlind} />
        <Submit action={action}>Start count</Submit>
      </form>
      <Outcome action={action} />
    </Section>
  );
}
