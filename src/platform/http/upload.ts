import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

export interface UploadedFile {
  buffer: Buffer;
  fileName: string;
}

/**
 * The one file of an import request (multipart field "file", at most `maxBytes`): 415 when the body is not
 * multipart, 422 naming the field when the file is missing, 413 past the size (from the multipart limits).
 * Only for routes of a plugin registered `withUploads` (app.ts).
 */
export async function readUploadedFile(request: FastifyRequest, maxBytes: number): Promise<UploadedFile> {
  if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'send the file as multipart/form-data in the field "file"');
  const file = await request.file({ limits: { fileSize: maxBytes, files: 1 } });
  if (!file || file.fieldname !== 'file') {
    throw new AppError('validation_failed', 'file: required (multipart field "file")', { errors: [{ field: 'file', rule: 'required', message: 'file: required (multipart field "file")' }] });
  }
  return { buffer: await file.toBuffer(), fileName: file.filename };
}
