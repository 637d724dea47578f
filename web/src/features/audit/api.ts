import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { api, type Page } from '../../api/client.ts';

/** GET /api/v1/audit (docs/api-contract.md), newest first. */
export interface AuditEntry {
  id: string;
  seq: number;
  at: string;
  actorUserId: string | null;
  actorName: string | null;
  ip: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  hash: string;
}

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  /** Prefix: "org." matches every org action. */
  action?: string;
  actorUserId?: string;
  from?: string;
  to?: string;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number;
  problems: { seq: number | null; problem: string; detail: string }[];
}

export function useAudit(filter: AuditFilter) {
  return useInfiniteQuery({
    queryKey: ['audit', filter],
    queryFn: ({ pageParam, signal }) => api.get<Page<AuditEntry>>('/audit', { ...filter, limit: 50, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** A mutation, not a query: verifying re-hashes the whole chain, so it runs only when asked. */
export function useVerifyAudit() {
  return useMutation({ mutationFn: () => api.get<VerifyResult>('/audit/verify') });
}
