// Sign in with an API key or a user account. The server answers with an HttpOnly session cookie;
// the key typed here is sent once in the request body and dropped from memory afterwards.

import { type FormEvent, useEffect, useState } from 'react';
import { api, ApiError, describeError, type Session } from '../api.ts';
import { TextField } from '../ui/forms.tsx';

export function SignInPage({ reason, onSignedIn }: { reason?: string | undefined; onSignedIn: (s: Session) => void }) {
  const [apiKey, setApiKey] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // One email may have an account in several workspaces: when its password opens more than one,
  // the server asks which (field `workspace`, the ids in its detail) and the form asks the person.
  const [askWorkspace, setAskWorkspace] = useState(false);
  const [workspace, setWorkspace] = useState('');

  useEffect(() => {
    document.title = 'Sign in · truestock';
  }, []);

  async function submit(e: FormEvent, creds: { api_key: string } | { email: string; password: string; workspace?: string }) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api.session.signIn(creds);
      setApiKey('');
      setPassword('');
      onSignedIn(session);
    } catch (err) {
      if (err instanceof ApiError && err.problem.field === 'workspace') setAskWorkspace(true);
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in" id="main">
      <h1>Sign in to truestock</h1>
      {reason && <p className="notice" role="status">{reason}</p>}
      {error && (
        <p className="outcome outcome-error" role="alert">
          {error}
        </p>
      )}
      <div className="sign-in-forms">
        <form onSubmit={(e) => submit(e, { api_key: apiKey.trim() })} aria-labelledby="with-key">
          <h2 id="with-key">With an API key</h2>
          <TextField label="API key" type="password" value={apiKey} onChange={setApiKey} required placeholder="tsk_…" autoComplete="off" name="api_key" />
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Sign in with key
          </button>
        </form>
        <form onSubmit={(e) => submit(e, { email: email.trim(), password, ...(askWorkspace && workspace.trim() ? { workspace: workspace.trim() } : {}) })} aria-labelledby="with-account">
          <h2 id="with-account">With your account</h2>
          <TextField label="Email" type="email" value={email} onChange={setEmail} required autoComplete="username" name="email" />
          <TextField label="Password" type="password" value={password} onChange={setPassword} required autoComplete="current-password" name="password" />
          {askWorkspace && <TextField label="Workspace id" value={workspace} onChange={setWorkspace} required placeholder="ws_…" autoComplete="off" name="workspace" />}
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Sign in
          </button>
        </form>
      </div>
    </main>
  );
}
