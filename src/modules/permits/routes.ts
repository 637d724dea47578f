import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf } from '../../platform/http/app.ts';
import { IdParams, Page, PageQuery, Problem, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import { cancelPermit, confirmMeasure, createPermit, submitPermit } from './apply.ts';
import { getPermitConfig, listPermitConfigVersions, updatePermitConfig } from './config.ts';
import { addWorker } from './crew.ts';
import type { PermitConfig } from './defaults.ts';
// Registers the flow subject 'permit' with the approval engine.
import './flow.ts';
import { recordGasReading } from './gas.ts';
// Registers the expiry, periodic re-analysis and follow-up job handlers.
import './jobs.ts';
import { permitPdf } from './pdf.ts';
import './permissions.ts';
import { permitStatuses, permitTypes, workerRoles } from './schema.ts';
import { acceptClose, completeFollowUp, extendPermit, requestClose, resumePermit, suspendPermit, verifyOnSite } from './site.ts';
import { getPermit, listPermits, publicPermitStatus, siteView } from './views.ts';

/**
 * Hazardous-work permits (/api/v1/permits), issue 6: apply, gas analysis, approval through the workflow
 * engine, on-site verification, suspension, closing, the site view, the PDF and the public e-permit status
 * behind the QR. Importing this file registers the permissions, the flow subject and the job handlers.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Time = Type.String({ format: 'date-time' });
const Enum = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });
const Responses = { ...ProblemResponses, 428: Problem };
const tags = ['permits'];
const strict = { additionalProperties: false };
const Num = (min: number, max: number) => Type.Number({ minimum: min, maximum: max });

const WarningT = Type.Object({ code: Type.String(), message: Type.String(), otherPermitId: Type.Optional(Type.String()), otherNumber: Type.Optional(Type.String()) });

export const PermitSummaryT = Type.Object({
  id: Type.String(),
  number: Type.String(),
  type: Enum(permitTypes),
  typeName: Type.String(),
  grade: Type.String(),
  gradeName: Type.String(),
  status: Enum(permitStatuses),
  orgUnitId: Nullable(Type.String()),
  areaName: Nullable(Type.String()),
  location: Type.String(),
  content: Type.String(),
  validFrom: Time,
  validUntil: Time,
  applicantUserId: Type.String(),
  guardianPersonId: Type.String(),
  guardianName: Nullable(Type.String()),
  activatedAt: Nullable(Time),
  warnings: Type.Array(WarningT),
  version: Type.Integer(),
});
export type PermitSummaryT = Static<typeof PermitSummaryT>;

const ToxicT = Type.Object({ code: Text(20, 1), value: Num(0, 1_000_000) }, strict);
const GasT = Type.Object({
  id: Type.String(),
  takenAt: Time,
  point: Type.String(),
  o2Pct: Nullable(Type.Number()),
  flammablePct: Nullable(Type.Number()),
  flammableLelPct: Nullable(Type.Number()),
  toxics: Type.Array(Type.Object({ code: Type.String(), value: Type.Number() })),
  analystName: Type.String(),
  passed: Type.Boolean(),
  failures: Type.Array(Type.String()),
});
const JsaT = Type.Object({ step: Text(200, 1), hazard: Text(500, 1), control: Text(500, 1) }, strict);

export const PermitDetailT = Type.Intersect([
  PermitSummaryT,
  Type.Object({
    fields: Type.Record(Type.String(), Type.Unknown()),
    workUnit: Nullable(Type.String()),
    applicantName: Nullable(Type.String()),
    relatedPermitIds: Type.Array(Type.String()),
    jsa: Type.Array(JsaT),
    flowInstanceId: Nullable(Type.String()),
    issuerUserId: Nullable(Type.String()),
    approvedAt: Nullable(Time),
    suspendedAt: Nullable(Time),
    suspendReason: Nullable(Type.String()),
    closedAt: Nullable(Time),
    cancelReason: Nullable(Type.String()),
    acceptance: Nullable(Type.Record(Type.String(), Type.Unknown())),
    rules: Type.Object({
      maxValidityHours: Nullable(Type.Number()),
      extensionMaxHours: Nullable(Type.Number()),
      gasTestRequired: Type.Boolean(),
      gasTestValidMinutes: Type.Number(),
      interruptionRetestMinutes: Type.Number(),
      periodicReanalysisMinutes: Nullable(Type.Number()),
      configVersion: Type.Integer({ description: 'the version of the tenant’s rules this permit runs under (0: the current rules)' }),
    }),
    qrToken: Nullable(Type.String({ description: 'only for the applicant, guardian, issuer and supervisors: the QR capability' })),
    workers: Type.Array(Type.Object({ id: Type.String(), personId: Type.String(), name: Nullable(Type.String()), role: Enum(workerRoles), certificateNo: Nullable(Type.String()), qualification: Nullable(Type.Record(Type.String(), Type.Unknown())), addedAt: Time, confirmedBy: Nullable(Type.String({ description: 'added after approval: who confirmed (the issuer or a supervisor)' })), signatureFileId: Nullable(Type.String()) })),
    measures: Type.Array(
      Type.Object({
        id: Type.String(),
        seq: Type.Integer(),
        code: Type.String(),
        text: Type.String(),
        responsiblePersonId: Type.String(),
        responsibleName: Nullable(Type.String()),
        applicable: Nullable(Type.Boolean()),
        confirmedAt: Nullable(Time),
        signatureFileId: Nullable(Type.String()),
        signatureSha256: Nullable(Type.String()),
      }),
    ),
    gasReadings: Type.Array(GasT),
    history: Type.Array(Type.Object({ from: Nullable(Type.String()), to: Type.String(), at: Time, byUserId: Nullable(Type.String()), reason: Nullable(Type.String()) })),
    verifications: Type.Array(Type.Object({ id: Type.String(), userId: Type.String(), at: Time, lat: Type.Number(), lng: Type.Number(), accuracyM: Nullable(Type.Number()), photoFileId: Type.String(), photoSha256: Type.String() })),
    followUp: Nullable(Type.Object({ id: Type.String(), dueAt: Time, status: Type.String(), doneAt: Nullable(Time), ok: Nullable(Type.Boolean()), notes: Nullable(Type.String()) })),
  }),
]);
export type PermitDetailT = Static<typeof PermitDetailT>;

export const PublicStatusT = Type.Object({
  number: Type.String(),
  typeName: Type.String(),
  gradeName: Type.String(),
  type: Type.String(),
  grade: Type.String(),
  status: Type.String(),
  state: Enum(['valid', 'suspended', 'expired', 'closed', 'not_active'] as const),
  areaName: Nullable(Type.String()),
  location: Type.String(),
  content: Type.String(),
  validFrom: Time,
  validUntil: Time,
  guardianName: Type.String(),
  workers: Type.Array(Type.Object({ name: Type.String(), role: Type.String() })),
  measures: Type.Array(Type.Object({ seq: Type.Integer(), text: Type.String(), applicable: Nullable(Type.Boolean()), confirmed: Type.Boolean() })),
  gasReadings: Type.Array(Type.Object({ takenAt: Time, point: Type.String(), o2Pct: Nullable(Type.Number()), flammablePct: Nullable(Type.Number()), toxics: Type.Array(Type.Object({ code: Type.String(), value: Type.Number() })), analystName: Type.String(), passed: Type.Boolean() })),
});
export type PublicStatusT = Static<typeof PublicStatusT>;

export const CreatePermitBody = Type.Object(
  {
    type: Enum(permitTypes),
    grade: Text(20, 1),
    orgUnitId: Uuid,
    location: Text(200, 1),
    content: Text(2000, 1),
    validFrom: Time,
    validUntil: Time,
    workUnit: Type.Optional(Nullable(Text(200))),
    guardianPersonId: Uuid,
    workers: Type.Array(Type.Object({ personId: Uuid, role: Enum(workerRoles), certificateNo: Type.Optional(Nullable(Text(100))) }, strict), { minItems: 1, maxItems: 50 }),
    relatedPermitIds: Type.Optional(Type.Array(Uuid, { maxItems: 20 })),
    jsa: Type.Optional(Type.Array(JsaT, { maxItems: 50 })),
    fields: Type.Optional(Type.Record(Type.String({ maxLength: 50 }), Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean()]))),
    measureResponsibles: Type.Optional(Type.Record(Type.String({ maxLength: 50 }), Uuid)),
  },
  strict,
);
export type CreatePermitBody = Static<typeof CreatePermitBody>;

const GasBody = Type.Object(
  {
    takenAt: Time,
    point: Text(200, 1),
    o2Pct: Type.Optional(Nullable(Num(0, 100))),
    flammablePct: Type.Optional(Nullable(Num(0, 100))),
    flammableLelPct: Type.Optional(Nullable(Num(0, 100))),
    toxics: Type.Optional(Type.Array(ToxicT, { maxItems: 20 })),
    analystPersonId: Type.Optional(Nullable(Uuid)),
    analystName: Text(100, 1),
  },
  strict,
);
const VersionBody = Type.Object({ ...VersionField }, strict);
const ReasonBody = Type.Object({ reason: Text(500, 1), ...VersionField }, strict);
const MeasureParams = Type.Object({ id: Uuid, measureId: Uuid }, strict);
const MeasureBody = Type.Object({ applicable: Type.Boolean(), signatureFileId: Uuid }, strict);
const VerifyBody = Type.Object({ token: Text(100, 1), lat: Num(-90, 90), lng: Num(-180, 180), accuracyM: Type.Optional(Nullable(Num(0, 100_000))), photoFileId: Uuid }, strict);
const AcceptBody = Type.Object({ siteClean: Type.Boolean(), fireWatchDone: Type.Optional(Type.Boolean()), remarks: Type.Optional(Nullable(Text(1000))), signatureFileId: Uuid, ...VersionField }, strict);
const ExtendBody = Type.Object({ validUntil: Time, ...VersionField }, strict);
const FollowUpBody = Type.Object({ ok: Type.Boolean(), notes: Type.Optional(Nullable(Text(1000))), photoFileId: Uuid, signatureFileId: Uuid }, strict);
const ListQuery = Type.Object({ status: Type.Optional(Enum(permitStatuses)), type: Type.Optional(Enum(permitTypes)), orgUnitId: Type.Optional(Uuid), live: Type.Optional(Type.Boolean()), ...PageQuery }, strict);
const TokenBody = Type.Object({ token: Text(100, 1) }, strict);
const ConfigT = Type.Object({ config: Type.Record(Type.String(), Type.Unknown()), version: Type.Integer() });
// The config document is checked by checkConfig in the service; its shape here is only an object.
const ConfigBody = Type.Object({ config: Type.Record(Type.String(), Type.Unknown()), version: Type.Integer({ minimum: 1 }) }, strict);
const AddWorkerBody = Type.Object({ personId: Uuid, role: Enum(workerRoles), certificateNo: Type.Optional(Nullable(Text(100))), signatureFileId: Uuid, ...VersionField }, strict);
const ConfigVersionsT = Type.Object({ items: Type.Array(Type.Object({ version: Type.Integer(), config: Type.Record(Type.String(), Type.Unknown()), createdAt: Time, createdBy: Nullable(Type.String()) })) });
const BinaryFile = (description: string) => Type.Unsafe<unknown>({ type: 'string', format: 'binary', description });

export const permitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const detail = async (request: Parameters<typeof ctxOf>[1], id: string) => getPermit(ctxOf(app, request), id);
  const deps = { publicUrl: app.deps.config.publicUrl };

  app.get('/api/v1/permits/config', { config: { permission: 'permit:read' }, schema: { tags, description: 'The tenant’s permit rules (seeded with the GB 30871 defaults on first use).', response: { 200: ConfigT, ...Responses } } }, async (request) => {
    const r = await getPermitConfig(ctxOf(app, request));
    return { config: r.config as unknown as Record<string, unknown>, version: r.version };
  });

  app.put('/api/v1/permits/config', { config: { permission: 'permit:configure' }, schema: { tags, body: ConfigBody, response: { 200: ConfigT, ...Responses } } }, async (request) => {
    const r = await updatePermitConfig(ctxOf(app, request), request.body.config as unknown as PermitConfig, expectedVersion(request, request.body.version));
    return { config: r.config as unknown as Record<string, unknown>, version: r.version };
  });

  app.get('/api/v1/permits/config/versions', { config: { permission: 'permit:read' }, schema: { tags, description: 'Earlier versions of the permit rules, newest first.', response: { 200: ConfigVersionsT, ...Responses } } }, async (request) => ({
    items: (await listPermitConfigVersions(ctxOf(app, request))).map((v) => ({ version: v.version, config: v.config as unknown as Record<string, unknown>, createdAt: v.createdAt.toISOString(), createdBy: v.createdBy })),
  }));

  app.get('/api/v1/permits', { config: { permission: 'permit:read' }, schema: { tags, querystring: ListQuery, response: { 200: Page(PermitSummaryT), ...Responses } } }, async (request) =>
    listPermits(ctxOf(app, request), { ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.get('/api/v1/permits/site', { config: { permission: 'permit:read' }, schema: { tags, description: 'Live permits (approved, active, suspended) by area, with conflict and guardian warnings.', response: { 200: Type.Object({ areas: Type.Array(Type.Object({ orgUnitId: Nullable(Type.String()), areaName: Nullable(Type.String()), permits: Type.Array(PermitSummaryT) })), warnings: Type.Integer() }), ...Responses } } }, async (request) =>
    siteView(ctxOf(app, request)),
  );

  app.post('/api/v1/permits', { config: { permission: 'permit:apply' }, schema: { tags, description: 'Apply (draft). 400 validUntil beyond the grade’s limit; 422 permit_refused worker_not_qualified with reasons per worker.', body: CreatePermitBody, response: { 201: PermitDetailT, ...Responses } } }, async (request, reply) => {
    const p = await createPermit(ctxOf(app, request), request.body);
    return reply.status(201).send(await detail(request, p.id));
  });

  app.get('/api/v1/permits/:id', { config: { permission: 'permit:read' }, schema: { tags, params: IdParams, response: { 200: PermitDetailT, ...Responses } } }, async (request) => detail(request, request.params.id));

  app.get('/api/v1/permits/:id/pdf', { config: { permission: 'permit:read' }, schema: { tags, description: 'The permit in the paper layout with its QR; 503 pdf_font_missing without a CJK font.', params: IdParams, response: { 200: BinaryFile('application/pdf'), ...Responses, 503: Problem } } }, async (request, reply) => {
    const { pdf, fileName } = await permitPdf(ctxOf(app, request), deps, request.params.id);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${encodeURIComponent(fileName)}"`).header('cache-control', 'no-store').send(pdf);
  });

  app.post('/api/v1/permits/:id/measures/:measureId/confirm', { config: { permission: 'permit:read' }, schema: { tags, description: 'The measure’s responsible person confirms it (是否涉及) with a signature image.', params: MeasureParams, body: MeasureBody, response: { 200: PermitDetailT, ...Responses } } }, async (request) => {
    await confirmMeasure(ctxOf(app, request), request.params.id, request.params.measureId, request.body);
    return detail(request, request.params.id);
  });

  app.post('/api/v1/permits/:id/gas-readings', { config: { permission: 'permit:gas_test' }, schema: { tags, description: 'Record a gas analysis; a failing one suspends an active permit.', params: IdParams, body: GasBody, response: { 201: PermitDetailT, ...Responses } } }, async (request, reply) => {
    await recordGasReading(ctxOf(app, request), request.params.id, request.body);
    return reply.status(201).send(await detail(request, request.params.id));
  });

  const action = (path: string, description: string, run: (request: Parameters<typeof ctxOf>[1], id: string, body: Record<string, unknown>) => Promise<unknown>, body: TSchema = VersionBody) =>
    app.post(`/api/v1/permits/:id/${path}`, { config: { permission: 'permit:read' }, schema: { tags, description, params: IdParams, body, response: { 200: PermitDetailT, ...Responses } } }, async (request) => {
      await run(request, request.params.id, request.body as Record<string, unknown>);
      return detail(request, request.params.id);
    });

  action('submit', 'Into the approval flow of the type and grade (permit:apply). 422 gas_test_missing, measure_unconfirmed, worker_not_qualified.', (r, id, b) => submitPermit(ctxOf(app, r), id, b.version as number | undefined));
  action('verify', 'On-site verification by the guardian or issuer: the permit’s QR token, GPS and a photo. 422 gas_test_stale, guardian_overloaded, not_started, qr_mismatch.', (r, id, b) => verifyOnSite(ctxOf(app, r), id, b as unknown as Static<typeof VerifyBody>), VerifyBody);
  action('suspend', 'Stop the work (guardian, issuer or permit:manage).', (r, id, b) => suspendPermit(ctxOf(app, r), id, b as unknown as Static<typeof ReasonBody>), ReasonBody);
  action('resume', 'Resume after an interruption; 422 gas_retest_required / gas_test_stale.', (r, id, b) => resumePermit(ctxOf(app, r), id, b as Static<typeof VersionBody>));
  action('close', 'The work is done: to closing (acceptance pending).', (r, id, b) => requestClose(ctxOf(app, r), id, b as Static<typeof VersionBody>));
  action('accept', '完工验收: site clean, fire watch done (hot work), signature.', (r, id, b) => acceptClose(ctxOf(app, r), id, b as unknown as Static<typeof AcceptBody>), AcceptBody);
  action('cancel', 'Cancel (applicant or permit:manage).', (r, id, b) => cancelPermit(ctxOf(app, r), id, b as unknown as Static<typeof ReasonBody>), ReasonBody);
  action('extend', 'Extend where the grade allows (temporary power); 422 extension_not_allowed.', (r, id, b) => extendPermit(ctxOf(app, r), id, b as unknown as Static<typeof ExtendBody>), ExtendBody);
  action('workers', 'Add a person after approval (approved, active, suspended): the issuer or permit:manage confirms with a signature; special-operation workers are checked for their certificate (422 worker_not_qualified).', (r, id, b) => addWorker(ctxOf(app, r), id, b as unknown as Static<typeof AddWorkerBody>), AddWorkerBody);
  action('follow-up', 'The fire-watch round after hot work, with photo and signature.', (r, id, b) => completeFollowUp(ctxOf(app, r), id, b as unknown as Static<typeof FollowUpBody>), FollowUpBody);

  app.post(
    '/api/v1/permit-status',
    {
      config: { public: true, rateLimitPerMinute: 60 },
      schema: { tags, security: [], description: 'The public e-permit behind the QR (<PUBLIC_URL>/permit-status#<token>): live state, names, measures, gas readings. The token travels in the body, never in a URL that logs keep.', body: TokenBody, response: { 200: PublicStatusT, ...Responses } },
    },
    async (request) => publicPermitStatus(app.deps.db, request.body.token, request.locale, (app.deps.now ?? (() => new Date()))()),
  );
};
