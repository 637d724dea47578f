import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';

export type DataScope = 'self' | 'team' | 'department' | 'company';
export const dataScopes: readonly DataScope[] = ['self', 'team', 'department', 'company'];

/** GET /api/v1/permissions (docs/api-contract.md). */
export interface PermissionDef {
  code: string;
  group: string;
  label: { 'zh-CN': string; en: string };
}

/** GET /api/v1/roles. */
export interface Role {
  id: string;
  code: string;
  name: string;
  nameEn: string | null;
  description: string | null;
  builtin: boolean;
  permissions: string[];
  dataScope: DataScope;
  userCount: number;
  version: number;
}

export interface RoleInput {
  code: string;
  name: string;
  nameEn?: string;
  description?: string;
  permissions: string[];
  dataScope: DataScope;
}

export const roleKeys = { roles: ['roles'] as const, permissions: ['permissions'] as const };

export function usePermissionCatalog(enabled = true) {
  return useQuery({
    queryKey: roleKeys.permissions,
    queryFn: () => api.get<{ items: PermissionDef[] }>('/permissions'),
    select: (r) => r.items,
    staleTime: 10 * 60_000,
    enabled,
  });
}

export function useRoles(enabled = true) {
  return useQuery({ queryKey: roleKeys.roles, queryFn: () => api.get<{ items: Role[] }>('/roles'), select: (r) => r.items, enabled });
}

export function useCreateRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: RoleInput) => api.post<Role>('/roles', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: roleKeys.roles }),
  });
}

export function useUpdateRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...patch }: Partial<Omit<RoleInput, 'code'>> & { id: string; version: number }) => api.patch<Role>(`/roles/${encodeURIComponent(id)}`, patch),
    onSuccess: () => qc.invalidateQueries({ queryKey: roleKeys.roles }),
  });
}

export function useDeleteRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/roles/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: roleKeys.roles }),
  });
}
