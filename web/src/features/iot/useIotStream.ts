import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { iotKeys } from './api.ts';

/**
 * Alarm changes over the app's Server-Sent Events stream (`/api/v1/stream`): every IoT notification that
 * reaches this user (raised, escalated) refreshes the alarm console and the live values at once, instead
 * of waiting for the next poll. Returns whether the stream is open (shown as "live").
 */
export function useIotStream(): boolean {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const es = new EventSource('/api/v1/stream', { withCredentials: true });
    es.onopen = () => setOpen(true);
    es.onerror = () => setOpen(es.readyState === EventSource.OPEN);
    es.addEventListener('notification', (ev: MessageEvent<string>) => {
      let type = '';
      try {
        type = (JSON.parse(ev.data) as { type?: string }).type ?? '';
      } catch {
        return;
      }
      if (!type.startsWith('iot.')) return;
      void qc.invalidateQueries({ queryKey: iotKeys.alarms });
      void qc.invalidateQueries({ queryKey: iotKeys.points });
      // Trend charts (alarm periods) and the live map (alarm colours) follow at once too.
      void qc.invalidateQueries({ queryKey: ['iot', 'trend'] });
      void qc.invalidateQueries({ queryKey: ['iot', 'live'] });
    });
    return () => es.close();
  }, [qc]);
  return open;
}
