import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiUrl, type Page, type Query } from '../../api/client.ts';
import type {
  CheckpointT,
  CreateCheckpointBody as CreateCheckpointBodyT,
  CreateEquipmentBody as CreateEquipmentBodyT,
  EquipmentConfigT,
  EquipmentT,
  InspectionBody as InspectionBodyT,
  InspectionT,
  ScanBody as ScanBodyT,
  ScanResultT,
  UpdateEquipmentBody as UpdateEquipmentBodyT,
} from '../../../../src/modules/equipment/routes.ts';

// Server shapes (src/modules/equipment/routes.ts), shared as types only.
export type Equipment = EquipmentT;
export type EquipmentStatus = Equipment['status'];
export type DueState = Equipment['dueState'];
export type EquipmentConfig = EquipmentConfigT;
export type EquipmentKind = EquipmentConfig['kinds'][number];
export type Inspection = InspectionT;
export type Checkpoint = CheckpointT;
export type ScanResult = ScanResultT;
export type CreateEquipmentBody = CreateEquipmentBodyT;
export type UpdateEquipmentBody = UpdateEquipmentBodyT;
export type InspectionBody = InspectionBodyT;
export type CreateCheckpointBody = CreateCheckpointBodyT;
export type ScanBody = ScanBodyT;

export const equipmentStatuses: readonly EquipmentStatus[] = ['in_service', 'stopped', 'scrapped'];
export const inspectionResults: readonly Inspection['result'][] = ['passed', 'passed_with_remarks', 'failed'];

export interface EquipmentFilter {
  kind?: string;
  special?: boolean;
  status?: EquipmentStatus;
  dueWithinDays?: number;
  overdue?: boolean;
  orgUnitId?: string;
  q?: string;
}

export interface CheckpointFilter {
  orgUnitId?: string;
  archived?: boolean;
  q?: string;
}

export const equipmentKeys = {
  all: ['equipment'] as const,
  config: ['equipment', 'config'] as const,
  list: (f: EquipmentFilter) => ['equipment', 'list', f] as const,
  inspections: (id: string) => ['equipment', 'inspections', id] as const,
  checkpoints: (f: CheckpointFilter) => ['equipment', 'checkpoints', f] as const,
};

const PAGE = 50;
const asQuery = (f: EquipmentFilter | CheckpointFilter): Query => ({ ...f });

export function useEquipmentConfig() {
  return useQuery({ queryKey: equipmentKeys.config, queryFn: ({ signal }) => api.get<EquipmentConfig>('/equipment/config', undefined, { signal }), staleTime: 5 * 60_000 });
}

export function useEquipmentList(filter: EquipmentFilter) {
  return useInfiniteQuery({
    queryKey: equipmentKeys.list(filter),
    queryFn: ({ pageParam, signal }) => api.get<Page<Equipment>>('/equipment', { ...asQuery(filter), limit: PAGE, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** How many pieces match (one page of 200 is enough to know whether to warn). */
export function useEquipmentCount(filter: EquipmentFilter) {
  return useQuery({
    queryKey: [...equipmentKeys.list(filter), 'count'] as const,
    queryFn: ({ signal }) => api.get<Page<Equipment>>('/equipment', { ...asQuery(filter), limit: 200 }, { signal }),
    select: (p) => ({ count: p.items.length, more: p.nextCursor !== null }),
  });
}

export function useEquipment(id: string | null) {
  return useQuery({ queryKey: ['equipment', 'one', id] as const, queryFn: ({ signal }) => api.get<Equipment>(`/equipment/${id}`, undefined, { signal }), enabled: Boolean(id), retry: false });
}

export function exportUrl(filter: EquipmentFilter): string {
  return apiUrl('/equipment/export.xlsx', asQuery(filter));
}

export function useInspections(equipmentId: string | null) {
  return useQuery({
    queryKey: equipmentKeys.inspections(equipmentId ?? ''),
    queryFn: ({ signal }) => api.get<{ items: Inspection[] }>(`/equipment/${equipmentId}/inspections`, undefined, { signal }),
    enabled: Boolean(equipmentId),
  });
}

export function useSaveEquipment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; body: UpdateEquipmentBody } | { id: null; body: CreateEquipmentBody }) =>
      input.id ? api.patch<Equipment>(`/equipment/${input.id}`, input.body) : api.post<Equipment>('/equipment', input.body),
    onSuccess: () => qc.invalidateQueries({ queryKey: equipmentKeys.all }),
  });
}

export function useChangeStatus() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; status: EquipmentStatus; reason: string | null; version: number }) => api.post<Equipment>(`/equipment/${input.id}/status`, { status: input.status, reason: input.reason, version: input.version }),
    onSuccess: () => qc.invalidateQueries({ queryKey: equipmentKeys.all }),
  });
}

export function useRecordInspection() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; body: InspectionBody }) => api.post<{ inspection: Inspection; equipment: Equipment }>(`/equipment/${input.id}/inspections`, input.body),
    onSuccess: () => qc.invalidateQueries({ queryKey: equipmentKeys.all }),
  });
}

// ---- checkpoints ----

export function useCheckpoints(filter: CheckpointFilter) {
  return useInfiniteQuery({
    queryKey: equipmentKeys.checkpoints(filter),
    queryFn: ({ pageParam, signal }) => api.get<Page<Checkpoint>>('/checkpoints', { ...asQuery(filter), limit: PAGE, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Equipment to pick for a checkpoint: in service, by code or name. */
export function useEquipmentOptions(q: string, enabled: boolean) {
  return useQuery({
    queryKey: ['equipment', 'options', q] as const,
    queryFn: ({ signal }) => api.get<Page<Equipment>>('/equipment', { status: 'in_service', q: q || undefined, limit: 20 }, { signal }),
    enabled,
  });
}

export function useSaveCheckpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; body: Partial<CreateCheckpointBody> & { version: number } } | { id: null; body: CreateCheckpointBody }) =>
      input.id ? api.patch<Checkpoint>(`/checkpoints/${input.id}`, input.body) : api.post<Checkpoint>('/checkpoints', input.body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['equipment', 'checkpoints'] }),
  });
}

export function useCheckpointAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; action: 'rotate-code' | 'archive'; reason: string; version: number }) => api.post<Checkpoint>(`/checkpoints/${input.id}/${input.action}`, { reason: input.reason, version: input.version }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['equipment', 'checkpoints'] }),
  });
}

/** The QR picture; `v` (the version) busts the browser's cache after a rotation. */
export function checkpointQrUrl(id: string, format: 'png' | 'svg', v: number): string {
  return apiUrl(`/checkpoints/${encodeURIComponent(id)}/qr.${format}`, { v });
}

export function labelsUrl(ids: readonly string[]): string {
  return apiUrl('/checkpoints/labels.pdf', { ids: ids.join(',') });
}

export function scanCheckpoint(body: ScanBody): Promise<ScanResult> {
  return api.post<ScanResult>('/checkpoints/scan', body);
}
