import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, request } from '../../api/client.ts';
import type { AreaDrillDown, MapSummary, MapView } from '../../../../src/modules/risks/mapView.ts';

// Server shapes of the four-colour map (src/modules/risks/mapView.ts), shared as types only.
export type { AreaDrillDown, MapSummary, MapView };
export type MapAreaView = MapView['areas'][number];
export type Point = [number, number];

export const mapKeys = {
  all: ['risks', 'maps'] as const,
  list: ['risks', 'maps', 'list'] as const,
  view: (id: string) => ['risks', 'maps', 'view', id] as const,
  drill: (id: string) => ['risks', 'maps', 'drill', id] as const,
};

export function useRiskMaps() {
  return useQuery({ queryKey: mapKeys.list, queryFn: () => api.get<{ items: MapSummary[] }>('/risks/maps') });
}

export function useMapView(id: string | null) {
  return useQuery({ queryKey: mapKeys.view(id ?? ''), queryFn: () => api.get<MapView>(`/risks/maps/${id}/view`), enabled: id !== null });
}

export function useAreaDrill(id: string | null) {
  return useQuery({ queryKey: mapKeys.drill(id ?? ''), queryFn: () => api.get<AreaDrillDown>(`/risks/maps/areas/${id}/drilldown`), enabled: id !== null });
}

/** Uploads one image through platform/files; returns its file id. */
export async function uploadPlan(file: File): Promise<string> {
  const form = new FormData();
  form.append('file', file, file.name);
  const res = await request<{ items: { id: string }[] }>('POST', '/files', { form });
  const id = res.items[0]?.id;
  if (!id) throw new Error('upload returned no file');
  return id;
}

export function useSaveMap() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: { name?: string; orgUnitId?: string; imageFileId?: string | null; version?: number } }) =>
      id ? api.patch<MapSummary>(`/risks/maps/${id}`, body) : api.post<MapSummary>('/risks/maps', body),
    onSuccess: () => void qc.invalidateQueries({ queryKey: mapKeys.all }),
  });
}

export interface AreaBody {
  name: string;
  polygon: Point[];
  riskUnitIds: string[];
  orgUnitId?: string | null;
}

export function useSaveArea(mapId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body, version }: { id: string | null; body: AreaBody; version?: number }) =>
      id ? api.patch(`/risks/maps/areas/${id}`, { ...body, version }) : api.post(`/risks/maps/${mapId}/areas`, body),
    onSuccess: () => void qc.invalidateQueries({ queryKey: mapKeys.all }),
  });
}

export function useArchiveArea() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, version, reason }: { id: string; version: number; reason: string }) => api.post(`/risks/maps/areas/${id}/archive`, { version, reason }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: mapKeys.all }),
  });
}
