import { isApiError } from '../../api/client.ts';
import { reportHazard, uploadFile, type ReportBody, type ReportResponse } from './api.ts';
import { photoName } from './media.ts';

/**
 * Offline queue for hazard reports. A report made without signal is kept in IndexedDB with its photo
 * blobs and an Idempotency-Key generated when it was made. Sending uploads the photos (remembering each
 * uploaded id, so a retry never uploads twice and the body stays byte-identical), then POSTs the report
 * with the same key: the server applies a replayed report once (src/platform/http/idempotency.ts).
 */

export type ReportFields = Omit<ReportBody, 'photoIds' | 'afterPhotoIds' | 'videoId' | 'voiceId'>;

export interface OutboxItem {
  /** The Idempotency-Key. */
  id: string;
  userId: string;
  createdAt: string;
  fields: ReportFields;
  photos: Blob[];
  afterPhotos: Blob[];
  video: Blob | null;
  voice: Blob | null;
  /** Ids of the files already uploaded, by slot; filled as the upload goes. */
  uploaded: { photos: (string | null)[]; afterPhotos: (string | null)[]; video: string | null; voice: string | null };
  attempts: number;
  /** Set when the server refused the report (4xx): it will not be retried by itself. */
  failed: string | null;
}

export interface OutboxStore {
  all(): Promise<OutboxItem[]>;
  put(item: OutboxItem): Promise<void>;
  remove(id: string): Promise<void>;
}

export interface Sender {
  upload(blob: Blob, name: string, onProgress?: (p: number) => void): Promise<{ id: string }>;
  report(body: ReportBody, key: string): Promise<ReportResponse>;
}

export function newOutboxItem(id: string, userId: string, fields: ReportFields, media: { photos: Blob[]; afterPhotos: Blob[]; video: Blob | null; voice: Blob | null }, now = new Date()): OutboxItem {
  return {
    id,
    userId,
    createdAt: now.toISOString(),
    fields,
    ...media,
    uploaded: { photos: media.photos.map(() => null), afterPhotos: media.afterPhotos.map(() => null), video: null, voice: null },
    attempts: 0,
    failed: null,
  };
}

/** A network failure (no signal, server unreachable, 5xx): worth trying again later. */
export function isRetryable(e: unknown): boolean {
  if (!isApiError(e)) return true;
  // 409 "still running" is a copy of this request in flight on the server: it finishes by itself.
  return e.status === 0 || e.status >= 500 || e.status === 408 || e.status === 429 || (e.status === 409 && e.code === 'conflict');
}

export type SendOutcome = { kind: 'sent'; response: ReportResponse } | { kind: 'retry'; error: unknown } | { kind: 'failed'; error: unknown };

/** Uploads what is missing, then posts the report. The item is updated in the store as it goes. */
export async function sendItem(item: OutboxItem, store: OutboxStore, sender: Sender, onProgress?: (done: number, total: number) => void): Promise<SendOutcome> {
  const slots: { get: () => string | null; set: (id: string) => void; blob: Blob; name: string }[] = [];
  item.photos.forEach((blob, i) => slots.push({ get: () => item.uploaded.photos[i] ?? null, set: (id) => (item.uploaded.photos[i] = id), blob, name: photoName(i) }));
  item.afterPhotos.forEach((blob, i) => slots.push({ get: () => item.uploaded.afterPhotos[i] ?? null, set: (id) => (item.uploaded.afterPhotos[i] = id), blob, name: `after-${photoName(i)}` }));
  if (item.video) {
    const blob = item.video;
    slots.push({ get: () => item.uploaded.video, set: (id) => (item.uploaded.video = id), blob, name: 'video' });
  }
  if (item.voice) {
    const blob = item.voice;
    slots.push({ get: () => item.uploaded.voice, set: (id) => (item.uploaded.voice = id), blob, name: 'voice' });
  }
  item.attempts += 1;
  try {
    let done = slots.filter((s) => s.get() !== null).length;
    onProgress?.(done, slots.length);
    for (const s of slots) {
      if (s.get() !== null) continue;
      const f = await sender.upload(s.blob, s.name);
      s.set(f.id);
      done += 1;
      // Remember at once: if the signal drops now, the next try does not upload this photo again.
      await store.put(item);
      onProgress?.(done, slots.length);
    }
    const body: ReportBody = {
      ...item.fields,
      photoIds: item.uploaded.photos.filter((x): x is string => x !== null),
      ...(item.afterPhotos.length > 0 ? { afterPhotoIds: item.uploaded.afterPhotos.filter((x): x is string => x !== null) } : {}),
      ...(item.uploaded.video ? { videoId: item.uploaded.video } : {}),
      ...(item.uploaded.voice ? { voiceId: item.uploaded.voice } : {}),
    };
    const response = await sender.report(body, item.id);
    await store.remove(item.id);
    return { kind: 'sent', response };
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

/** Sends every waiting report of this user, oldest first; stops at the first network failure. */
export async function flushOutbox(store: OutboxStore, sender: Sender, userId: string): Promise<{ sent: ReportResponse[]; waiting: number }> {
  const items = (await store.all()).filter((i) => i.userId === userId && i.failed === null).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const sent: ReportResponse[] = [];
  for (const item of items) {
    const r = await sendItem(item, store, sender);
    if (r.kind === 'sent') sent.push(r.response);
    if (r.kind === 'retry') break;
  }
  const waiting = (await store.all()).filter((i) => i.userId === userId).length;
  return { sent, waiting };
}

// ---------------------------------------------------------------------------------------------------------
// IndexedDB store
// ---------------------------------------------------------------------------------------------------------

const DB_NAME = 'safeloop-hazards';
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

export const idbOutbox: OutboxStore = {
  all: () => run<OutboxItem[]>('readonly', (s) => s.getAll() as IDBRequest<OutboxItem[]>),
  put: async (item) => {
    await run('readwrite', (s) => s.put(item));
  },
  remove: async (id) => {
    await run('readwrite', (s) => s.delete(id));
  },
};

export function httpSender(language: string): Sender {
  return { upload: (blob, name, onProgress) => uploadFile(blob, name, onProgress, language), report: reportHazard };
}
