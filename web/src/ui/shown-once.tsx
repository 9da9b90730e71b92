// A secret the server shows only in the answer that made it (a workspace's first key, a webhook's
// signing secret): shown with words that say so, and marked `data-secret` for tests.

import type { ReactNode } from 'react';

export function ShownOnce({ label, secret, children }: { label: string; secret: string; children: ReactNode }) {
  return (
    <div className="outcome outcome-ok" role="note" aria-label={label}>
      <p>{children}</p>
      <code data-secret>{secret}</code>
    </div>
  );
}
