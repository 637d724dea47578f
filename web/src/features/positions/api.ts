import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';

/** GET /api/v1/positions (docs/api-contract.md). */
export interface Position {
  id: string;
  code: string;
  name: string;
  /** Special operations (welder, electrician…) need a certificate. */
  special: boolean;
  active: boolean;
  version: number;
}

export interface PositionInput {
  code: string;
  name: string;
  special?: boolean;
}

export const positionKeys = { all: ['positions'] as const };

export function usePositions(enabled = true) {
  return useQuery({
    queryKey: positionKeys.all,
    queryFn: () => api.get<{ items: Position[] }>('/positions'),
    select: (r) => r.items,
    staleTime: 60_000,
    enabled,
  });
}

export function useCreatePosition() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: PositionInput) => api.post<Position>('/positions', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: positionKeys.all }),
  });
}

export function useUpdatePosition() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...patch }: Partial<PositionInput> & { id: string; active?: boolean; version: number }) =>
      api.patch<Position>(`/positions/${encodeURIComponent(id)}`, patch),
    onSuccess: () => qc.invalidateQueries({ queryKey: positionKeys.all }),
  });
}
