// Page furniture: the heading (focused on navigation so keyboard and screen-reader users land on
// the new screen), load errors, stat tiles, badges.

import { type ReactNode, useEffect, useRef } from 'react';
import { ApiError, describeError } from '../api.ts';
import type { Live } from '../live.ts';

/** Documents (purchase orders, transfers, returns, counts) a list screen shows at once. */
export const DOCUMENTS_SHOWN = 100;

export function PageHeader({ title, children, sub }: { title: string; sub?: ReactNode; children?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · truestock`;
    // Only move focus when the user navigated (not on the first paint after sign-in).
    if (document.activeElement && document.activeElement !== document.body) ref.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <header className="page-header">
      <div>
        <h1 tabIndex={-1} ref={ref}>
          {title}
        </h1>
        {sub && <p className="sub">{sub}</p>}
      </div>
      {children && <div className="page-actions">{children}</div>}
    </header>
  );
}

/** Loading, a first load that failed, or a refresh that failed while older data is shown. */
export function LoadState({ live, what }: { live: Live<unknown>; what: string }) {
  if (live.data === undefined && live.loading) return <p className="muted" aria-live="polite">Loading {what}…</p>;
  if (live.error) {
    const notFound = live.error instanceof ApiError && live.error.status === 404;
    return (
      <p className={live.data === undefined ? 'load-error' : 'load-warning'} role="alert">
        {live.data === undefined ? `Could not load ${what}: ` : `Could not refresh ${what} (showing the last figures): `}
        {notFound && live.error instanceof ApiError && live.error.code === 'route_not_found' ? 'this server does not offer it yet' : describeError(live.error)}
      </p>
    );
  }
  return null;
}

export function Stat({ label, value, tone, href, hint }: { label: string; value: ReactNode; tone?: 'bad' | 'warn' | 'good'; href?: string; hint?: string }) {
  const body = (
    <>
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
      {hint && <span className="stat-hint">{hint}</span>}
    </>
  );
  return (
    <div className={`stat ${tone ? `stat-${tone}` : ''}`}>
      {href ? (
        <a className="stat-link" href={href}>
          {body}
        </a>
      ) : (
        body
      )}
    </div>
  );
}

export function Badge({ children, tone }: { children: ReactNode; tone?: 'bad' | 'warn' | 'good' | 'info' }) {
  return <span className={`badge ${tone ? `badge-${tone}` : ''}`}>{children}</span>;
}

export function Section({ title, children, actions, id }: { title: string; children: ReactNode; actions?: ReactNode; id?: string }) {
  return (
    <section className="section" aria-labelledby={id ? `${id}-title` : undefined}>
      <div className="section-head">
        <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** Tables scroll sideways on a narrow screen instead of squeezing the page. */
export function TableWrap({ children, label }: { children: ReactNode; label: string }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
