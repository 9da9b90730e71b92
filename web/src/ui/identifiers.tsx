// A listing's identifiers as the merchant knows them (Shopify's numbers, Amazon's seller SKU and
// marketplace by name), each labelled; the stored form is on hover. Wraps rather than widening
// the page. Older servers send only the external_key: it is shown as it is.

import type { Listing } from '../types.ts';

export function Identifiers({ listing }: { listing: Pick<Listing, 'external_key' | 'identifiers'> }) {
  const ids = listing.identifiers ?? [];
  if (ids.length === 0) return <code className="wrap-anywhere">{listing.external_key}</code>;
  return (
    <span className="identifiers">
      {ids.map((i) => (
        <span key={i.field} className="identifier" title={i.stored !== i.value ? `${i.field}: ${i.stored}` : i.field}>
          <span className="muted">{i.label}</span> <code>{i.value}</code>
        </span>
      ))}
    </span>
  );
}
