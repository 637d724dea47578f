import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, request, type Page } from '../../api/client.ts';
import type { CreatePermitBody as CreatePermitBodyT, PermitDetailT, PermitSummaryT, PublicStatusT } from '../../../../src/modules/permits/routes.ts';
import type { PermitConfig as PermitConfigT } from '../../../../src/modules/permits/defaults.ts';

// Server shapes (src/modules/permits/routes.ts), shared as types only.
export type PermitSummary = PermitSummaryT;
export type PermitDetail = PermitDetailT;
export type PublicStatus = PublicStatusT;
export type CreatePermitBody = CreatePermitBodyT;
export type PermitConfig = PermitConfigT;
export type PermitType = PermitSummary['type'];
export type PermitStatus = PermitSummary['status'];

export const permitTypes: readonly PermitType[] = ['hot_work', 'confined_space', 'blinding', 'height', 'lifting', 'temp_power', 'excavation', 'road_closure'];
export const workerRoles = ['leader', 'worker', 'fire_watch', 'rigger', 'signaler', 'electrician', 'other'] as const;

export const permitKeys = {
  all: ['permits'] as const,
  config: ['permits', 'config'] as const,
  list: (status: string) => ['permits', 'list', status] as const,
  site: ['permits', 'site'] as const,
  detail: (id: string) => ['permits', 'detail', id] as const,
};

export function usePermitConfig() {
  return useQuery({ queryKey: permitKeys.config, queryFn: ({ signal }) => api.get<{ config: PermitConfig; version: number }>('/permits/config', undefined, { signal }) });
}

export function usePermits(status: string) {
  return useQuery({ queryKey: permitKeys.list(status), queryFn: ({ signal }) => api.get<Page<PermitSummary>>('/permits', { limit: 200, status: status || undefined }, { signal }) });
}

export interface SiteArea {
  orgUnitId: string | null;
  areaName: string | null;
  permits: PermitSummary[];
}

export function useSite() {
  return useQuery({ queryKey: permitKeys.site, queryFn: ({ signal }) => api.get<{ areas: SiteArea[]; warnings: number }>('/permits/site', undefined, { signal }) });
}

export function usePermit(id: string) {
  return useQuery({ queryKey: permitKeys.detail(id), queryFn: ({ signal }) => api.get<PermitDetail>(`/permits/${id}`, undefined, { signal }) });
}

export function useCreatePermit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreatePermitBody) => api.post<PermitDetail>('/permits', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: permitKeys.all }),
  });
}

/** Any POST /permits/:id/<action>; the answer is the permit, put straight into the cache. */
export function usePermitAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (a: { id: string; path: string; body?: Record<string, unknown> }) => api.post<PermitDetail>(`/permits/${a.id}/${a.path}`, a.body ?? {}),
    onSuccess: (p) => {
      qc.setQueryData(permitKeys.detail(p.id), p);
      void qc.invalidateQueries({ queryKey: permitKeys.all });
    },
  });
}

export async function uploadImage(blob: Blob, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', blob, name);
  const r = await request<{ items: { id: string }[] }>('POST', '/files', { form });
  const file = r.items[0];
  if (!file) throw new Error('upload returned no file');
  return file.id;
}

/** The public e-permit: the token from the fragment goes in the body, never in a logged URL. */
export function publicStatus(token: string): Promise<PublicStatus> {
  return api.post<PublicStatus>('/permit-status', { token }, { allow401: true });
}

export function pdfUrl(id: string, version: number): string {
  return `/api/v1/permits/${id}/pdf?v=${version}`;
}

export function statusLink(token: string): string {
  return `${window.location.origin}/permit-status#${token}`;
}
