import path from 'node:path';
import { Readable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import { recordChange } from '../audit/record.ts';
import type { Ctx } from '../auth/actor.ts';
import { requirePermission } from '../auth/scope.ts';
import { newId } from '../db/columns.ts';
import { AppError, invalid, notFound } from '../http/errors.ts';
import { files } from './schema.ts';
import type { BlobStore, StagedBlob } from './storage.ts';

export type FileRow = typeof files.$inferSelect;
export type FileKind = FileRow['kind'];

/**
 * What may be uploaded, by the type detected from the bytes (file-type), never by the client's
 * Content-Type or file name: a script renamed to photo.jpg is refused. SVG and HTML are absent on purpose
 * (they can carry scripts that run on our origin).
 */
const acceptedTypes: Record<string, { kind: FileKind; mime: string }> = {
  'image/jpeg': { kind: 'image', mime: 'image/jpeg' },
  'image/png': { kind: 'image', mime: 'image/png' },
  'image/webp': { kind: 'image', mime: 'image/webp' },
  'image/gif': { kind: 'image', mime: 'image/gif' },
  'image/heic': { kind: 'image', mime: 'image/heic' },
  'image/heif': { kind: 'image', mime: 'image/heif' },
  'video/mp4': { kind: 'video', mime: 'video/mp4' },
  'video/quicktime': { kind: 'video', mime: 'video/quicktime' },
  // file-type reports every WebM as video/webm, also an audio-only recording from a browser's MediaRecorder.
  'video/webm': { kind: 'video', mime: 'video/webm' },
  'audio/mpeg': { kind: 'audio', mime: 'audio/mpeg' },
  'audio/x-m4a': { kind: 'audio', mime: 'audio/mp4' },
  'audio/mp4': { kind: 'audio', mime: 'audio/mp4' },
  'audio/aac': { kind: 'audio', mime: 'audio/aac' },
  'audio/ogg': { kind: 'audio', mime: 'audio/ogg' },
  'audio/ogg; codecs=opus': { kind: 'audio', mime: 'audio/ogg' },
  'audio/wav': { kind: 'audio', mime: 'audio/wav' },
  'application/pdf': { kind: 'pdf', mime: 'application/pdf' },
};

const extensionOf: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/heic': 'heic',
  'image/heif': 'heif',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/ogg': 'ogg',
  'audio/wav': 'wav',
  'application/pdf': 'pdf',
};

/** Formats sharp (prebuilt libvips) decodes; HEIC needs a patented codec it does not ship, so no thumbnail. */
const decodableImages = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

export const MAX_FILES_PER_UPLOAD = 10;
export const THUMB_MAX_PX = 320;
const MB = 1024 * 1024;

/** Size limit per kind: photos, voice notes and PDFs 20 MB; videos up to MAX_UPLOAD_MB (the request limit). */
export function kindLimits(maxUploadMb: number): Record<FileKind, number> {
  const cap = maxUploadMb * MB;
  return { image: Math.min(20 * MB, cap), video: cap, audio: Math.min(20 * MB, cap), pdf: Math.min(20 * MB, cap) };
}

export interface UploadPart {
  fieldname: string;
  filename: string | undefined;
  stream: Readable;
  /** Whether the multipart parser cut the stream at its own size limit (it ends the stream quietly). */
  truncated?: () => boolean;
}

export interface UploadFilesInput {
  store: BlobStore;
  parts: AsyncIterable<UploadPart>;
  limits: Record<FileKind, number>;
}

/** The client's name, for display and Content-Disposition only: no path, no control characters, ≤ 255. */
export function cleanFileName(name: string | undefined): string | null {
  if (!name) return null;
  // eslint-disable-next-line no-control-regex
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base ? base.slice(0, 255) : null;
}

interface Prepared {
  blob: StagedBlob;
  thumb: StagedBlob | null;
  mime: string;
  kind: FileKind;
  originalName: string | null;
  width: number | null;
  height: number | null;
}

async function describeImage(blob: StagedBlob, mime: string, label: string, store: BlobStore): Promise<Pick<Prepared, 'thumb' | 'width' | 'height'>> {
  if (!decodableImages.has(mime)) return { thumb: null, width: null, height: null };
  // Loaded with the first photo, not at start (see the import rule in eslint.config.js).
  const { default: sharp } = await import('sharp');
  let width: number;
  let height: number;
  try {
    const meta = await sharp(blob.path).metadata();
    // Width and height as shown, i.e. after the EXIF orientation is applied (a portrait phone photo).
    width = meta.autoOrient.width;
    height = meta.autoOrient.height;
  } catch {
    throw new AppError('unsupported_media_type', `${label}: starts like ${mime} but is not a readable image`);
  }
  try {
    const { data } = await sharp(blob.path, { failOn: 'none' })
      .autoOrient()
      .resize(THUMB_MAX_PX, THUMB_MAX_PX, { fit: 'inside', withoutEnlargement: true })
      // sharp writes no metadata unless asked: the thumbnail carries no EXIF (GPS, camera serial).
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    const thumb = await store.stage(Readable.from([data]));
    return { thumb, width, height };
  } catch {
    // A photo too damaged (or too many pixels) to shrink is still evidence: keep it, without a thumbnail.
    return { thumb: null, width, height };
  }
}

