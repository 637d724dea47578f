import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { notificationKeys, type Notification, type NotificationSummary } from './api.ts';

export type StreamState = 'connecting' | 'open' | 'closed';

/**
 * Live notifications over Server-Sent Events (`GET /api/v1/stream`, the session cookie authenticates it).
 * The browser retries a dropped connection by itself, but gives up for good on an HTTP error (e.g. a
 * restart answering 502): then we reconnect with backoff up to a minute, passing the last event id so
 * the server replays what we missed. On every (re)open the counts are refetched anyway, in case the
 * replay window was exceeded.
 */
export function useNotificationStream(onNotification: (n: Notification) => void): StreamState {
  const qc = useQueryClient();
  const [state, setState] = useState<StreamState>('connecting');
  // The latest callback without reconnecting when it changes (it closes over translations, routes…).
  const handler = useRef(onNotification);
  useEffect(() => {
    handler.current = onNotification;
  }, [onNotification]);

  useEffect(() => {
    let es: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = 2000;
    let stopped = false;
    let lastEventId = '';

    const connect = () => {
      if (stopped) return;
      setState('connecting');
      const url = lastEventId ? `/api/v1/stream?lastEventId=${encodeURIComponent(lastEventId)}` : '/api/v1/stream';
      es = new EventSource(url, { withCredentials: true });
      es.onopen = () => {
        delay = 2000;
        setState('open');
        void qc.invalidateQueries({ queryKey: notificationKeys.all });
      };
      es.addEventListener('notification', (ev: MessageEvent<string>) => {
        if (ev.lastEventId) lastEventId = ev.lastEventId;
        let n: Notification;
        try {
          n = JSON.parse(ev.data) as Notification;
        } catch {
          return;
        }
        if (!n.readAt) qc.setQueryData<{ count: number }>(notificationKeys.count, (old) => ({ count: (old?.count ?? 0) + 1 }));
        void qc.invalidateQueries({ queryKey: notificationKeys.recent });
        void qc.invalidateQueries({ queryKey: notificationKeys.unread });
        handler.current(n);
      });
      // Alarm storm: the server held back many pop-ups and sends one summary per window instead. The inbox
      // has every item, so the unread count is refetched rather than counted here.
      es.addEventListener('notification.summary', (ev: MessageEvent<string>) => {
        let sum: NotificationSummary;
        try {
          sum = JSON.parse(ev.data) as NotificationSummary;
        } catch {
          return;
        }
        void qc.invalidateQueries({ queryKey: notificationKeys.all });
        handler.current({
          id: sum.id,
          type: 'notification.summary',
          severity: sum.severity,
          title: sum.title,
          body: sum.body,
          link: null,
          data: { count: sum.count, place: sum.place, type: sum.type },
          createdAt: new Date().toISOString(),
          readAt: null,
        });
      });
      es.onerror = () => {
        if (es && es.readyState === EventSource.CLOSED) {
          es.close();
          setState('closed');
          timer = setTimeout(connect, delay);
          delay = Math.min(delay * 2, 60_000);
        } else {
          setState('connecting');
        }
      };
    };
    connect();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      es?.close();
    };
  }, [qc]);

  return state;
}
