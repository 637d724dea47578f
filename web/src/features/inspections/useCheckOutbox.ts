import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { inspectionKeys, type TaskDetail } from './api.ts';
import { flushChecks, httpCheckSender, idbCheckOutbox, rememberTask, type CheckOutboxItem } from './checkOutbox.ts';

/**
 * The check queue as React sees it: what waits and whether it is being sent. One module-level state, so
 * the task page, the task list and the app shell agree (as the hazard queue's useOutbox.ts does).
 */
interface CheckOutboxState {
  items: CheckOutboxItem[];
  sending: boolean;
}

let state: CheckOutboxState = { items: [], sending: false };
const listeners = new Set<() => void>();

function set(patch: Partial<CheckOutboxState>) {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

export async function refreshCheckOutbox(userId: string): Promise<void> {
  try {
    set({ items: (await idbCheckOutbox.all()).filter((i) => i.userId === userId) });
  } catch {
    // No IndexedDB: nothing can be queued either.
  }
}

let running: Promise<void> | null = null;

/** Sends the waiting checks once (single flight in this tab, a Web Lock across tabs; the keys make a double send harmless anyway). */
export function syncCheckOutbox(userId: string, language: string, onSent?: (sent: TaskDetail[]) => void): Promise<void> {
  if (running) return running;
  const work = async () => {
    await refreshCheckOutbox(userId);
    if (!state.items.some((i) => i.failed === null)) return;
    set({ sending: true });
    try {
      const { sent } = await flushChecks(idbCheckOutbox, httpCheckSender(language), userId);
      if (sent.length > 0) onSent?.(sent);
    } finally {
      await refreshCheckOutbox(userId);
      set({ sending: false });
    }
  };
  const locked = typeof navigator !== 'undefined' && 'locks' in navigator ? () => navigator.locks.request('safeloop-check-outbox', work) : work;
  running = Promise.resolve(locked())
    .catch(() => undefined)
    .finally(() => {
      running = null;
    });
  return running;
}

export function useCheckOutboxState(): CheckOutboxState {
  return useSyncExternalStore(subscribe, () => state);
}

/** Mounted once in the app shell: sends queued checks on start, when back online, and every 30 s while some wait. */
export function useCheckOutboxSync(userId: string, language: string): void {
  const qc = useQueryClient();
  useEffect(() => {
    const onSent = (sent: TaskDetail[]) => {
      for (const task of sent) {
        qc.setQueryData(inspectionKeys.task(task.id), task);
        rememberTask(task);
      }
      void qc.invalidateQueries({ queryKey: inspectionKeys.all });
    };
    const go = () => void syncCheckOutbox(userId, language, onSent);
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

export async function discardCheck(userId: string, id: string): Promise<void> {
  await idbCheckOutbox.remove(id);
  await refreshCheckOutbox(userId);
}
