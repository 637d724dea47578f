import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Page } from '../../api/client.ts';

/** GET /api/v1/users (docs/api-contract.md). */
export interface User {
  id: string;
  username: string;
  displayName: string;
  phone: string | null;
  status: 'active' | 'disabled';
  roles: { id: string; code: string; name: string }[];
  personId: string | null;
  personName: string | null;
  orgUnitId: string | null;
  orgUnitName: string | null;
  lastLoginAt: string | null;
  lockedUntil: string | null;
  version: number;
}

export interface CreateUser {
  personId?: string;
  username: string;
  displayName: string;
  phone?: string;
  password: string;
  roleIds: string[];
}

export interface UpdateUser {
  roleIds?: string[];
  status?: User['status'];
  displayName?: string;
  phone?: string | null;
  version: number;
}

export const userKeys = { all: ['users'] as const, list: (q: string) => ['users', 'list', q] as const };

export function useUsers(q: string) {
  return useInfiniteQuery({
    queryKey: userKeys.list(q),
    queryFn: ({ pageParam, signal }) => api.get<Page<User>>('/users', { q: q || undefined, limit: 50, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

function useUserMutation<I>(fn: (input: I) => Promise<unknown>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: userKeys.all });
      // Role user counts change with assignments.
      void qc.invalidateQueries({ queryKey: ['roles'] });
    },
  });
}

export const useCreateUser = () => useUserMutation((input: CreateUser) => api.post<User>('/users', input));
export const useUpdateUser = () => useUserMutation(({ id, ...patch }: UpdateUser & { id: string }) => api.patch<User>(`/users/${encodeURIComponent(id)}`, patch));
export const useResetPassword = () =>
  useUserMutation(({ id, password }: { id: string; password: string }) => api.post<void>(`/users/${encodeURIComponent(id)}/reset-password`, { password }));
export const useUnlockUser = () => useUserMutation((id: string) => api.post<void>(`/users/${encodeURIComponent(id)}/unlock`));
