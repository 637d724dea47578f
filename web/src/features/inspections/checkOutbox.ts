import { isApiError } from '../../api/client.ts';
import { uploadFile } from '../hazards/api.ts';
import { photoName } from '../hazards/media.ts';
import { isRetryable } from '../hazards/outbox.ts';
import { scanTask, submitResults, type ResultBody, type ScanTaskBody, type TaskDetail } from './api.ts';

/**
 * Offline queue for checks, the way hazard reports have one (../hazards/outbox.ts). A stop checked without
 * signal is kept in IndexedDB with its photo and signature blobs and two Idempotency-Keys made when the
 * inspector did it: one for the checkpoint scan (when the scan could not be verified then) and one for the
 * answers. Sending replays the scan, uploads what is not uploaded yet (remembering each file id, so a retry
 * uploads nothing twice and the body stays byte-identical), then posts the answers with the task version
 * the scan answered. The server applies each key once (src/platform/http/idempotency.ts): a lost answer,
 * a retry or two tabs never record the check twice or raise a second hazard.
 */

export interface QueuedAnswer {
  itemKey: string;
  value?: string;
  reading?: number | null;
  text?: string;
  remark?: string;
  photos: Blob[];
  signature: Blob | null;
}

export interface CheckOutboxItem {
  /** The Idempotency-Key of the answers. */
  id: string;
  userId: string;
  taskId: string;
  /** Shown in the queue while waiting. */
  taskName: string;
  stop: number;
  createdAt: string;
  /** The scan still to be verified by the server (made offline), or null when it went through at the time. */
  scan: ScanTaskBody | null;
  scanKey: string;
  /** The task's version to submit with: known at once for an online scan, from the scan's answer otherwise. */
  version: number | null;
  answers: QueuedAnswer[];
  uploaded: { photos: (string | null)[][]; signatures: (string | null)[] };
  attempts: number;
  /** Set when the server refused it (4xx: wrong code, task missed…): not retried by itself. */
  failed: string | null;
}

export interface CheckOutboxStore {
  all(): Promise<CheckOutboxItem[]>;
  put(item: CheckOutboxItem): Promise<void>;
  remove(id: string): Promise<void>;
}

export interface CheckSender {
  scan(taskId: string, body: ScanTaskBody, key: string): Promise<TaskDetail>;
  upload(blob: Blob, name: string): Promise<{ id: string }>;
  submit(taskId: string, body: { stop: number; version: number; results: ResultBody[] }, key: string): Promise<TaskDetail>;
}

export function newCheckItem(v: { id: string; scanKey: string; userId: string; taskId: string; taskName: string; stop: number; scan: ScanTaskBody | null; version: number | null; answers: QueuedAnswer[] }, now = new Date()): CheckOutboxItem {
  return {
    ...v,
    createdAt: now.toISOString(),
    uploaded: { photos: v.answers.map((a) => a.photos.map(() => null)), signatures: v.answers.map(() => null) },
    attempts: 0,
    failed: null,
  };
}

export type CheckSendOutcome = { kind: 'sent'; task: TaskDetail } | { kind: 'retry'; error: unknown } | { kind: 'failed'; error: unknown };

