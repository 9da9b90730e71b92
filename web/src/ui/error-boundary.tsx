// A screen that throws while rendering shows what failed, in place of the screen, and nothing
// else goes: the header and the menu stay, so the operator can still reach every other screen —
// during an incident most of all. The shell keys it by path, so moving to another screen (or
// "Try again") renders afresh.

import { Component, type ErrorInfo, type ReactNode } from 'react';
import { href } from '../router.ts';

interface Props {
  /** The screen, as the user knows it ("Channels", "the channel shopify-eu"). */
  what: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
  attempt: number;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, attempt: 0 };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    // For whoever opens the console: the component stack says which part of the screen failed.
    console.error(`truestock: ${this.props.what} failed to render`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error, attempt } = this.state;
    if (!error) return <ErrorBoundaryChild key={attempt}>{this.props.children}</ErrorBoundaryChild>;
    return (
      <div className="screen-failed" role="alert">
        <h1 tabIndex={-1}>{this.props.what} could not be shown</h1>
        <p>
          This screen failed while drawing: <code>{error.message || error.name}</code>
        </p>
        <p className="muted">
          The menu still works, and nothing was changed. The other screens, and the API, are unaffected.
        </p>
        <p>
          <button type="button" className="btn" onClick={() => this.setState({ error: null, attempt: attempt + 1 })}>
            Try again
          </button>{' '}
          <a href={href('/')}>Go to the overview</a>
        </p>
      </div>
    );
  }
}

/** Remounts the screen on "Try again" (a new key), so it starts from fresh state. */
function ErrorBoundaryChild({ children }: { children: ReactNode }) {
  return <>{children}</>;
}
