import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';

/** GET /api/v1/tokens (docs/api-contract.md). The secret itself is only in the create response. */
export interface Token {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  userId: string;
  userName: string | null;
}

export interface CreateToken {
  name: string;
  scopes: string[];
  expiresInDays?: number;
}

export const tokenKeys = { all: ['tokens'] as const, list: (all: boolean) => ['tokens', all] as const };

export function useTokens(all: boolean) {
  return useQuery({ queryKey: tokenKeys.list(all), queryFn: () => api.get<{ items: Token[] }>('/tokens', { all }), select: (r) => r.items });
}

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateToken) => api.post<Token & { token: string }>('/tokens', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}
