import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';

export const orgUnitKinds = ['company', 'plant', 'workshop', 'department', 'team', 'contractor'] as const;
export type OrgUnitKind = (typeof orgUnitKinds)[number];

/** GET /api/v1/org/units (docs/api-contract.md). */
export interface OrgUnit {
  id: string;
  parentId: string | null;
  kind: OrgUnitKind;
  code: string;
  name: string;
  path: string;
  depth: number;
  sort: number;
  managerPersonId: string | null;
  managerName: string | null;
  active: boolean;
  headcount: number;
  version: number;
}

export interface CreateOrgUnit {
  parentId: string;
  kind: OrgUnitKind;
  code: string;
  name: string;
  sort?: number;
  managerPersonId?: string;
}

export interface UpdateOrgUnit {
  name?: string;
  code?: string;
  sort?: number;
  managerPersonId?: string | null;
  active?: boolean;
  parentId?: string;
  version: number;
}

export const orgKeys = { units: ['org', 'units'] as const };

export function useOrgUnits(enabled = true) {
  return useQuery({
    queryKey: orgKeys.units,
    queryFn: () => api.get<{ items: OrgUnit[] }>('/org/units'),
    select: (r) => r.items,
    staleTime: 60_000,
    enabled,
  });
}

export function useCreateOrgUnit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateOrgUnit) => api.post<OrgUnit>('/org/units', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: orgKeys.units }),
  });
}

export function useUpdateOrgUnit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...patch }: UpdateOrgUnit & { id: string }) => api.patch<OrgUnit>(`/org/units/${encodeURIComponent(id)}`, patch),
    // Moving a unit re-paths its subtree and changes headcounts up the tree: reload the whole tree.
    onSuccess: () => qc.invalidateQueries({ queryKey: orgKeys.units }),
  });
}
