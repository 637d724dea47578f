import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, isApiError } from '../../api/client.ts';

/** GET /api/v1/me (docs/api-contract.md). */
export interface Me {
  id: string;
  username: string;
  displayName: string;
  phone: string | null;
  locale: string | null;
  tenantId: string;
  /** Not in the contract yet; shown in the header when the server sends it. */
  tenant?: { id: string; name: string } | null;
  personId: string | null;
  orgUnit: { id: string; name: string; kind: string; path: string } | null;
  position: { id: string; name: string } | null;
  roles: string[];
  permissions: string[];
  dataScope: { scope: string; rootPath: string | null };
}

export const meKey = ['me'] as const;

/** The signed-in user, or null when there is no valid session (401). */
export async function fetchMe(): Promise<Me | null> {
  try {
    return await api.get<Me>('/me', undefined, { allow401: true });
  } catch (e) {
    if (isApiError(e) && e.status === 401) return null;
    throw e;
  }
}

export function useMe() {
  return useQuery({ queryKey: meKey, queryFn: fetchMe, staleTime: 5 * 60_000 });
}

export interface LoginInput {
  username: string;
  password: string;
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: LoginInput) => api.post<{ expiresAt: string; user: Me }>('/auth/login', input, { allow401: true }),
    onSuccess: (res) => {
      // A different user may sign in on a shared phone: nothing cached from the last one may show.
      qc.clear();
      qc.setQueryData(meKey, res.user);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<void>('/auth/logout', undefined, { allow401: true }),
    onSettled: () => {
      qc.clear();
      qc.setQueryData(meKey, null);
    },
  });
}
