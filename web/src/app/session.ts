import { createContext, useContext } from 'react';
import type { Me } from '../features/auth/api.ts';
import { grants, grantsAny } from '../shared/permissions.ts';

export const SessionContext = createContext<Me | null>(null);

/** The signed-in user; only used below RequireAuth, where a session is guaranteed. */
export function useSession(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useSession outside a signed-in area');
  return me;
}

/** `can('people:write')` for showing or hiding actions; the server decides for real. */
export function useCan(): { can: (p: string) => boolean; canAny: (ps: readonly string[] | null) => boolean } {
  const me = useSession();
  return { can: (p) => grants(me.permissions, p), canAny: (ps) => grantsAny(me.permissions, ps) };
}
