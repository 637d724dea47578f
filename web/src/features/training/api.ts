import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Page } from '../../api/client.ts';
import type {
  CertificateT,
  CreateCertificateBody as CreateCertificateBodyT,
  InductionT,
  TrainingConfigT,
  UpdateCertificateBody as UpdateCertificateBodyT,
} from '../../../../src/modules/training/routes.ts';

// Server shapes (src/modules/training/routes.ts), shared as types only.
export type Certificate = CertificateT;
export type CertificateStatus = Certificate['status'];
export type TrainingConfig = TrainingConfigT;
export type CertificateType = TrainingConfig['types'][number];
export type Induction = InductionT;
export type CreateCertificateBody = CreateCertificateBodyT;
export type UpdateCertificateBody = UpdateCertificateBodyT;

export const certificateStatuses: readonly CertificateStatus[] = ['valid', 'expiring', 'review_due', 'expired', 'revoked'];

export interface CertificateFilter {
  typeId?: string;
  status?: CertificateStatus;
  expiringWithinDays?: number;
  departmentId?: string;
  personId?: string;
  q?: string;
}

export const trainingKeys = {
  all: ['training'] as const,
  config: ['training', 'config'] as const,
  list: (f: CertificateFilter) => ['training', 'certificates', f] as const,
  person: (id: string) => ['training', 'person', id] as const,
  mine: ['training', 'mine'] as const,
  inductions: (id: string) => ['training', 'inductions', id] as const,
};

export function useTrainingConfig() {
  return useQuery({ queryKey: trainingKeys.config, queryFn: ({ signal }) => api.get<TrainingConfig>('/training/config', undefined, { signal }), staleTime: 5 * 60_000 });
}

const PAGE = 50;

export function useCertificates(filter: CertificateFilter) {
  return useInfiniteQuery({
    queryKey: trainingKeys.list(filter),
    queryFn: ({ pageParam, signal }) => api.get<Page<Certificate>>('/training/certificates', { ...filter, limit: PAGE, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Count of certificates in a state (one row is enough to know whether to warn). */
export function useCertificateCount(filter: CertificateFilter) {
  return useQuery({
    queryKey: [...trainingKeys.list(filter), 'count'] as const,
    queryFn: ({ signal }) => api.get<Page<Certificate>>('/training/certificates', { ...filter, limit: 200 }, { signal }),
    select: (p) => ({ count: p.items.length, more: p.nextCursor !== null }),
  });
}

export function usePersonCertificates(personId: string | null, mine = false) {
  return useQuery({
    queryKey: mine ? trainingKeys.mine : trainingKeys.person(personId ?? ''),
    queryFn: ({ signal }) => api.get<{ items: Certificate[] }>(mine ? '/training/my/certificates' : `/training/people/${personId}/certificates`, undefined, { signal }),
    enabled: mine || Boolean(personId),
  });
}

export function useInductions(personId: string | null) {
  return useQuery({
    queryKey: trainingKeys.inductions(personId ?? ''),
    queryFn: ({ signal }) => api.get<{ items: Induction[] }>(`/training/people/${personId}/inductions`, undefined, { signal }),
    enabled: Boolean(personId),
  });
}

export function useSaveCertificate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; body: UpdateCertificateBody } | { id: null; body: CreateCertificateBody }) =>
      input.id ? api.patch<Certificate>(`/training/certificates/${input.id}`, input.body) : api.post<Certificate>('/training/certificates', input.body),
    onSuccess: () => qc.invalidateQueries({ queryKey: trainingKeys.all }),
  });
}

export function useRevokeCertificate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; reason: string; version: number }) => api.post<Certificate>(`/training/certificates/${input.id}/revoke`, { reason: input.reason, version: input.version }),
    onSuccess: () => qc.invalidateQueries({ queryKey: trainingKeys.all }),
  });
}
