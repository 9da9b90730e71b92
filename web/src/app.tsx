// The shell: sign-in gate, header, menu, and the page the hash names.

import { type ReactElement, useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, describeError, onUnauthorized, type Session } from './api.ts';
import { SignInPage } from './pages/sign-in.tsx';
import { href, matchPath, parseHash, useHash } from './router.ts';
import { type Route, ROUTES } from './routes.ts';
import { ErrorBoundary } from './ui/error-boundary.tsx';
import { SessionContext } from './session.ts';

type Gate = { state: 'checking' } | { state: 'out'; reason?: string } | { state: 'in'; session: Session };

export function App() {
  const [gate, setGate] = useState<Gate>({ state: 'checking' });

  useEffect(() => {
    let alive = true;
    api.session
      .current()
      .then((session) => alive && setGate({ state: 'in', session }))
      .catch((err) => {
        if (!alive) return;
        const reason = err instanceof ApiError && err.status === 401 ? undefined : `Could not check the session: ${describeError(err)}`;
        setGate({ state: 'out', ...(reason ? { reason } : {}) });
      });
    return () => {
      alive = false;
    };
  }, []);

  useEffect(() => onUnauthorized(() => setGate((g) => (g.state === 'in' ? { state: 'out', reason: 'Your session has ended. Sign in again.' } : g))), []);

  const signOut = useCallback(() => {
    api.session.signOut().catch(() => {}).finally(() => setGate({ state: 'out', reason: 'Signed out.' }));
  }, []);
  const ctx = useMemo(() => (gate.state === 'in' ? { session: gate.session, signOut } : null), [gate, signOut]);

  if (gate.state === 'checking') return <p className="boot">Loading truestock…</p>;
  if (gate.state === 'out') return <SignInPage reason={gate.reason} onSignedIn={(session) => setGate({ state: 'in', session })} />;
  return (
    <SessionContext.Provider value={ctx}>
      <Shell session={gate.session} signOut={signOut} />
    </SessionContext.Provider>
  );
}

function Shell({ session, signOut }: { session: Session; signOut: () => void }) {
  const hash = useHash();
  const parsed = parseHash(hash);
  // The server administrator sees the Workspaces page only (their key reads no workspace's data),
  // and it is their home; a workspace's people never see it.
  const serverAdmin = session.server_admin === true;
  const routes = ROUTES.filter((r) => (r.serverAdmin === true) === serverAdmin);
  const loc = serverAdmin && parsed.path === '/' ? { ...parsed, path: '/workspaces' } : parsed;
  let page: ReactElement | null = null;
  for (const r of routes) {
    const params = matchPath(r.path, loc.path);
    if (params) {
      const Page = r.page;
      // Keyed by path: another item or channel is a fresh page, not stale state from the last one.
      // Every screen in a boundary: one that fails to draw leaves the menu and says what failed.
      page = (
        <ErrorBoundary key={loc.path} what={screenName(r, params)}>
          <Page params={params} query={loc.query} />
        </ErrorBoundary>
      );
      break;
    }
  }
  const current = (path: string) => (path === '/' ? loc.path === '/' : loc.path === path || loc.path.startsWith(`${path}/`));

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={href('/')}>
          truestock
        </a>
        {session.workspace ? (
          <span className="workspace" title={`workspace ${session.workspace.id}`}>
            {session.workspace.name}
          </span>
        ) : (
          <span className="workspace">server administrator</span>
        )}
        <span className="who">
          {session.principal.name} <span className="role">({session.role})</span>
        </span>
        <button type="button" className="btn btn-plain" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav className="menu" aria-label="Screens">
        <ul>
          {routes.filter((r) => r.nav).map((r) => (
            <li key={r.path}>
              <a href={href(r.path)} aria-current={current(r.path) ? 'page' : undefined}>
                {r.nav}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {page ?? <NotFound path={loc.path} />}
      </main>
    </div>
  );
}

/** How the error boundary names a screen: its menu entry, or the route with its parameters. */
function screenName(r: Route, params: Record<string, string>): string {
  if (r.nav) return r.nav;
  const values = Object.values(params);
  const parent = ROUTES.find((x) => x.nav && r.path.startsWith(`${x.path}/`));
  return `${parent?.nav ?? 'This screen'}${values.length > 0 ? ` › ${values.join(' › ')}` : ''}`;
}

function NotFound({ path }: { path: string }) {
  return (
    <div>
      <h1>Not found</h1>
      <p>
        There is no screen at <code>{path}</code>. <a href={href('/')}>Go to the overview</a>.
      </p>
    </div>
  );
}
