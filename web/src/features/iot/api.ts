import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Page } from '../../api/client.ts';
import type { AlarmT, DeviceT, PointT, RuleT } from '../../../../src/modules/iot/routes.ts';

// Server shapes (src/modules/iot/routes.ts), shared as types only.
export type Alarm = AlarmT;
export type Device = DeviceT;
export type Point = PointT;
export type Rule = RuleT;
export interface PointType {
  code: string;
  nameZh: string;
  nameEn: string;
  defaultUnit: string;
  rawRetentionDays: number;
  rollupRetentionDays: number;
}

export const iotKeys = {
  all: ['iot'] as const,
  points: ['iot', 'points'] as const,
  devices: ['iot', 'devices'] as const,
  alarms: ['iot', 'alarms'] as const,
  types: ['iot', 'types'] as const,
  series: (pointId: string) => ['iot', 'series', pointId] as const,
};

/** Live values: refreshed every 5 s (readings are not pushed per user; alarm changes are, see useIotStream). */
export function usePoints() {
  return useQuery({ queryKey: iotKeys.points, queryFn: ({ signal }) => api.get<{ items: Point[] }>('/iot/points', undefined, { signal }), refetchInterval: 5000 });
}

export function useDevices() {
  return useQuery({ queryKey: iotKeys.devices, queryFn: ({ signal }) => api.get<{ items: Device[] }>('/iot/devices', undefined, { signal }) });
}

export function usePointTypes() {
  return useQuery({ queryKey: iotKeys.types, queryFn: ({ signal }) => api.get<{ items: PointType[] }>('/iot/point-types', undefined, { signal }), staleTime: 5 * 60_000 });
}

export function useOpenAlarms() {
  return useQuery({ queryKey: iotKeys.alarms, queryFn: ({ signal }) => api.get<Page<Alarm>>('/iot/alarms', { state: 'open', limit: 200 }, { signal }), refetchInterval: 15_000 });
}

export function useSeries(pointId: string | null) {
  return useQuery({
    queryKey: iotKeys.series(pointId ?? ''),
    queryFn: ({ signal }) => api.get<{ items: { ts: string; value: number }[] }>(`/iot/points/${pointId}/series`, { from: new Date(Date.now() - 6 * 3600_000).toISOString(), grain: 'minute' }, { signal }),
    enabled: Boolean(pointId),
  });
}

export type AlarmAction = { kind: 'ack'; note?: string } | { kind: 'comment'; text: string } | { kind: 'shelve'; until: string; reason: string } | { kind: 'unshelve' } | { kind: 'clear'; note: string };

export function useAlarmAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ alarm, action }: { alarm: Alarm; action: AlarmAction }) => {
      const { kind, ...body } = action;
      const path = kind === 'comment' ? 'comments' : kind;
      return api.post<Alarm>(`/iot/alarms/${alarm.id}/${path}`, kind === 'comment' ? body : { ...body, version: alarm.version });
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: iotKeys.alarms });
      void qc.invalidateQueries({ queryKey: iotKeys.points });
    },
  });
}

/** 开隐患: opens a hazard report from the alarm (pre-filled on the server; every field optional). */
export function useOpenHazard() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ alarm, body }: { alarm: Alarm; body: { title?: string; description?: string; level?: 'general' | 'serious' | 'major' } }) =>
      api.post<{ alarm: Alarm; hazard: { id: string; number: string } }>(`/iot/alarms/${alarm.id}/hazard`, body),
    onSettled: () => void qc.invalidateQueries({ queryKey: iotKeys.alarms }),
  });
}

export function useCreateDevice() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { code: string; name: string; model?: string; orgUnitId: string }) => api.post<Device>('/iot/devices', body),
    onSuccess: () => void qc.invalidateQueries({ queryKey: iotKeys.devices }),
  });
}

export function useIssueToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (deviceId: string) => api.post<{ device: Device; token: string }>(`/iot/devices/${deviceId}/token`, {}),
    onSuccess: () => void qc.invalidateQueries({ queryKey: iotKeys.devices }),
  });
}

export function useCreatePoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { deviceId: string; key: string; code: string; name: string; type: string; unit?: string; orgUnitId: string }) => api.post<Point>('/iot/points', body),
    onSuccess: () => void qc.invalidateQueries({ queryKey: iotKeys.points }),
  });
}
