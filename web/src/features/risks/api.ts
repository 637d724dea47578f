import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiUrl } from '../../api/client.ts';
import { useExcelImport } from '../../shared/excelImport.ts';
import type {
  AssessBody,
  AssessResponse,
  ConfigResponse,
  EventDetailT,
  MethodBody,
  MethodT,
  TreeT,
} from '../../../../src/modules/risks/routes.ts';
import type { RiskImportResult } from '../../../../src/modules/risks/excel.ts';

// Server shapes (src/modules/risks/routes.ts), shared as types only.
export type { AssessBody, AssessResponse, ConfigResponse, EventDetailT, MethodT, TreeT };
export type RiskLevel = 'major' | 'serious' | 'general' | 'low';
export const riskLevels: readonly RiskLevel[] = ['major', 'serious', 'general', 'low'];
export type LevelFilter = RiskLevel | 'unassessed';
export type TreeObject = TreeT['objects'][number];
export type TreeUnit = TreeObject['units'][number];
export type TreeEvent = TreeUnit['events'][number];
export type TreeMeasure = TreeEvent['measures'][number];
export type RegisterKind = 'object' | 'unit' | 'event' | 'measure';

const registerPath: Record<RegisterKind, string> = { object: '/risks/objects', unit: '/risks/units', event: '/risks/events', measure: '/risks/measures' };

/** Create (POST) or edit (PATCH with version) one level of the register; the tree and events reload. */
export function useSaveRegister() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { kind: RegisterKind; id?: string; body: Record<string, unknown> }) => (v.id ? api.patch<{ id: string }>(`${registerPath[v.kind]}/${v.id}`, v.body) : api.post<{ id: string }>(registerPath[v.kind], v.body)),
    onSuccess: () => qc.invalidateQueries({ queryKey: riskKeys.all }),
  });
}
export type Band = MethodT['bands'][number];

export const riskKeys = {
  all: ['risks'] as const,
  tree: (levels: readonly LevelFilter[]) => ['risks', 'tree', [...levels].sort().join(',')] as const,
  event: (id: string) => ['risks', 'event', id] as const,
  config: ['risks', 'config'] as const,
};

export function useRiskTree(levels: readonly LevelFilter[]) {
  return useQuery({
    queryKey: riskKeys.tree(levels),
    // `?level=a&level=b`: the list filter repeats the key (the client's Query holds scalars only).
    queryFn: () => api.get<TreeT>(`/risks/tree${levels.length ? `?${levels.map((l) => `level=${l}`).join('&')}` : ''}`),
    placeholderData: keepPreviousData,
  });
}

export function useRiskEvent(id: string | null) {
  return useQuery({ queryKey: riskKeys.event(id ?? ''), queryFn: () => api.get<EventDetailT>(`/risks/events/${id}`), enabled: id !== null });
}

export function useRiskConfig() {
  return useQuery({ queryKey: riskKeys.config, queryFn: () => api.get<ConfigResponse>('/risks/config'), staleTime: 60_000 });
}

export function useAssess() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ eventId, body }: { eventId: string; body: AssessBody }) => api.post<AssessResponse>(`/risks/events/${eventId}/assessments`, body),
    onSuccess: () => void qc.invalidateQueries({ queryKey: riskKeys.all }),
  });
}

export function useUpdateMethod() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: MethodBody }) => api.patch<MethodT>(`/risks/config/methods/${id}`, body),
    onSuccess: () => void qc.invalidateQueries({ queryKey: riskKeys.config }),
  });
}

export function useUpdateSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { reassessIntervalMonths?: number; defaultMethodCode?: string; version: number }) => api.patch<ConfigResponse>('/risks/config/settings', body),
    onSuccess: () => void qc.invalidateQueries({ queryKey: riskKeys.config }),
  });
}

export function useImportRisks() {
  return useExcelImport<RiskImportResult>('/risks/import', riskKeys.all);
}

export const exportUrl = apiUrl('/risks/export.xlsx');
export const templateUrl = apiUrl('/risks/import-template.xlsx');
