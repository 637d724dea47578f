import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, request } from '../../api/client.ts';
import type { LinkageExecutionT, LinkageRuleBody, LinkageRuleT, LinkageSettingsT } from '../../../../src/modules/iot/linkageRoutes.ts';

// Server shapes (src/modules/iot/linkageRoutes.ts), shared as types only.
export type LinkageRule = LinkageRuleT;
export type LinkageExecution = LinkageExecutionT;
export type LinkageSettings = LinkageSettingsT;
export type LinkageRuleInput = LinkageRuleBody;

export const linkageKeys = {
  rules: ['iot', 'linkage', 'rules'] as const,
  settings: ['iot', 'linkage', 'settings'] as const,
  alarm: (alarmId: string) => ['iot', 'linkage', 'alarm', alarmId] as const,
};

export function useLinkageRules() {
  return useQuery({ queryKey: linkageKeys.rules, queryFn: ({ signal }) => api.get<{ items: LinkageRule[] }>('/iot/linkage-rules', undefined, { signal }) });
}

export function useLinkageSettings() {
  return useQuery({ queryKey: linkageKeys.settings, queryFn: ({ signal }) => api.get<LinkageSettings>('/iot/linkage-settings', undefined, { signal }) });
}

export function useSaveLinkageRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, version, body }: { id?: string; version?: number; body: LinkageRuleInput }) => (id ? api.patch<LinkageRule>(`/iot/linkage-rules/${id}`, { ...body, version }) : api.post<LinkageRule>('/iot/linkage-rules', body)),
    onSuccess: () => qc.invalidateQueries({ queryKey: linkageKeys.rules }),
  });
}

export function useArchiveLinkageRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (r: LinkageRule) => api.post<LinkageRule>(`/iot/linkage-rules/${r.id}/archive`, { version: r.version }),
    onSuccess: () => qc.invalidateQueries({ queryKey: linkageKeys.rules }),
  });
}

export function useSaveLinkageSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { defaultTimeoutS: number; version: number }) => request<LinkageSettings>('PUT', '/iot/linkage-settings', { body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: linkageKeys.settings }),
  });
}

/** Commands of one alarm; polled while one still waits for its device (the SSE frame refreshes sooner). */
export function useAlarmLinkage(alarmId: string | null) {
  return useQuery({
    queryKey: linkageKeys.alarm(alarmId ?? ''),
    queryFn: ({ signal }) => api.get<{ items: LinkageExecution[] }>(`/iot/alarms/${alarmId}/linkage`, undefined, { signal }),
    enabled: Boolean(alarmId),
    refetchInterval: (q) => (q.state.data?.items.some((e) => e.state === 'pending') ? 2000 : false),
  });
}

export function useResendLinkage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (e: LinkageExecution) => api.post<LinkageExecution>(`/iot/linkage-executions/${e.id}/resend`, { version: e.version }),
    onSuccess: (_r, e) => qc.invalidateQueries({ queryKey: linkageKeys.alarm(e.alarmId) }),
  });
}
