import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf } from '../../platform/http/app.ts';
import { IdParams, Page, PageQuery, Problem, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import { createCertificate, getCertificate, listCertificates, listPersonCertificates, revokeCertificate, updateCertificate } from './certificates.ts';
import { examRoutes } from './examRoutes.ts';
import { learningRoutes } from './learningRoutes.ts';
import { planRoutes } from './planRoutes.ts';
import { createRequirement, getTrainingConfig, updateCertificateType, updateRequirement } from './config.ts';
import type { CertificateTypeRow, RequirementRow, TrainingSettings } from './defaults.ts';
import { completeInduction, listInductions, startInduction } from './induction.ts';
import './permissions.ts';
import { checkQualification, reasonCodes } from './qualification.ts';
// Registers the reminder and lapse job handlers with the job runner.
import './reminders.ts';
import { inductionLevels } from './schema.ts';
import { certificateStatuses } from './status.ts';

/**
 * Certificates, inductions and the qualification check (issue 7), under /api/v1/training and
 * /api/v1/qualifications. Importing this file registers the permissions, job handlers and the
 * person.created subscriber; `src/server.ts` registers the plugin.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Day = Type.String({ maxLength: 10, pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'calendar day YYYY-MM-DD in the company time zone' });
const Time = Type.String({ format: 'date-time' });
const Responses = { ...ProblemResponses, 428: Problem };
const tags = ['training'];

// ---- shapes ----

const CategoryT = Type.Object({ code: Type.String(), labelZh: Type.String(), labelEn: Type.String() });
export const CertificateTypeT = Type.Object({
  id: Type.String(),
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  validityMonths: Nullable(Type.Integer()),
  reviewIntervalMonths: Nullable(Type.Integer()),
  categories: Type.Array(CategoryT),
  reminderDays: Type.Array(Type.Integer()),
  active: Type.Boolean(),
  version: Type.Integer(),
});
export type CertificateTypeT = Static<typeof CertificateTypeT>;

export const RequirementT = Type.Object({
  id: Type.String(),
  target: Type.String({ description: 'operation:<type>, equipment:<kind or id> or area:<org unit id>' }),
  typeId: Type.String(),
  categories: Type.Array(Type.String()),
  note: Nullable(Type.String()),
  active: Type.Boolean(),
  version: Type.Integer(),
});
export type RequirementT = Static<typeof RequirementT>;

const SettingsT = Type.Object({ inductionDueDays: Type.Integer(), inductionOnHire: Type.Boolean(), reminderHour: Type.Integer(), inductionMinHours: Type.Object({ company: Type.Integer(), workshop: Type.Integer(), team: Type.Integer() }), version: Type.Integer() });

export const TrainingConfigT = Type.Object({ types: Type.Array(CertificateTypeT), requirements: Type.Array(RequirementT), settings: SettingsT });
export type TrainingConfigT = Static<typeof TrainingConfigT>;

export const CertificateT = Type.Object({
  id: Type.String(),
  personId: Type.String(),
  personName: Type.String(),
  employeeNo: Type.String(),
  personKind: Type.Union([Type.Literal('employee'), Type.Literal('contractor')]),
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  typeId: Type.String(),
  typeCode: Type.String(),
  typeName: Type.String(),
  category: Nullable(Type.String()),
  categoryLabel: Nullable(Type.String()),
  number: Type.String(),
  issuer: Type.String(),
  issuedOn: Type.String(),
  validUntil: Type.String(),
  nextReviewOn: Nullable(Type.String()),
  scanFileId: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  status: Type.Enum(Object.fromEntries(certificateStatuses.map((s) => [s, s])) as Record<(typeof certificateStatuses)[number], (typeof certificateStatuses)[number]>),
  daysToExpiry: Type.Integer(),
  daysToReview: Nullable(Type.Integer()),
  revokedAt: Nullable(Time),
  revokeReason: Nullable(Type.String()),
  createdAt: Time,
  updatedAt: Time,
  version: Type.Integer(),
});
export type CertificateT = Static<typeof CertificateT>;

const InductionT = Type.Object({
  id: Type.String(),
  personId: Type.String(),
  level: Type.Enum(Object.fromEntries(inductionLevels.map((l) => [l, l])) as Record<(typeof inductionLevels)[number], (typeof inductionLevels)[number]>),
  status: Type.Union([Type.Literal('pending'), Type.Literal('completed')]),
  dueOn: Nullable(Type.String()),
  completedAt: Nullable(Time),
  hours: Nullable(Type.Integer()),
  trainer: Nullable(Type.String()),
  version: Type.Integer(),
});
export type InductionT = Static<typeof InductionT>;

export const QualificationResultT = Type.Object({
  allowed: Type.Boolean(),
  personId: Type.String(),
  target: Type.String(),
  checkedOn: Type.String(),
  reasons: Type.Array(
    Type.Object({
      code: Type.Enum(Object.fromEntries(reasonCodes.map((c) => [c, c])) as Record<(typeof reasonCodes)[number], (typeof reasonCodes)[number]>),
      detail: Type.String(),
      certificateId: Type.Optional(Type.String()),
      requirementId: Type.Optional(Type.String()),
    }),
  ),
});
export type QualificationResultT = Static<typeof QualificationResultT>;

// ---- inputs ----

const StatusQ = Type.Enum(Object.fromEntries(certificateStatuses.map((s) => [s, s])) as Record<(typeof certificateStatuses)[number], (typeof certificateStatuses)[number]>);

export const ListQuery = Type.Object(
  {
    typeId: Type.Optional(Uuid),
    status: Type.Optional(StatusQ),
    expiringWithinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
    departmentId: Type.Optional(Uuid),
    personId: Type.Optional(Uuid),
    q: Type.Optional(Text(100)),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

const fieldProps = {
  category: Type.Optional(Nullable(Text(40, 1))),
  number: Type.Optional(Text(100, 1)),
  issuer: Type.Optional(Text(200, 1)),
  issuedOn: Type.Optional(Day),
  validUntil: Type.Optional(Day),
  nextReviewOn: Type.Optional(Nullable(Day)),
  scanFileId: Type.Optional(Nullable(Uuid)),
  notes: Type.Optional(Nullable(Text(2000))),
};

export const CreateCertificateBody = Type.Object(
  { ...fieldProps, personId: Uuid, typeId: Uuid, number: Text(100, 1), issuer: Text(200, 1), issuedOn: Day },
  { additionalProperties: false, description: 'validUntil and nextReviewOn default from the type (validity, review interval) when left out.' },
);
export type CreateCertificateBody = Static<typeof CreateCertificateBody>;

export const UpdateCertificateBody = Type.Object({ ...fieldProps, ...VersionField }, { additionalProperties: false });
export type UpdateCertificateBody = Static<typeof UpdateCertificateBody>;

export const RevokeBody = Type.Object({ reason: Text(500, 1), ...VersionField }, { additionalProperties: false });
export type RevokeBody = Static<typeof RevokeBody>;

const LevelParams = Type.Object({ id: Uuid, level: Type.Enum(Object.fromEntries(inductionLevels.map((l) => [l, l])) as Record<(typeof inductionLevels)[number], (typeof inductionLevels)[number]>) }, { additionalProperties: false });
export const CompleteInductionBody = Type.Object({ hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 500 })), trainer: Type.Optional(Text(100)), ...VersionField }, { additionalProperties: false });

export const CheckQuery = Type.Object(
  { personId: Uuid, for: Type.String({ minLength: 3, maxLength: 120, description: 'operation:<hot_work|confined_space|blinding|height|lifting|temp_power|excavation|road_closure>, equipment:<kind or id>, area:<org unit id>' }) },
  { additionalProperties: false },
);
export type CheckQuery = Static<typeof CheckQuery>;

export const TypePatchBody = Type.Object(
  {
    validityMonths: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 600 }))),
    reviewIntervalMonths: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 600 }))),
    reminderDays: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 365 }), { maxItems: 10 })),
    active: Type.Optional(Type.Boolean()),
    ...VersionField,
  },
  { additionalProperties: false },
);

export const NewRequirementBody = Type.Object(
  { target: Type.String({ minLength: 3, maxLength: 120 }), typeId: Uuid, categories: Type.Array(Text(40, 1), { maxItems: 20 }), note: Type.Optional(Nullable(Text(500))) },
  { additionalProperties: false },
);
export const RequirementPatchBody = Type.Object(
  { active: Type.Optional(Type.Boolean()), categories: Type.Optional(Type.Array(Text(40, 1), { maxItems: 20 })), note: Type.Optional(Nullable(Text(500))), ...VersionField },
  { additionalProperties: false },
);

// ---- DTOs ----

const typeDto = (t: CertificateTypeRow): CertificateTypeT => ({
  id: t.id,
  code: t.code,
  nameZh: t.nameZh,
  nameEn: t.nameEn,
  validityMonths: t.validityMonths,
  reviewIntervalMonths: t.reviewIntervalMonths,
  categories: t.categories,
  reminderDays: t.reminderDays,
  active: t.active,
  version: t.version,
});
const requirementDto = (r: RequirementRow): RequirementT => ({ id: r.id, target: `${r.targetKind}:${r.targetKey}`, typeId: r.typeId, categories: r.categories, note: r.note, active: r.active, version: r.version });
const settingsDto = (s: TrainingSettings) => ({ inductionDueDays: s.inductionDueDays, inductionOnHire: s.inductionOnHire, reminderHour: s.reminderHour, inductionMinHours: s.inductionMinHours, version: s.version });

export const trainingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Question bank, exams and attempts live in their own plugin file.
  await app.register(examRoutes);
  await app.register(learningRoutes);
  await app.register(planRoutes);

  // ---- configuration ----
  app.get(
    '/api/v1/training/config',
    { config: { permission: 'training:read' }, schema: { tags, description: 'Certificate types, qualification requirements and settings (seeded on first use).', response: { 200: TrainingConfigT, ...Responses } } },
    async (request) => {
      const c = await getTrainingConfig(ctxOf(app, request));
      return { types: c.types.map(typeDto), requirements: c.requirements.map(requirementDto), settings: settingsDto(c.settings) };
    },
  );

  app.patch(
    '/api/v1/training/config/types/:id',
    { config: { permission: 'training:configure' }, schema: { tags, params: IdParams, body: TypePatchBody, response: { 200: CertificateTypeT, ...Responses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return typeDto(await updateCertificateType(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version)));
    },
  );

  app.post(
    '/api/v1/training/config/requirements',
    { config: { permission: 'training:configure' }, schema: { tags, body: NewRequirementBody, response: { 201: RequirementT, ...Responses } } },
    async (request, reply) => reply.status(201).send(requirementDto(await createRequirement(ctxOf(app, request), request.body))),
  );

  app.patch(
    '/api/v1/training/config/requirements/:id',
    { config: { permission: 'training:configure' }, schema: { tags, params: IdParams, body: RequirementPatchBody, response: { 200: RequirementT, ...Responses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return requirementDto(await updateRequirement(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version)));
    },
  );

  // ---- certificates ----
  app.get(
    '/api/v1/training/certificates',
    { config: { permission: 'training:read' }, schema: { tags, description: 'The certificate register, soonest expiry first, in the caller’s data scope.', querystring: ListQuery, response: { 200: Page(CertificateT), ...Responses } } },
    async (request) => listCertificates(ctxOf(app, request), { ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.post(
    '/api/v1/training/certificates',
    { config: { permission: 'training:write' }, schema: { tags, body: CreateCertificateBody, response: { 201: CertificateT, ...Responses } } },
    async (request, reply) => reply.status(201).send(await createCertificate(ctxOf(app, request), request.body)),
  );

  app.get(
    '/api/v1/training/certificates/:id',
    { config: { permission: 'training:read' }, schema: { tags, params: IdParams, response: { 200: CertificateT, ...Responses } } },
    async (request) => getCertificate(ctxOf(app, request), request.params.id),
  );

  app.patch(
    '/api/v1/training/certificates/:id',
    { config: { permission: 'training:write' }, schema: { tags, description: 'Correct or renew a certificate; changed dates re-arm the reminders.', params: IdParams, body: UpdateCertificateBody, response: { 200: CertificateT, ...Responses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateCertificate(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version));
    },
  );

  app.post(
    '/api/v1/training/certificates/:id/revoke',
    { config: { permission: 'training:write' }, schema: { tags, params: IdParams, body: RevokeBody, response: { 200: CertificateT, ...Responses } } },
    async (request) => revokeCertificate(ctxOf(app, request), request.params.id, { reason: request.body.reason }, expectedVersion(request, request.body.version)),
  );

  // A person always reads their own file; the service asks training:read for anybody else's.
  app.get(
    '/api/v1/training/people/:id/certificates',
    { config: { authenticated: true }, schema: { tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(CertificateT) }), ...Responses } } },
    async (request) => listPersonCertificates(ctxOf(app, request), request.params.id),
  );

  app.get(
    '/api/v1/training/my/certificates',
    { config: { authenticated: true }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(CertificateT) }), ...Responses } } },
    async (request) => {
      const ctx = ctxOf(app, request);
      if (!ctx.actor.personId) return { items: [] };
      return listPersonCertificates(ctx, ctx.actor.personId);
    },
  );

  // ---- induction ----
  app.get(
    '/api/v1/training/people/:id/inductions',
    { config: { authenticated: true }, schema: { tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(InductionT) }), ...Responses } } },
    async (request) => listInductions(ctxOf(app, request), request.params.id),
  );

  app.post(
    '/api/v1/training/people/:id/inductions',
    { config: { permission: 'training:write' }, schema: { tags, description: 'Open the company, workshop and team induction levels for a person (those missing).', params: IdParams, response: { 200: Type.Object({ items: Type.Array(InductionT) }), ...Responses } } },
    async (request) => startInduction(ctxOf(app, request), request.params.id),
  );

  app.post(
    '/api/v1/training/people/:id/inductions/:level/complete',
    { config: { permission: 'training:write' }, schema: { tags, params: LevelParams, body: CompleteInductionBody, response: { 200: InductionT, ...Responses } } },
    async (request) => {
      const { version, ...input } = request.body;
      return completeInduction(ctxOf(app, request), request.params.id, request.params.level, input, expectedVersion(request, version));
    },
  );

  // ---- qualification check (permits, door access, machine interlocks; API tokens welcome) ----
  app.get(
    '/api/v1/qualifications/check',
    {
      config: { permission: 'qualification:check' },
      schema: { tags: ['qualifications'], description: 'May this person do this today? allowed plus the reasons when not. Every check is audited.', querystring: CheckQuery, response: { 200: QualificationResultT, ...Responses } },
    },
    async (request) => checkQualification(ctxOf(app, request), { personId: request.query.personId, target: request.query.for }),
  );
};
