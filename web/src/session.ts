// Who is signed in, and what their role allows. The session itself is an HttpOnly cookie.

import { createContext, useContext } from 'react';
import type { Role, Session } from './api.ts';

const RANK: Record<Role, number> = { read: 0, operate: 1, admin: 2 };

export interface SessionState {
  session: Session;
  signOut(): void;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in app');
  return s;
}

/** Whether the signed-in role may do what needs `need`. */
export function useCan(): (need: Role) => boolean {
  const { session } = useSession();
  return (need) => RANK[session.role] >= RANK[need];
}