/**
 * Stores 1–10 uploaded files. Each is typed by its content and checked against its kind's size limit
 * while it streams to a temporary file; only when every file of the request passed are the blobs
 * committed and the rows written (with one audit entry each), so a refused file (415/413) leaves nothing.
 */
export async function uploadFiles(ctx: Ctx, input: UploadFilesInput): Promise<FileRow[]> {
  requirePermission(ctx.actor, 'files:upload');
  const { store, limits } = input;
  const maxAny = Math.max(...Object.values(limits));
  const prepared: Prepared[] = [];
  try {
    for await (const part of input.parts) {
      if (part.fieldname !== 'file') {
        part.stream.resume();
        throw invalid(part.fieldname, 'unknown', `${part.fieldname}: unknown file field; send files in the field "file"`);
      }
      if (prepared.length >= MAX_FILES_PER_UPLOAD) {
        part.stream.resume();
        throw new AppError('payload_too_large', `at most ${MAX_FILES_PER_UPLOAD} files per upload`);
      }
      const originalName = cleanFileName(part.filename);
      const label = `file ${prepared.length + 1}${originalName ? ` (${originalName})` : ''}`;
      let type: { kind: FileKind; mime: string } | undefined;
      const blob = await store.stage(part.stream, {
        maxBytes: maxAny,
        inspectHead: async (head) => {
          const detected = await fileTypeFromBuffer(head);
          type = detected ? acceptedTypes[detected.mime] : undefined;
          if (!type) {
            throw new AppError(
              'unsupported_media_type',
              `${label}: ${detected ? detected.mime : 'unrecognised content'} is not accepted; send a photo (JPEG, PNG, WebP, HEIC, GIF), video (MP4, MOV, WebM), audio (MP3, M4A, AAC, OGG, WAV) or PDF`,
            );
          }
          return limits[type.kind];
        },
      });
      if (part.truncated?.()) {
        await blob.discard();
        throw new AppError('payload_too_large', `${label}: larger than the upload limit of ${Math.floor(maxAny / MB)} MB`);
      }
      if (!type) throw new Error('file type was not inspected');
      const entry: Prepared = { blob, thumb: null, mime: type.mime, kind: type.kind, originalName, width: null, height: null };
      prepared.push(entry);
      if (type.kind === 'image') Object.assign(entry, await describeImage(blob, type.mime, label, store));
    }
    if (prepared.length === 0) throw invalid('file', 'minItems', 'file: send 1 to 10 files in the multipart field "file"');
    for (const p of prepared) {
      await p.blob.commit();
      await p.thumb?.commit();
    }
  } catch (e) {
    await Promise.all(prepared.flatMap((p) => [p.blob.discard(), p.thumb?.discard()]));
    throw e;
  }
  return ctx.db.tx(async (tx) => {
    const rows: FileRow[] = [];
    for (const p of prepared) {
      const [row] = await tx
        .insert(files)
        .values({
          id: newId(),
          tenantId: ctx.actor.tenantId,
          sha256: p.blob.sha256,
          size: p.blob.size,
          mime: p.mime,
          kind: p.kind,
          originalName: p.originalName,
          width: p.width,
          height: p.height,
          thumbSha256: p.thumb?.sha256 ?? null,
          createdBy: ctx.actor.userId,
          createdAt: ctx.now(),
        })
        .returning();
      await recordChange(tx, ctx, {
        action: 'file.uploaded',
        entityType: 'file',
        entityId: row!.id,
        after: { sha256: row!.sha256, size: row!.size, mime: row!.mime, kind: row!.kind, originalName: row!.originalName },
      });
      rows.push(row!);
    }
    return rows;
  });
}

/**
 * A file of the actor's tenant. Files have no org unit of their own: the record they are attached to (a
 * hazard, a permit) decides who sees it; the id is an unguessable UUID. Another tenant's id is a 404.
 */
export async function getFile(ctx: Ctx, id: string): Promise<FileRow> {
  const [row] = await ctx.db.read((tx) =>
    tx
      .select()
      .from(files)
      .where(and(eq(files.id, id), eq(files.tenantId, ctx.actor.tenantId))),
  );
  if (!row) throw notFound('file');
  return row;
}

/** A download name: the original, or `<id>.<ext>` when the client sent none. */
export function downloadName(row: FileRow): string {
  return row.originalName ?? `${row.id}.${extensionOf[row.mime] ?? 'bin'}`;
}
