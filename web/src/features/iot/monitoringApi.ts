import { useExcelImport } from '../../shared/excelImport.ts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiUrl } from '../../api/client.ts';
import type { HealthReport, HealthSettings } from '../../../../src/modules/iot/health.ts';
import type { IotImportResult } from '../../../../src/modules/iot/importExport.ts';
import type { LiveMap } from '../../../../src/modules/iot/mapLive.ts';
import type { Trend, TrendRange } from '../../../../src/modules/iot/series.ts';
import { iotKeys, type Rule } from './api.ts';

// Server shapes (src/modules/iot/{series,mapLive,health,importExport}.ts), shared as types only.
export type { HealthReport, LiveMap, Trend, TrendRange };
export type HealthSettingsView = HealthSettings & { version: number };
export interface MapSummary {
  id: string;
  name: string;
  imageFileId: string | null;
  width: number;
  height: number;
}

export const monitoringKeys = {
  trend: (pointId: string, range: TrendRange) => ['iot', 'trend', pointId, range] as const,
  maps: ['iot', 'maps'] as const,
  live: (mapId: string) => ['iot', 'live', mapId] as const,
  health: (from: string, orgUnitId: string | null) => ['iot', 'health', from, orgUnitId] as const,
  healthSettings: ['iot', 'health-settings'] as const,
};

/**
 * The trend of one point, re-read every 5 s (readings are not pushed per user) and at once when an alarm
 * of the user arrives over the live stream (useIotStream invalidates every ['iot', …] query).
 */
export function useTrend(pointId: string | null, range: TrendRange) {
  return useQuery({
    queryKey: monitoringKeys.trend(pointId ?? '', range),
    queryFn: ({ signal }) => api.get<Trend>(`/iot/points/${pointId}/trend`, { range, maxPoints: 600 }, { signal }),
    enabled: Boolean(pointId),
    refetchInterval: range === '7d' ? 60_000 : 5000,
  });
}

export function useLiveMaps() {
  return useQuery({ queryKey: monitoringKeys.maps, queryFn: ({ signal }) => api.get<{ items: MapSummary[] }>('/iot/maps', undefined, { signal }), staleTime: 60_000 });
}

export function useLiveMap(mapId: string | null) {
  return useQuery({ queryKey: monitoringKeys.live(mapId ?? ''), queryFn: ({ signal }) => api.get<LiveMap>(`/iot/maps/${mapId}/live`, undefined, { signal }), enabled: Boolean(mapId), refetchInterval: 5000 });
}

export function useHealth(from: string, orgUnitId: string | null) {
  return useQuery({ queryKey: monitoringKeys.health(from, orgUnitId), queryFn: ({ signal }) => api.get<HealthReport>('/iot/health', { from, orgUnitId }, { signal }) });
}

export function useHealthSettings() {
  return useQuery({ queryKey: monitoringKeys.healthSettings, queryFn: ({ signal }) => api.get<HealthSettingsView>('/iot/health/settings', undefined, { signal }) });
}

export function useSaveHealthSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<HealthSettings> & { version: number }) => api.patch<HealthSettingsView>('/iot/health/settings', body),
    onSettled: () => void qc.invalidateQueries({ queryKey: iotKeys.all }),
  });
}

/** Applies a suggested deadband or on-delay to its rule: a person's decision, with the rule's version. */
export function useApplySuggestion() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ ruleId, version, patch }: { ruleId: string; version: number; patch: { deadband: number } | { onDelayS: number } }) => api.patch<Rule>(`/iot/rules/${ruleId}`, { ...patch, version }),
    onSettled: () => void qc.invalidateQueries({ queryKey: iotKeys.all }),
  });
}

export function useImportIot() {
  return useExcelImport<IotImportResult>('/iot/import', iotKeys.all);
}

export const iotExportUrl = apiUrl('/iot/export.xlsx');
export const iotTemplateUrl = apiUrl('/iot/import-template.xlsx');
