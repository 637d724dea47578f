import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, request, type Page } from '../../api/client.ts';

/** GET /api/v1/notifications (docs/api-contract.md). */
export interface Notification {
  id: string;
  type: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  body: string | null;
  link: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

export const notificationKeys = {
  all: ['notifications'] as const,
  count: ['notifications', 'unread-count'] as const,
  recent: ['notifications', 'recent'] as const,
  unread: ['notifications', 'unread'] as const,
};

export function useUnreadCount() {
  return useQuery({
    queryKey: notificationKeys.count,
    queryFn: () => api.get<{ count: number }>('/notifications/unread-count'),
    // The live stream pushes changes; this poll only heals a stream that silently died behind a proxy.
    refetchInterval: 5 * 60_000,
  });
}

export function useRecentNotifications(enabled: boolean) {
  return useQuery({
    queryKey: notificationKeys.recent,
    queryFn: () => api.get<Page<Notification>>('/notifications', { limit: 10 }),
    enabled,
  });
}

export function useUnreadNotifications(limit: number) {
  return useQuery({
    queryKey: [...notificationKeys.unread, limit],
    queryFn: () => api.get<Page<Notification>>('/notifications', { unread: true, limit }),
  });
}

export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<void>(`/notifications/${encodeURIComponent(id)}/read`),
    onSuccess: () => qc.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

/** "Send me a test": lets a worker check that the bell and the live stream reach this phone. */
export function useSendTestNotification() {
  return useMutation({ mutationFn: () => api.post<{ id: string }>('/notifications/test') });
}

export function useMarkAllRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<void>('/notifications/read-all'),
    onSuccess: () => qc.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

// --- personal preferences (GET/PUT /api/v1/me/notification-preferences) ------------------------------

export type PreferenceSeverity = 'info' | 'warning' | 'critical';
export const preferenceChannels = ['in_app', 'email', 'sms', 'robot'] as const;
export type PreferenceChannel = (typeof preferenceChannels)[number];
export type Preferences = Record<PreferenceChannel, PreferenceSeverity[]>;

export interface MyPreferences {
  preferences: Preferences;
  /** Severities that cannot be switched off per channel (critical in-app pop-ups). */
  locked: Preferences;
  defaults: Preferences;
}

const preferenceKey = ['notifications', 'preferences'] as const;

export function useMyPreferences() {
  return useQuery({ queryKey: preferenceKey, queryFn: () => api.get<MyPreferences>('/me/notification-preferences') });
}

export function useSavePreferences() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (preferences: Partial<Preferences>) => request<MyPreferences>('PUT', '/me/notification-preferences', { body: { preferences } }),
    onSuccess: (data) => qc.setQueryData(preferenceKey, data),
  });
}

/** A live-stream frame that stands for many suppressed notifications during an alarm storm. */
export interface NotificationSummary {
  id: string;
  type: string;
  severity: PreferenceSeverity;
  title: string;
  body: string;
  count: number;
  place: string | null;
}
