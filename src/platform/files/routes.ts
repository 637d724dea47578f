import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ctxOf } from '../http/app.ts';
import { AppError, notFound } from '../http/errors.ts';
import { IdParams, Problem, ProblemResponses } from '../http/schemas.ts';
import { downloadName, getFile, kindLimits, uploadFiles, type FileRow, type UploadPart } from './service.ts';
import { createLocalBlobStore, type BlobStore } from './storage.ts';

export const FileView = Type.Object({
  id: Type.String(),
  sha256: Type.String(),
  size: Type.Integer(),
  mime: Type.String(),
  kind: Type.Union([Type.Literal('image'), Type.Literal('video'), Type.Literal('audio'), Type.Literal('pdf')]),
  originalName: Type.Union([Type.String(), Type.Null()]),
  width: Type.Union([Type.Integer(), Type.Null()]),
  height: Type.Union([Type.Integer(), Type.Null()]),
  url: Type.String(),
  thumbUrl: Type.Union([Type.String(), Type.Null()]),
});
export type FileView = Static<typeof FileView>;

export const UploadResponse = Type.Object({ items: Type.Array(FileView) });
export type UploadResponse = Static<typeof UploadResponse>;

export function toFileView(row: FileRow): FileView {
  return {
    id: row.id,
    sha256: row.sha256,
    size: row.size,
    mime: row.mime,
    kind: row.kind,
    originalName: row.originalName,
    width: row.width,
    height: row.height,
    url: `/api/v1/files/${row.id}`,
    thumbUrl: row.thumbSha256 ? `/api/v1/files/${row.id}/thumb` : null,
  };
}

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name (Chinese file names survive). */
function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  // encodeURIComponent leaves ' ( ) * as they are, but RFC 8187 does not allow them in the value.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Whether If-None-Match names this entity tag (weak comparison, as RFC 9110 13.1.2 asks for GET). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * One `bytes=a-b` range (video players seek with these; Safari plays no video without them). Anything
 * else (several ranges, unsatisfiable, malformed) is ignored and the whole file is sent, as RFC 9110 14.2 allows.
 */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | null {
  const m = header ? /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim()) : null;
  if (!m || size === 0 || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start <= end && start < size ? { start, end } : null;
}

async function sendBlob(
  request: FastifyRequest,
  reply: FastifyReply,
  store: BlobStore,
  blob: { sha256: string; mime: string; disposition: 'inline' | 'attachment'; name: string },
): Promise<FastifyReply> {
  const etag = `"${blob.sha256}"`;
  // The bytes behind an id never change (content addressing), so the browser may keep them; private
  // because they are only for signed-in users of this tenant.
  reply
    .header('etag', etag)
    .header('cache-control', 'private, max-age=31536000, immutable')
    .header('x-content-type-options', 'nosniff')
    .header('accept-ranges', 'bytes');
  if (matchesEtag(request.headers['if-none-match'], etag)) return reply.status(304).send();
  const stat = await store.stat(blob.sha256);
  if (!stat) {
    request.log.error({ sha256: blob.sha256 }, 'file row exists but its blob is missing from storage');
    throw new AppError('not_found', 'the file content is missing from storage');
  }
  const ifRange = request.headers['if-range'];
  const range = ifRange && ifRange !== etag ? null : parseRange(request.headers.range, stat.size);
  const stream = await store.get(blob.sha256, range ?? undefined);
  if (!stream) throw notFound('file content');
  reply.type(blob.mime).header('content-disposition', contentDisposition(blob.disposition, blob.name));
  if (range) {
    return reply
      .status(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${stat.size}`)
      .header('content-length', range.end - range.start + 1)
      .send(stream);
  }
  return reply.header('content-length', stat.size).send(stream);
}

const BlobResponses = { 304: Type.Null({ description: 'Not modified (If-None-Match matched the ETag)' }), ...ProblemResponses };

export const fileRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app.deps;
  const store = createLocalBlobStore(config.filesDir);
  const limits = kindLimits(config.maxUploadMb);

  app.post(
    '/api/v1/files',
    {
      config: { permission: 'files:upload' },
      schema: {
        tags: ['files'],
        description: 'multipart/form-data with 1 to 10 parts named "file"; the type is detected from the content.',
        consumes: ['multipart/form-data'],
        response: { 201: UploadResponse, 413: Problem, 415: Problem, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(app, request);
      async function* parts(): AsyncGenerator<UploadPart> {
        for await (const p of request.files()) yield { fieldname: p.fieldname, filename: p.filename, stream: p.file, truncated: () => p.file.truncated };
      }
      const rows = await uploadFiles(ctx, { store, parts: parts(), limits });
      return reply.status(201).send({ items: rows.map(toFileView) });
    },
  );

  app.get(
    '/api/v1/files/:id',
    { config: { authenticated: true }, schema: { tags: ['files'], params: IdParams, response: BlobResponses } },
    async (request, reply) => {
      const file = await getFile(ctxOf(app, request), request.params.id);
      // Photos and PDFs open in the browser; video and audio download when opened directly (players ignore this).
      const disposition = file.kind === 'image' || file.kind === 'pdf' ? 'inline' : 'attachment';
      return sendBlob(request, reply, store, { sha256: file.sha256, mime: file.mime, disposition, name: downloadName(file) });
    },
  );

  app.get(
    '/api/v1/files/:id/thumb',
    { config: { authenticated: true }, schema: { tags: ['files'], params: IdParams, response: BlobResponses } },
    async (request, reply) => {
      const file = await getFile(ctxOf(app, request), request.params.id);
      if (!file.thumbSha256) throw new AppError('not_found', 'this file has no thumbnail');
      const name = `${downloadName(file).replace(/\.[^.]*$/, '')}-thumb.webp`;
      return sendBlob(request, reply, store, { sha256: file.thumbSha256, mime: 'image/webp', disposition: 'inline', name });
    },
  );
};
