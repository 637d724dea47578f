import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../http/errors.ts';

/**
 * Content-addressed blob storage. Bytes are named by their SHA-256, so the same photo uploaded twice is
 * stored once and a stored blob never changes. Local disk now; an S3-compatible back end implements the
 * same interface (stage to a local temp file, then upload on commit unless the key exists).
 */
export interface BlobStore {
  /**
   * Streams `source` into a temporary file while hashing and counting it; nothing is visible in the store
   * until `commit()`. Throws (and leaves nothing behind) when the stream fails, exceeds `maxBytes` (413) or
   * `inspectHead` rejects the first bytes.
   */
  stage(source: Readable, opts?: StageOptions): Promise<StagedBlob>;
  /** stage + commit. */
  put(source: Readable, opts?: StageOptions): Promise<BlobInfo>;
  /** The bytes (optionally the inclusive byte range), or null when the blob does not exist. */
  get(sha256: string, range?: { start: number; end: number }): Promise<Readable | null>;
  stat(sha256: string): Promise<{ size: number } | null>;
  has(sha256: string): Promise<boolean>;
}

export interface BlobInfo {
  sha256: string;
  size: number;
}

export interface StageOptions {
  /** Larger streams are refused with 413 as soon as they pass the limit (never buffered whole). */
  maxBytes?: number;
  /**
   * Sees the first bytes (up to `HEAD_BYTES`, or the whole stream if shorter) before the rest is written:
   * throw to refuse the content (type sniffing), or return a tighter byte limit for the rest.
   */
  inspectHead?: (head: Buffer) => Promise<number | void> | number | void;
}

export interface StagedBlob extends BlobInfo {
  /** A local file with the bytes, readable until commit or discard (e.g. for making a thumbnail). */
  readonly path: string;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** Enough for file-type to recognise every format we accept. */
export const HEAD_BYTES = 4100;

const SHA256 = /^[0-9a-f]{64}$/;

function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `file is larger than the limit of ${Math.floor(maxBytes / (1024 * 1024))} MB`, { extra: { maxBytes } });
}

/**
 * Writes a stream to `file`, hashing and counting as it goes, with backpressure (a 500 MB video never sits
 * in memory). On any failure the partial file is removed and the rest of the source is drained, so the
 * request can still be answered.
 */
export async function spoolToFile(source: Readable, file: string, opts: StageOptions = {}): Promise<BlobInfo> {
  const hash = createHash('sha256');
  let limit = opts.maxBytes ?? Number.POSITIVE_INFINITY;
  let size = 0;
  let headChunks: Buffer[] | null = opts.inspectHead ? [] : null;
  let headLength = 0;
  const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o640 });
  const inspect = async () => {
    if (!headChunks || !opts.inspectHead) return;
    const head = Buffer.concat(headChunks);
    headChunks = null;
    const tighter = await opts.inspectHead(head.subarray(0, HEAD_BYTES));
    if (typeof tighter === 'number') limit = Math.min(limit, tighter);
    if (size > limit) throw tooLarge(limit);
  };
  try {
    // destroyOnReturn false: when we refuse a file midway, the rest is drained (below) rather than the
    // source destroyed, so a multipart parser can move on and the client still gets our answer.
    for await (const data of source.iterator({ destroyOnReturn: false })) {
      const chunk = typeof data === 'string' ? Buffer.from(data) : (data as Buffer);
      size += chunk.length;
      if (size > limit) throw tooLarge(limit);
      hash.update(chunk);
      if (headChunks) {
        headChunks.push(chunk);
        headLength += chunk.length;
        if (headLength >= HEAD_BYTES) await inspect();
      }
      if (!out.write(chunk)) await once(out, 'drain');
    }
    await inspect();
    out.end();
    await once(out, 'finish');
    // Data on disk before the rename makes it visible: a crash must not leave a named, empty blob.
    const fh = await fsp.open(file, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    return { sha256: hash.digest('hex'), size };
  } catch (e) {
    source.resume();
    // Wait for the stream to close before removing the file: the stream opens the file asynchronously,
    // and an open still under way when a file is refused early (its head says it is too large) would
    // create the file again after the rm, leaving a stray temporary file behind.
    if (!out.closed) {
      await new Promise<void>((resolve) => {
        out.once('close', () => resolve());
        out.destroy();
      });
    }
    await fsp.rm(file, { force: true });
    throw e;
  }
}

/** Blobs under `root/ab/cd/<sha256>`; temporary files under `root/tmp` (same file system, so rename is atomic). */
export function createLocalBlobStore(root: string): BlobStore {
  const tmpDir = path.join(root, 'tmp');
  const blobPath = (sha256: string) => {
    // The name reaches the file system: only a well-formed hash may (no "../").
    if (!SHA256.test(sha256)) throw new Error(`invalid sha256 "${sha256}"`);
    return path.join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  };

  const stat = async (sha256: string) => {
    try {
      const s = await fsp.stat(blobPath(sha256));
      return { size: s.size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  };

  const stage = async (source: Readable, opts?: StageOptions): Promise<StagedBlob> => {
    await fsp.mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    const info = await spoolToFile(source, tmp, opts);
    let settled = false;
    return {
      ...info,
      path: tmp,
      commit: async () => {
        if (settled) return;
        settled = true;
        const final = blobPath(info.sha256);
        if (await stat(info.sha256)) {
          // Same content already stored: content addressing means it is byte-for-byte identical.
          await fsp.rm(tmp, { force: true });
          return;
        }
        await fsp.mkdir(path.dirname(final), { recursive: true });
        // rename is atomic: readers see the whole blob or none; two concurrent commits of the same
        // content both succeed and leave one identical file.
        await fsp.rename(tmp, final);
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await fsp.rm(tmp, { force: true });
      },
    };
  };

  return {
    stage,
    put: async (source, opts) => {
      const staged = await stage(source, opts);
      await staged.commit();
      return { sha256: staged.sha256, size: staged.size };
    },
    get: async (sha256, range) => {
      if (!(await stat(sha256))) return null;
      return fs.createReadStream(blobPath(sha256), range ? { start: range.start, end: range.end } : {});
    },
    stat,
    has: async (sha256) => (await stat(sha256)) !== null,
  };
}