/** Scan (if still to do), uploads, answers: each step remembered in the store as it succeeds. */
export async function sendCheck(item: CheckOutboxItem, store: CheckOutboxStore, sender: CheckSender): Promise<CheckSendOutcome> {
  item.attempts += 1;
  try {
    if (item.scan !== null || item.version === null) {
      // A replayed scan with the same key gets the first answer back, with the version it made.
      const scanned = await sender.scan(item.taskId, { ...(item.scan ?? {}), stop: item.stop }, item.scanKey);
      item.version = scanned.version;
      item.scan = null;
      await store.put(item);
    }
    let n = 0;
    const results: ResultBody[] = [];
    for (const [i, a] of item.answers.entries()) {
      const ids = item.uploaded.photos[i] ?? [];
      for (const [j, blob] of a.photos.entries()) {
        if (!ids[j]) {
          ids[j] = (await sender.upload(blob, photoName(n))).id;
          item.uploaded.photos[i] = ids;
          // Remember at once: if the signal drops now, the next try does not upload this photo again.
          await store.put(item);
        }
        n++;
      }
      if (a.signature && !item.uploaded.signatures[i]) {
        item.uploaded.signatures[i] = (await sender.upload(a.signature, `signature-${a.itemKey}.png`)).id;
        await store.put(item);
      }
      const photoIds = ids.filter((x): x is string => Boolean(x));
      const signatureFileId = item.uploaded.signatures[i] ?? null;
      results.push({
        itemKey: a.itemKey,
        ...(a.value !== undefined ? { value: a.value } : {}),
        ...(a.reading !== undefined ? { reading: a.reading } : {}),
        ...(a.text !== undefined ? { text: a.text } : {}),
        ...(photoIds.length ? { photoIds } : {}),
        ...(signatureFileId ? { signatureFileId } : {}),
        ...(a.remark ? { remark: a.remark } : {}),
      });
    }
    const task = await sender.submit(item.taskId, { stop: item.stop, version: item.version ?? 0, results }, item.id);
    await store.remove(item.id);
    return { kind: 'sent', task };
  } catch (error) {
    if (isRetryable(error)) {
      await store.put(item);
      return { kind: 'retry', error };
    }
    item.failed = isApiError(error) ? error.detail || error.title : String(error);
    await store.put(item);
    return { kind: 'failed', error };
  }
}

/** Sends every waiting check of this user, oldest first; stops at the first network failure. */
export async function flushChecks(store: CheckOutboxStore, sender: CheckSender, userId: string): Promise<{ sent: TaskDetail[]; waiting: number }> {
  const items = (await store.all()).filter((i) => i.userId === userId && i.failed === null).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const sent: TaskDetail[] = [];
  for (const item of items) {
    const r = await sendCheck(item, store, sender);
    if (r.kind === 'sent') sent.push(r.task);
    if (r.kind === 'retry') break;
  }
  return { sent, waiting: (await store.all()).filter((i) => i.userId === userId).length };
}

// ---------------------------------------------------------------------------------------------------------
// IndexedDB store (its own database: the hazard queue's schema is not ours to change)
// ---------------------------------------------------------------------------------------------------------

const DB_NAME = 'safeloop-inspections';
const STORE = 'outbox';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'id' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('indexedDB open failed'));
  });
}

function run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return openDb().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const req = fn(tx.objectStore(STORE));
        tx.oncomplete = () => {
          db.close();
          resolve(req.result);
        };
        tx.onerror = () => {
          db.close();
          reject(tx.error ?? new Error('indexedDB transaction failed'));
        };
      }),
  );
}

export const idbCheckOutbox: CheckOutboxStore = {
  all: () => run<CheckOutboxItem[]>('readonly', (s) => s.getAll() as IDBRequest<CheckOutboxItem[]>),
  put: async (item) => {
    await run('readwrite', (s) => s.put(item));
  },
  remove: async (id) => {
    await run('readwrite', (s) => s.delete(id));
  },
};

export function httpCheckSender(language: string): CheckSender {
  return {
    scan: (taskId, body, key) => scanTask(taskId, body, key),
    upload: (blob, name) => uploadFile(blob, name, undefined, language),
    submit: (taskId, body, key) => submitResults(taskId, body, key),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Tasks kept for offline use: today's tasks are stored when the list loads, so a check can open without signal.
// ---------------------------------------------------------------------------------------------------------

const TASK_PREFIX = 'safeloop.inspections.task.';

export function rememberTask(task: TaskDetail): void {
  try {
    localStorage.setItem(TASK_PREFIX + task.id, JSON.stringify({ savedAt: new Date().toISOString(), task }));
  } catch {
    // Storage full or disabled: the task then needs a connection to open.
  }
}

export function rememberedTask(id: string): TaskDetail | null {
  try {
    const raw = localStorage.getItem(TASK_PREFIX + id);
    return raw ? (JSON.parse(raw) as { task: TaskDetail }).task : null;
  } catch {
    return null;
  }
}
