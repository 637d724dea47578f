import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { flushOutbox, httpSender, idbOutbox, type OutboxItem } from './outbox.ts';
import type { ReportResponse } from './api.ts';

/**
 * The outbox as React sees it: how many reports wait, whether they are being sent, and the last ones
 * that went out. One module-level state, so the report page, the task list and the app shell agree.
 */
interface OutboxState {
  items: OutboxItem[];
  sending: boolean;
  lastSent: ReportResponse[];
}

let state: OutboxState = { items: [], sending: false, lastSent: [] };
const listeners = new Set<() => void>();

function set(patch: Partial<OutboxState>) {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

export async function refreshOutbox(userId: string): Promise<void> {
  try {
    const items = (await idbOutbox.all()).filter((i) => i.userId === userId);
    set({ items });
  } catch {
    // No IndexedDB (private mode on old browsers): nothing can be queued either.
  }
}

let running: Promise<void> | null = null;

/**
 * Sends the waiting reports once (single flight in this tab; Web Locks across tabs where available — the
 * server's Idempotency-Key makes a double send harmless anyway).
 */
export function syncOutbox(userId: string, language: string, onSent?: (sent: ReportResponse[]) => void): Promise<void> {
  if (running) return running;
  const work = async () => {
    await refreshOutbox(userId);
    if (state.items.filter((i) => i.failed === null).length === 0) return;
    set({ sending: true });
    try {
      const { sent } = await flushOutbox(idbOutbox, httpSender(language), userId);
      if (sent.length > 0) {
        set({ lastSent: sent });
        onSent?.(sent);
      }
    } finally {
      await refreshOutbox(userId);
      set({ sending: false });
    }
  };
  const locked = typeof navigator !== 'undefined' && 'locks' in navigator ? () => navigator.locks.request('safeloop-hazard-outbox', work) : work;
  running = Promise.resolve(locked())
    .catch(() => undefined)
    .finally(() => {
      running = null;
    });
  return running;
}

export function useOutboxState(): OutboxState {
  return useSyncExternalStore(subscribe, () => state);
}

/**
 * Mounted once in the app shell: sends queued reports on start, when the browser says it is back
 * online, and every 30 s while something waits (the `online` event is unreliable on a flaky signal).
 */
export function useOutboxSync(userId: string, language: string): void {
  const qc = useQueryClient();
  useEffect(() => {
    const onSent = () => void qc.invalidateQueries({ queryKey: ['hazards', 'list'] });
    const go = () => void syncOutbox(userId, language, onSent);
    go();
    window.addEventListener('online', go);
    const timer = setInterval(() => {
      if (navigator.onLine && state.items.some((i) => i.failed === null)) go();
    }, 30_000);
    return () => {
      window.removeEventListener('online', go);
      clearInterval(timer);
    };
  }, [userId, language, qc]);
}

export async function discardOutboxItem(userId: string, id: string): Promise<void> {
  await idbOutbox.remove(id);
  await refreshOutbox(userId);
}
