import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ctxOf } from '../../platform/http/app.ts';
import { ProblemResponses } from '../../platform/http/schemas.ts';
import { readUploadedFile } from '../../platform/http/upload.ts';
import { XLSX_MIME } from '../../platform/org/exportExcel.ts';
import { exportIotRegistry, importIotRegistry, iotImportTemplate, MAX_IMPORT_BYTES } from './importExport.ts';

/**
 * Excel of devices and points. A plugin of its own, registered `withUploads` by `routes.ts`, so only these
 * routes carry the multipart parser — not the HTTP ingestion endpoint, whose every request it would slow.
 */

const tags = ['iot'];
const XlsxFile = Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: XLSX_MIME });
const ImportQuery = Type.Object({ dryRun: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false });
const Counts = Type.Object({ created: Type.Integer(), unchanged: Type.Integer() });
const ImportResult = Type.Object({ ok: Type.Literal(true), dryRun: Type.Boolean(), devices: Counts, points: Counts });

/** RFC 6266: an ASCII fallback plus the UTF-8 name, so Chinese file names survive every browser. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export const iotImportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/v1/iot/export.xlsx', { config: { permission: 'iot:read' }, schema: { tags, description: 'Devices and points in the caller’s scope (sheets 设备 and 测点), in the import layout.', response: { 200: XlsxFile, ...ProblemResponses } } }, async (request, reply) => {
    const { buffer, fileName } = await exportIotRegistry(ctxOf(app, request));
    return reply.type(XLSX_MIME).header('content-disposition', attachment(fileName)).header('cache-control', 'no-store').send(buffer);
  });

  app.get('/api/v1/iot/import-template.xlsx', { config: { permission: 'iot:configure' }, schema: { tags, response: { 200: XlsxFile, ...ProblemResponses } } }, async (request, reply) => {
    const { buffer, fileName } = await iotImportTemplate(ctxOf(app, request));
    return reply.type(XLSX_MIME).header('content-disposition', attachment(fileName)).send(buffer);
  });

  app.post(
    '/api/v1/iot/import',
    {
      config: { permission: 'iot:configure' },
      schema: {
        tags,
        description: `multipart/form-data with one .xlsx in the field "file" (at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB), sheets 设备 / Devices and 测点 / Points. Existing devices and points (by code) are kept; 422 import_failed lists rowErrors and writes nothing.`,
        querystring: ImportQuery,
        response: { 200: ImportResult, ...ProblemResponses },
      },
    },
    async (request) => {
      const { buffer, fileName } = await readUploadedFile(request, MAX_IMPORT_BYTES);
      return importIotRegistry(ctxOf(app, request), { file: buffer, fileName, dryRun: request.query.dryRun ?? false });
    },
  );
};
