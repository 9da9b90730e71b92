// Catalog problems (docs/catalog.md): what is wrong with the catalog — duplicate or missing
// listings, listings of archived items, shared barcodes, bundles with archived components —
// each with links to where it is fixed (the item, the channel and its listings, the bundle).

import type { ReactNode } from 'react';
import { api, seg } from '../api.ts';
import { useLive } from '../live.ts';
import type { PageProps } from '../routes.ts';
import { href, navigate } from '../router.ts';
import { SelectField } from '../ui/forms.tsx';
import { Empty, LoadState, PageHeader, Section, TableWrap } from '../ui/page.tsx';

export const PROBLEM_KINDS = ['listing_duplicate', 'listing_missing', 'listing_archived_item', 'barcode_duplicate', 'bundle_component_archived'] as const;
type Kind = (typeof PROBLEM_KINDS)[number];

const KIND_TITLES: Record<Kind, string> = {
  listing_duplicate: 'Duplicate listings',
  listing_missing: 'Missing listings',
  listing_archived_item: 'Listings of archived items',
  barcode_duplicate: 'Shared barcodes',
  bundle_component_archived: 'Bundles with an archived component',
};

/** What to do about each kind, in a line. */
const KIND_FIXES: Record<Kind, string> = {
  listing_duplicate: 'One channel identifier is mapped to several listings: keep one, deactivate the others on the channel.',
  listing_missing: 'The channel lists all items, but this item has no listing there: add one (API, or `truestock listings import`).',
  listing_archived_item: 'Deactivate the listing on its channel, or unarchive the item.',
  barcode_duplicate: 'Two items carry one barcode: correct the barcode on all but one item.',
  bundle_component_archived: 'Replace the archived component in the bundle, or unarchive the component.',
};

export interface CatalogProblem {
  kind: Kind;
  message: string;
  item_sku?: string;
  channel?: string;
  channel_id?: string;
  listing_id?: string;
  external_key?: string;
  barcode?: string;
  skus?: string[];
  component_sku?: string;
  listings?: { listing_id: string; channel: string; sku: string }[];
}

const itemLink = (sku: string, text: ReactNode = sku) => (
  <a key={`item-${sku}`} href={href(`/items/${seg(sku)}`)}>
    {text}
  </a>
);
const channelLink = (id: string, name: string, text: ReactNode) => (
  <a key={`channel-${id}`} href={href(`/channels/${seg(id)}`)}>
    {text ?? name}
  </a>
);

/** The places a problem is fixed, as links. */
export function fixLinks(p: CatalogProblem): ReactNode[] {
  const links: ReactNode[] = [];
  const channel = p.channel_id && p.channel ? channelLink(p.channel_id, p.channel, <>listings on {p.channel}</>) : null;
  switch (p.kind) {
    case 'listing_duplicate':
      for (const sku of [...new Set((p.listings ?? []).map((l) => l.sku))]) links.push(itemLink(sku, <>item {sku}</>));
      if (channel) links.push(channel);
      break;
    case 'listing_missing':
    case 'listing_archived_item':
      if (p.item_sku) links.push(itemLink(p.item_sku, <>item {p.item_sku}</>));
      if (channel) links.push(channel);
      break;
    case 'barcode_duplicate':
      for (const sku of p.skus ?? []) links.push(itemLink(sku, <>item {sku}</>));
      break;
    case 'bundle_component_archived':
      if (p.item_sku) links.push(itemLink(p.item_sku, <>bundle {p.item_sku}</>));
      if (p.component_sku) links.push(itemLink(p.component_sku, <>component {p.component_sku}</>));
      break;
  }
  return links;
}

export function CatalogProblemsPage({ query }: PageProps) {
  const kind = (PROBLEM_KINDS as readonly string[]).includes(query.get('kind') ?? '') ? (query.get('kind') as Kind) : '';
  const problems = useLive(() => api.get<{ data: CatalogProblem[]; truncated: Kind[] }>('/catalog/problems', { kind }), [kind], 30_000);
  const rows = problems.data?.data ?? [];
  const kinds = PROBLEM_KINDS.filter((k) => rows.some((p) => p.kind === k));

  return (
    <div>
      <PageHeader title="Catalog problems" sub="What is wrong with the catalog, and where to fix it. Computed when you look, so it is never stale." />
      <form className="filters" aria-label="Filter catalog problems" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label="Kind"
          value={kind}
          onChange={(v) => navigate('/catalog-problems', { kind: v })}
          options={[{ value: '', label: 'every kind' }, ...PROBLEM_KINDS.map((k) => ({ value: k, label: KIND_TITLES[k] }))]}
        />
      </form>
      <LoadState live={problems} what="catalog problems" />
      {problems.data && rows.length === 0 && <Empty>{kind ? `No ${KIND_TITLES[kind].toLowerCase()}.` : 'No catalog problems.'}</Empty>}
      {kinds.map((k) => {
        const mine = rows.filter((p) => p.kind === k);
        return (
          <Section key={k} title={`${KIND_TITLES[k]} (${mine.length}${problems.data?.truncated.includes(k) ? '+' : ''})`} id={`problems-${k}`}>
            <p className="muted">{KIND_FIXES[k]}</p>
            {problems.data?.truncated.includes(k) && <p className="notice">More than {mine.length} of these: only the first are listed.</p>}
            <TableWrap label={KIND_TITLES[k]}>
              <table className="catalog-problems">
                <thead>
                  <tr>
                    <th scope="col">Problem</th>
                    <th scope="col">Fix it at</th>
                  </tr>
                </thead>
                <tbody>
                  {mine.map((p, i) => (
                    <tr key={`${k}-${i}`} data-problem={p.kind}>
                      <td className="message">{p.message}</td>
                      <td>
                        <ul className="plain-list">
                          {fixLinks(p).map((l, j) => (
                            <li key={j}>{l}</li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </Section>
        );
      })}
    </div>
  );
}
