import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import type { Ctx } from '../../platform/auth/actor.ts';
import { ctxOf } from '../../platform/http/app.ts';
import { IdParams, Page, PageQuery, Problem, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import { createLocalBlobStore } from '../../platform/files/storage.ts';
import { XLSX_MIME } from '../../platform/org/exportExcel.ts';
import { assignHazard, createAssignmentRule, handBackHazard, listAssignmentRules, previewAssignment, reassignHazard, updateAssignmentRule } from './assignment.ts';
import { createDictItem, getHazardConfig, updateDictItem, updateHazardSettings, updateSlaPolicy } from './dictionaries.ts';
import { mergeHazard } from './duplicates.ts';
import { exportHazards, hazardImportTemplate, importHazards, MAX_IMPORT_BYTES } from './excel.ts';
import { readUploadedFile } from '../../platform/http/upload.ts';
import { hazardFigures } from './figures.ts';
import { detailAfter, getHazard, hazardSorts, listHazards, trackHazard } from './ledger.ts';
import { hazardStates } from './lifecycle.ts';
import './permissions.ts';
import { getNotice, hazardNoticePdf, issueNotice, MAX_NOTICE_HAZARDS, noticePdf } from './notice.ts';
import { hazardLeaderboard } from './points.ts';
import { areaLabelsPdf, areaQr, listReportAreas } from './areas.ts';
import { listPendingExtensions } from './extensionInbox.ts';
import { regradeHazard } from './regrade.ts';
import { acceptHazard, decideExtension, rejectHazard, requestExtension, savePlan, submitRectification } from './rectify.ts';
import { reportHazard } from './report.ts';
import { dictionaryKinds, hazardLevels, hazardOrigins } from './schema.ts';
// Registers the SLA job handlers (reminder, breach, escalation) with the job runner.
import './sla.ts';
import type { HazardRow } from './store.ts';
import { failHazard, markReportedToAuthority, passHazard, reopenHazard, saveTreatmentPlan, signOffHazard } from './verify.ts';

/**
 * Hazard reporting and rectification (issue 4), under /api/v1/hazards. Importing this file registers the
 * module's permissions and SLA job handlers; `src/server.ts` registers the plugin.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Time = Type.String({ format: 'date-time' });
const NullableTime = Nullable(Time);
const Responses = { ...ProblemResponses, 413: Problem, 415: Problem, 428: Problem };

export const HazardStatusT = Type.Enum([...hazardStates]);
export const HazardLevelT = Type.Enum([...hazardLevels]);
const DictKindT = Type.Enum([...dictionaryKinds]);
const Code = Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z][a-z0-9_]*$' });
const Money = Type.Number({ minimum: 0, maximum: 10_000_000_000, description: 'yuan (元)' });
const Photos = (min: number) => Type.Array(Uuid, { minItems: min, maxItems: 9, description: 'ids of uploaded images (POST /api/v1/files)' });
/** `YYYY-MM-DD` (a day in the company's time zone; `to` includes it) or an ISO date-time. */
const DateBound = Type.String({ maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:?\\d{2}))?$' });

// ---------------------------------------------------------------------------------------------------------
// Response shapes
// ---------------------------------------------------------------------------------------------------------

export const FileRefT = Type.Object({ id: Type.String(), url: Type.String(), thumbUrl: Nullable(Type.String()), mime: Type.String(), kind: Type.String() });

const listItemProps = {
  id: Type.String(),
  number: Type.String({ description: 'YH-<year>-<6 digits>, per company and year' }),
  title: Type.String(),
  status: HazardStatusT,
  level: HazardLevelT,
  levelLabel: Type.String(),
  category: Type.String(),
  categoryLabel: Type.String(),
  source: Nullable(Type.String()),
  sourceLabel: Nullable(Type.String()),
  orgUnitId: Nullable(Type.String()),
  areaName: Nullable(Type.String()),
  departmentId: Nullable(Type.String()),
  departmentName: Nullable(Type.String()),
  anonymous: Type.Boolean(),
  reporterUserId: Nullable(Type.String()),
  reporterName: Nullable(Type.String()),
  reportedAt: Time,
  assigneeUserId: Nullable(Type.String()),
  assigneeName: Nullable(Type.String()),
  assigneeUnitId: Nullable(Type.String()),
  assigneeUnitName: Nullable(Type.String()),
  respondDueAt: NullableTime,
  rectifyDueAt: NullableTime,
  respondOverdue: Type.Boolean(),
  rectifyOverdue: Type.Boolean(),
  escalationLevel: Type.Integer(),
  reworkCount: Type.Integer(),
  fixOnSpot: Type.Boolean(),
  possibleDuplicateOf: Nullable(Type.String()),
  mergedIntoId: Nullable(Type.String()),
  closedAt: NullableTime,
  thumbUrl: Nullable(Type.String()),
  version: Type.Integer(),
};
export const HazardListItem = Type.Object(listItemProps);
export type HazardListItem = Static<typeof HazardListItem>;

const PlanT = Type.Object({
  measures: Type.String(),
  fundsYuan: Type.Number(),
  deadline: Type.String(),
  responsiblePersonId: Type.String(),
  responsiblePersonName: Nullable(Type.String()),
  interimMeasures: Type.String(),
});

const treatmentPlanProps = {
  goal: Text(4000, 1),
  methods: Text(4000, 1),
  fundsYuan: Money,
  materials: Text(4000, 1),
  responsibleOrg: Text(200, 1),
  responsiblePeople: Text(500, 1),
  timeLimit: Time,
  requirements: Text(4000, 1),
  safetyMeasures: Text(4000, 1),
  emergencyPlan: Text(4000, 1),
};
const TreatmentPlanT = Type.Object({
  goal: Type.String(),
  methods: Type.String(),
  fundsYuan: Type.Number(),
  materials: Type.String(),
  responsibleOrg: Type.String(),
  responsiblePeople: Type.String(),
  timeLimit: Type.String(),
  requirements: Type.String(),
  safetyMeasures: Type.String(),
  emergencyPlan: Type.String(),
});

export const HazardDetail = Type.Object({
  ...listItemProps,
  description: Nullable(Type.String()),
  location: Nullable(Type.Object({ lat: Type.Number(), lng: Type.Number(), accuracy: Nullable(Type.Number()) })),
  photos: Type.Array(FileRefT),
  video: Nullable(FileRefT),
  voice: Nullable(FileRefT),
  suggestedFix: Nullable(Type.String()),
  verifierUserId: Nullable(Type.String()),
  verifierName: Nullable(Type.String()),
  assignedAt: NullableTime,
  assignmentRuleId: Nullable(Type.String()),
  respondedAt: NullableTime,
  plan: Nullable(PlanT),
  afterPhotos: Type.Array(FileRefT),
  rectifyNotes: Nullable(Type.String()),
  submittedAt: NullableTime,
  closedOnTime: Nullable(Type.Boolean()),
  rejectedAt: NullableTime,
  rejectReason: Nullable(Type.String()),
  possibleDuplicateNumber: Nullable(Type.String()),
  mergedIntoNumber: Nullable(Type.String()),
  treatmentPlan: Nullable(TreatmentPlanT),
  treatmentPlanVersion: Type.Integer(),
  reportToAuthority: Type.Boolean(),
  reportedToAuthorityAt: NullableTime,
  authorityReference: Nullable(Type.String()),
  origin: Type.Enum([...hazardOrigins]),
  alarmId: Nullable(Type.String({ description: 'The IoT alarm this hazard was opened from (origin alarm): GET /api/v1/iot/alarms/{alarmId}' })),
  timeline: Type.Array(
    Type.Object({
      id: Type.String(),
      at: Time,
      action: Type.String(),
      actorUserId: Nullable(Type.String()),
      actorName: Nullable(Type.String()),
      fromStatus: Nullable(HazardStatusT),
      toStatus: Nullable(HazardStatusT),
      comment: Nullable(Type.String()),
      photos: Type.Array(FileRefT),
      data: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  extensions: Type.Array(
    Type.Object({
      id: Type.String(),
      requestedBy: Type.String(),
      requestedByName: Nullable(Type.String()),
      requestedAt: Time,
      previousDueAt: NullableTime,
      newDueAt: Time,
      reason: Type.String(),
      status: Type.Enum(['pending', 'approved', 'refused']),
      decidedBy: Nullable(Type.String()),
      decidedByName: Nullable(Type.String()),
      decidedAt: NullableTime,
      decisionComment: Nullable(Type.String()),
    }),
  ),
  signoffs: Type.Array(
    Type.Object({
      id: Type.String(),
      userId: Type.String(),
      userName: Nullable(Type.String()),
      roleCodes: Type.Array(Type.String()),
      planVersion: Type.Integer(),
      comment: Nullable(Type.String()),
      signedAt: Time,
    }),
  ),
  signoffRequirements: Type.Array(
    Type.Object({
      kind: Type.Enum(['role', 'user']),
      code: Nullable(Type.String()),
      userId: Nullable(Type.String()),
      label: Type.String(),
      satisfied: Type.Boolean(),
      signedBy: Nullable(Type.String()),
    }),
  ),
  points: Type.Array(Type.Object({ hazardId: Type.String(), userId: Type.String(), reason: Type.String(), points: Type.Integer(), at: Time })),
  actions: Type.Array(Type.String(), { description: 'What the caller may do now' }),
  blockers: Type.Array(Type.String(), { description: 'Why a hazard that needs a treatment plan cannot be closed yet' }),
});
export type HazardDetail = Static<typeof HazardDetail>;

export const ReportResponse = Type.Object({
  ...HazardDetail.properties,
  trackingCode: Nullable(Type.String({ description: 'Anonymous reports only: shown once, opens GET /api/v1/hazards/track/{code}' })),
});

// ---------------------------------------------------------------------------------------------------------
// Request shapes
// ---------------------------------------------------------------------------------------------------------

export const ReportBody = Type.Object(
  {
    title: Text(200, 1),
    description: Type.Optional(Nullable(Text(4000))),
    category: Code,
    level: HazardLevelT,
    source: Type.Optional(Nullable(Code)),
    orgUnitId: Uuid,
    location: Type.Optional(
      Nullable(
        Type.Object(
          {
            lat: Type.Number({ minimum: -90, maximum: 90 }),
            lng: Type.Number({ minimum: -180, maximum: 180 }),
            accuracy: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 100_000 }))),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    photoIds: Photos(1),
    videoId: Type.Optional(Nullable(Uuid)),
    voiceId: Type.Optional(Nullable(Uuid)),
    suggestedFix: Type.Optional(Nullable(Text(2000))),
    anonymous: Type.Optional(Type.Boolean({ description: 'Store no reporter identity; the answer carries a tracking code' })),
    fixOnSpot: Type.Optional(Type.Boolean({ description: '即查即改: fixed at once, goes straight to verification' })),
    afterPhotoIds: Type.Optional(Photos(0)),
    rectifyNotes: Type.Optional(Nullable(Text(2000))),
  },
  { additionalProperties: false },
);
export type ReportBody = Static<typeof ReportBody>;

const Comment = Type.Optional(Nullable(Text(1000)));
const Reason = Text(1000, 1);

export const CommentBody = Type.Object({ comment: Comment, ...VersionField }, { additionalProperties: false });
export type CommentBody = Static<typeof CommentBody>;
export const ReasonBody = Type.Object({ reason: Reason, ...VersionField }, { additionalProperties: false });
export type ReasonBody = Static<typeof ReasonBody>;
export const AssignBody = Type.Object({ userId: Uuid, unitId: Type.Optional(Uuid), verifierUserId: Type.Optional(Uuid), comment: Comment, ...VersionField }, { additionalProperties: false });
export type AssignBody = Static<typeof AssignBody>;
export const ReassignBody = Type.Object({ userId: Uuid, unitId: Type.Optional(Uuid), reason: Reason, ...VersionField }, { additionalProperties: false });
export type ReassignBody = Static<typeof ReassignBody>;
export const PlanBody = Type.Object(
  { measures: Text(4000, 1), fundsYuan: Money, deadline: Time, responsiblePersonId: Uuid, interimMeasures: Text(4000, 1), ...VersionField },
  { additionalProperties: false },
);
export type PlanBody = Static<typeof PlanBody>;
export const ExtensionBody = Type.Object({ newDueAt: Time, reason: Reason, ...VersionField }, { additionalProperties: false });
export type ExtensionBody = Static<typeof ExtensionBody>;
export const DecisionBody = Type.Object({ approve: Type.Boolean(), comment: Comment, ...VersionField }, { additionalProperties: false });
export type DecisionBody = Static<typeof DecisionBody>;
export const SubmitBody = Type.Object({ afterPhotoIds: Photos(1), notes: Type.Optional(Nullable(Text(2000))), ...VersionField }, { additionalProperties: false });
export type SubmitBody = Static<typeof SubmitBody>;
export const PassBody = Type.Object({ comment: Comment, photoIds: Type.Optional(Photos(0)), ...VersionField }, { additionalProperties: false });
export type PassBody = Static<typeof PassBody>;
export const FailBody = Type.Object({ reason: Reason, photoIds: Type.Optional(Photos(0)), ...VersionField }, { additionalProperties: false });
export type FailBody = Static<typeof FailBody>;
export const MergeBody = Type.Object({ intoId: Uuid, comment: Comment, ...VersionField }, { additionalProperties: false });
export type MergeBody = Static<typeof MergeBody>;
export const TreatmentPlanBody = Type.Object({ ...treatmentPlanProps, ...VersionField }, { additionalProperties: false });
export type TreatmentPlanBody = Static<typeof TreatmentPlanBody>;
export const RegradeBody = Type.Object(
  {
    level: Type.Optional(HazardLevelT),
    category: Type.Optional(Code),
    reason: Reason,
    ...VersionField,
  },
  { additionalProperties: false, description: 'At least one of level and category, different from now' },
);
export type RegradeBody = Static<typeof RegradeBody>;
export const AuthorityBody = Type.Object({ reportedAt: Type.Optional(Time), reference: Type.Optional(Nullable(Text(200))), ...VersionField }, { additionalProperties: false });
export type AuthorityBody = Static<typeof AuthorityBody>;

const filterProps = {
  status: Type.Optional(Type.Array(HazardStatusT, { maxItems: 7 })),
  level: Type.Optional(Type.Array(HazardLevelT, { maxItems: 3 })),
  category: Type.Optional(Type.Array(Code, { maxItems: 20 })),
  source: Type.Optional(Code),
  areaUnitId: Type.Optional(Uuid),
  departmentId: Type.Optional(Uuid),
  reporterUserId: Type.Optional(Uuid),
  assigneeUserId: Type.Optional(Uuid),
  from: Type.Optional(DateBound),
  to: Type.Optional(DateBound),
  overdue: Type.Optional(Type.Boolean({ description: 'open and past a response or rectification deadline' })),
  possibleDuplicate: Type.Optional(Type.Boolean()),
  q: Type.Optional(Text(100)),
  mine: Type.Optional(Type.Enum(['reported', 'assigned', 'verify'])),
};
export const ListQuery = Type.Object({ ...filterProps, sort: Type.Optional(Type.Enum([...hazardSorts])), ...PageQuery }, { additionalProperties: false });
export type ListQuery = Static<typeof ListQuery>;
export const ExportQuery = Type.Object(filterProps, { additionalProperties: false });
export type ExportQuery = Static<typeof ExportQuery>;

export const FiguresQuery = Type.Object(
  {
    from: Type.Optional(DateBound),
    to: Type.Optional(DateBound),
    groupBy: Type.Optional(Type.Enum(['department', 'month'])),
    level: filterProps.level,
    category: filterProps.category,
    areaUnitId: filterProps.areaUnitId,
    departmentId: filterProps.departmentId,
  },
  { additionalProperties: false },
);
export type FiguresQuery = Static<typeof FiguresQuery>;

const FigureRowT = Type.Object({
  key: Nullable(Type.String()),
  label: Nullable(Type.String()),
  reported: Type.Integer(),
  open: Type.Integer(),
  overdue: Type.Integer(),
  closed: Type.Integer(),
  rejected: Type.Integer(),
  onTimeRate: Nullable(Type.Number()),
  meanHoursToRespond: Nullable(Type.Number()),
  meanHoursToClose: Nullable(Type.Number()),
  reworkRate: Nullable(Type.Number()),
});
export const FiguresResponse = Type.Object({ from: Type.String(), to: Type.String(), groupBy: Type.Enum(['department', 'month']), total: FigureRowT, groups: Type.Array(FigureRowT) });

export const LeaderboardQuery = Type.Object({ month: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', maxLength: 7, description: 'YYYY-MM; default this month' })) }, { additionalProperties: false });
export type LeaderboardQuery = Static<typeof LeaderboardQuery>;
export const LeaderboardResponse = Type.Object({
  month: Type.String(),
  departments: Type.Array(Type.Object({ departmentId: Nullable(Type.String()), name: Nullable(Type.String()), points: Type.Integer(), people: Type.Integer() })),
  people: Type.Array(
    Type.Object({
      userId: Type.String(),
      name: Type.String(),
      departmentId: Nullable(Type.String()),
      departmentName: Nullable(Type.String()),
      points: Type.Integer(),
      validReports: Type.Integer(),
      verifiedFixes: Type.Integer(),
    }),
  ),
});

export const TrackParams = Type.Object({ code: Type.String({ pattern: '^[0-9A-HJKMNP-TV-Z]{16}$', maxLength: 16 }) }, { additionalProperties: false });
export const TrackResponse = Type.Object({
  number: Type.String(),
  status: HazardStatusT,
  level: HazardLevelT,
  levelLabel: Type.String(),
  category: Type.String(),
  categoryLabel: Type.String(),
  reportedAt: Time,
  closedAt: NullableTime,
  timeline: Type.Array(Type.Object({ at: Time, action: Type.String(), toStatus: Nullable(HazardStatusT) })),
});

export const ImportQuery = Type.Object({ dryRun: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false });
export const ImportResult = Type.Object({ ok: Type.Literal(true), dryRun: Type.Boolean(), created: Type.Integer(), numbers: Type.Array(Type.String()) });
const XlsxFile = Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: XLSX_MIME });

// ---- rectification notices (整改通知书) ----

export const NoticeBody = Type.Object(
  { hazardIds: Type.Array(Uuid, { minItems: 1, maxItems: MAX_NOTICE_HAZARDS, description: 'open hazards of one responsible department, printed in this order' }) },
  { additionalProperties: false },
);
export type NoticeBody = Static<typeof NoticeBody>;
export const NoticeT = Type.Object({
  id: Type.String(),
  number: Type.String({ description: 'ZG-<year>-<4 digits>, per company and year' }),
  departmentId: Type.String(),
  departmentName: Nullable(Type.String()),
  issuedAt: Time,
  issuedBy: Nullable(Type.String()),
  issuedByName: Nullable(Type.String()),
  pdfUrl: Type.String(),
  hazards: Type.Array(Type.Object({ id: Type.String(), number: Type.String(), title: Type.String(), status: HazardStatusT, level: HazardLevelT })),
  version: Type.Integer(),
});
const PdfFile = Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: 'application/pdf' });
const PdfResponses = { ...Responses, 503: Problem };

export const AreaT = Type.Object({
  id: Type.String(),
  parentId: Nullable(Type.String()),
  kind: Type.String(),
  code: Type.String(),
  name: Type.String(),
  path: Type.String(),
  depth: Type.Integer(),
  sort: Type.Integer(),
});
export type AreaT = Static<typeof AreaT>;
const QrParams = Type.Object({ id: Uuid, format: Type.Enum(['png', 'svg']) }, { additionalProperties: false });
const LabelsQuery = Type.Object({ rootId: Type.Optional(Uuid) }, { additionalProperties: false });
const ImageFile = Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: 'image/png or image/svg+xml' });
export const PendingExtensionT = Type.Object({
  id: Type.String(),
  requestedBy: Type.String(),
  requestedByName: Nullable(Type.String()),
  requestedAt: Time,
  previousDueAt: NullableTime,
  newDueAt: Time,
  reason: Type.String(),
  hazard: HazardListItem,
});
export type PendingExtensionT = Static<typeof PendingExtensionT>;
const PendingQuery = Type.Object(PageQuery, { additionalProperties: false });

// ---- configuration ----

const DictItemT = Type.Object({ code: Type.String(), labelZh: Type.String(), labelEn: Type.String(), extCode: Nullable(Type.String()), sort: Type.Integer(), active: Type.Boolean(), version: Type.Integer() });
const slaProps = {
  respondMinutes: Type.Integer({ minimum: 1, maximum: 525_600 }),
  rectifyMinutes: Type.Integer({ minimum: 1, maximum: 1_051_200 }),
  reminderPercent: Type.Integer({ minimum: 1, maximum: 99 }),
  escalationDelayMinutes: Type.Integer({ minimum: 0, maximum: 43_200 }),
  verifyMinutes: Type.Integer({ minimum: 1, maximum: 525_600 }),
  planRequired: Type.Boolean(),
  requiresTreatmentPlan: Type.Boolean(),
};
const SlaPolicyT = Type.Object({ level: HazardLevelT, ...slaProps, version: Type.Integer() });
const RoleCodes = Type.Array(Text(50, 1), { maxItems: 20 });
const settingsProps = {
  duplicateWindowHours: Type.Integer({ minimum: 0, maximum: 720 }),
  pointsValidReport: Type.Integer({ minimum: -100, maximum: 100 }),
  pointsVerifiedFix: Type.Integer({ minimum: -100, maximum: 100 }),
  pointsRejectedReport: Type.Integer({ minimum: -100, maximum: 100 }),
  signoffRoleCodes: RoleCodes,
  signoffUserIds: Type.Array(Uuid, { maxItems: 50 }),
  triageRoleCodes: RoleCodes,
  escalationRoleCodes: RoleCodes,
  reporterVerifies: Type.Boolean({ description: '谁发现谁验收: the named reporter verifies the fix, whatever their role' }),
};
const SettingsT = Type.Object({
  duplicateWindowHours: Type.Integer(),
  pointsValidReport: Type.Integer(),
  pointsVerifiedFix: Type.Integer(),
  pointsRejectedReport: Type.Integer(),
  signoffRoleCodes: Type.Array(Type.String()),
  signoffUserIds: Type.Array(Type.String()),
  triageRoleCodes: Type.Array(Type.String()),
  escalationRoleCodes: Type.Array(Type.String()),
  reporterVerifies: Type.Boolean(),
  version: Type.Integer(),
});
export const ConfigResponse = Type.Object({ categories: Type.Array(DictItemT), sources: Type.Array(DictItemT), levels: Type.Array(DictItemT), slaPolicies: Type.Array(SlaPolicyT), settings: SettingsT });

export const SettingsBody = Type.Object(
  {
    duplicateWindowHours: Type.Optional(settingsProps.duplicateWindowHours),
    pointsValidReport: Type.Optional(settingsProps.pointsValidReport),
    pointsVerifiedFix: Type.Optional(settingsProps.pointsVerifiedFix),
    pointsRejectedReport: Type.Optional(settingsProps.pointsRejectedReport),
    signoffRoleCodes: Type.Optional(settingsProps.signoffRoleCodes),
    signoffUserIds: Type.Optional(settingsProps.signoffUserIds),
    triageRoleCodes: Type.Optional(settingsProps.triageRoleCodes),
    escalationRoleCodes: Type.Optional(settingsProps.escalationRoleCodes),
    reporterVerifies: Type.Optional(settingsProps.reporterVerifies),
    ...VersionField,
  },
  { additionalProperties: false },
);
export type SettingsBody = Static<typeof SettingsBody>;
export const SlaBody = Type.Object(
  {
    respondMinutes: Type.Optional(slaProps.respondMinutes),
    rectifyMinutes: Type.Optional(slaProps.rectifyMinutes),
    reminderPercent: Type.Optional(slaProps.reminderPercent),
    escalationDelayMinutes: Type.Optional(slaProps.escalationDelayMinutes),
    verifyMinutes: Type.Optional(slaProps.verifyMinutes),
    planRequired: Type.Optional(slaProps.planRequired),
    requiresTreatmentPlan: Type.Optional(slaProps.requiresTreatmentPlan),
    ...VersionField,
  },
  { additionalProperties: false },
);
export type SlaBody = Static<typeof SlaBody>;
export const NewDictItemBody = Type.Object(
  { code: Code, labelZh: Text(50, 1), labelEn: Text(80, 1), extCode: Type.Optional(Nullable(Text(20))), sort: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })) },
  { additionalProperties: false },
);
export type NewDictItemBody = Static<typeof NewDictItemBody>;
export const DictItemBody = Type.Object(
  {
    labelZh: Type.Optional(Text(50, 1)),
    labelEn: Type.Optional(Text(80, 1)),
    extCode: Type.Optional(Nullable(Text(20))),
    sort: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
    active: Type.Optional(Type.Boolean()),
    ...VersionField,
  },
  { additionalProperties: false },
);
export type DictItemBody = Static<typeof DictItemBody>;
const KindParams = Type.Object({ kind: DictKindT }, { additionalProperties: false });
const KindCodeParams = Type.Object({ kind: DictKindT, code: Code }, { additionalProperties: false });
const LevelParams = Type.Object({ level: HazardLevelT }, { additionalProperties: false });
const ExtensionParams = Type.Object({ id: Uuid, extensionId: Uuid }, { additionalProperties: false });

export const RuleT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  priority: Type.Integer(),
  category: Nullable(Type.String()),
  areaUnitId: Nullable(Type.String()),
  areaUnitName: Nullable(Type.String()),
  responsibleUnitId: Nullable(Type.String()),
  responsibleUnitName: Nullable(Type.String()),
  responsibleUserId: Nullable(Type.String()),
  responsibleUserName: Nullable(Type.String()),
  active: Type.Boolean(),
  version: Type.Integer(),
});
const ruleProps = {
  category: Type.Optional(Nullable(Code)),
  areaUnitId: Type.Optional(Nullable(Uuid)),
  responsibleUnitId: Type.Optional(Nullable(Uuid)),
  responsibleUserId: Type.Optional(Nullable(Uuid)),
  active: Type.Optional(Type.Boolean()),
};
export const NewRuleBody = Type.Object(
  { name: Text(100, 1), priority: Type.Integer({ minimum: 0, maximum: 100_000, description: 'lower runs first' }), ...ruleProps },
  { additionalProperties: false },
);
export type NewRuleBody = Static<typeof NewRuleBody>;
export const RuleBody = Type.Object(
  { name: Type.Optional(Text(100, 1)), priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })), ...ruleProps, ...VersionField },
  { additionalProperties: false },
);
export type RuleBody = Static<typeof RuleBody>;
export const PreviewQuery = Type.Object({ category: Code, orgUnitId: Uuid }, { additionalProperties: false });
export const PreviewResponse = Type.Object({
  userId: Nullable(Type.String()),
  userName: Nullable(Type.String()),
  unitId: Nullable(Type.String()),
  ruleId: Nullable(Type.String()),
  via: Nullable(Type.Enum(['rule', 'area_owner', 'manual'])),
});

/** RFC 6266: an ASCII fallback plus the UTF-8 name, so Chinese file names survive every browser. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Shown in the browser's PDF viewer (print from there), with the notice number as the saved file's name. */
function inline(fileName: string): string {
  return attachment(fileName).replace(/^attachment/, 'inline');
}

interface FastifyReplyLike {
  type(contentType: string): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload: Buffer): FastifyReplyLike;
}

const tags = ['hazards'];

export const hazardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // ---- configuration ----
  app.get(
    '/api/v1/hazards/config',
    { config: { permission: 'hazard:read' }, schema: { tags, description: 'Categories, levels, sources, SLA policies and settings (seeded on first use).', response: { 200: ConfigResponse, ...Responses } } },
    async (request) => getHazardConfig(ctxOf(app, request)),
  );

  app.patch(
    '/api/v1/hazards/config/settings',
    { config: { permission: 'hazard:configure' }, schema: { tags, body: SettingsBody, response: { 200: ConfigResponse, ...Responses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateHazardSettings(ctxOf(app, request), patch, expectedVersion(request, version));
    },
  );

  app.post(
    '/api/v1/hazards/config/dictionaries/:kind',
    { config: { permission: 'hazard:configure' }, schema: { tags, params: KindParams, body: NewDictItemBody, response: { 201: DictItemT, ...Responses } } },
    async (request, reply) => reply.status(201).send(await createDictItem(ctxOf(app, request), request.params.kind, request.body)),
  );

  app.patch(
    '/api/v1/hazards/config/dictionaries/:kind/:code',
    { config: { permission: 'hazard:configure' }, schema: { tags, params: KindCodeParams, body: DictItemBody, response: { 200: DictItemT, ...Responses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateDictItem(ctxOf(app, request), request.params.kind, request.params.code, patch, expectedVersion(request, version));
    },
  );

  app.patch(
    '/api/v1/hazards/config/sla/:level',
    { config: { permission: 'hazard:configure' }, schema: { tags, params: LevelParams, body: SlaBody, response: { 200: SlaPolicyT, ...Responses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateSlaPolicy(ctxOf(app, request), request.params.level, patch, expectedVersion(request, version));
    },
  );

  app.get(
    '/api/v1/hazards/assignment-rules',
    { config: { permission: 'hazard:configure' }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(RuleT) }), ...Responses } } },
    async (request) => listAssignmentRules(ctxOf(app, request)),
  );

  app.get(
    '/api/v1/hazards/assignment-rules/preview',
    { config: { permission: 'hazard:configure' }, schema: { tags, description: 'Who the matrix would assign a hazard of this category and area to.', querystring: PreviewQuery, response: { 200: PreviewResponse, ...Responses } } },
    async (request) => previewAssignment(ctxOf(app, request), request.query),
  );

  app.post(
    '/api/v1/hazards/assignment-rules',
    { config: { permission: 'hazard:configure' }, schema: { tags, body: NewRuleBody, response: { 201: RuleT, ...Responses } } },
    async (request, reply) => reply.status(201).send(await createAssignmentRule(ctxOf(app, request), request.body)),
  );

  app.patch(
    '/api/v1/hazards/assignment-rules/:id',
    { config: { permission: 'hazard:configure' }, schema: { tags, params: IdParams, body: RuleBody, response: { 200: RuleT, ...Responses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateAssignmentRule(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version));
    },
  );

  // ---- areas: the site tree for every reporter, and printable QR labels (#area=<id> opens the report page) ----
  const publicUrl = { publicUrl: app.deps.config.publicUrl };
  app.get(
    '/api/v1/hazards/areas',
    {
      config: { permission: 'hazard:report' },
      schema: { tags, description: "The company's active org units as a tree (ids, names, kinds, parents; no people) for the report page's area picker.", response: { 200: Type.Object({ items: Type.Array(AreaT) }), ...Responses } },
    },
    async (request) => listReportAreas(ctxOf(app, request)),
  );

  app.get(
    '/api/v1/hazards/areas/labels.pdf',
    {
      config: { permission: 'hazard:read' },
      schema: { tags, description: 'A4 sheet of area QR labels (8 a page) for one unit and the units below it, or the whole site.', querystring: LabelsQuery, response: { 200: PdfFile, ...PdfResponses } },
    },
    async (request, reply) => {
      const { pdf, fileName } = await areaLabelsPdf(ctxOf(app, request), publicUrl, { rootId: request.query.rootId });
      return reply.type('application/pdf').header('content-disposition', inline(fileName)).send(pdf);
    },
  );

  app.get(
    '/api/v1/hazards/areas/:id/qr.:format',
    {
      config: { permission: 'hazard:read' },
      schema: { tags, description: 'QR code of the area\'s report link <PUBLIC_URL>/hazards/report#area=<id>: no secret, the same on every print.', params: QrParams, response: { 200: ImageFile, ...Responses } },
    },
    async (request, reply) => {
      const { body, mime, fileName } = await areaQr(ctxOf(app, request), publicUrl, request.params.id, request.params.format);
      // The code never changes for an area: caches may keep it a day.
      return reply.type(mime).header('content-disposition', inline(fileName)).header('cache-control', 'private, max-age=86400').send(body);
    },
  );

  app.get(
    '/api/v1/hazards/extensions/pending',
    {
      config: { permission: 'hazard:approve_extension' },
      schema: { tags, description: 'Extension requests waiting for the caller\'s decision (in their data scope, not their own), oldest first.', querystring: PendingQuery, response: { 200: Page(PendingExtensionT), ...Responses } },
    },
    async (request) => listPendingExtensions(ctxOf(app, request), { limit: request.query.limit ?? 50, cursor: request.query.cursor }),
  );

  // ---- report, ledger, figures ----
  app.post(
    '/api/v1/hazards',
    {
      config: { permission: 'hazard:report' },
      schema: { tags, description: 'Report a hazard; it is numbered, checked for duplicates and assigned at once. Send an Idempotency-Key from phones.', body: ReportBody, response: { 201: ReportResponse, ...Responses } },
    },
    async (request, reply) => {
      const b = request.body;
      const location = b.location ? { lat: b.location.lat, lng: b.location.lng, accuracy: b.location.accuracy ?? null } : null;
      return reply.status(201).send(await reportHazard(ctxOf(app, request), { ...b, location }));
    },
  );

  app.get(
    '/api/v1/hazards',
    { config: { permission: 'hazard:read' }, schema: { tags, querystring: ListQuery, response: { 200: Page(HazardListItem), ...Responses } } },
    async (request) => listHazards(ctxOf(app, request), { ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.get(
    '/api/v1/hazards/export.xlsx',
    { config: { permission: 'hazard:export' }, schema: { tags, querystring: ExportQuery, response: { 200: XlsxFile, ...Responses } } },
    async (request, reply) => {
      const { stream, fileName } = await exportHazards(ctxOf(app, request), request.query);
      return reply.type(XLSX_MIME).header('content-disposition', attachment(fileName)).header('cache-control', 'no-store').send(stream);
    },
  );

  app.get(
    '/api/v1/hazards/import-template.xlsx',
    { config: { permission: 'hazard:import' }, schema: { tags, response: { 200: XlsxFile, ...Responses } } },
    async (request, reply) => {
      const { buffer, fileName } = await hazardImportTemplate(ctxOf(app, request));
      return reply.type(XLSX_MIME).header('content-disposition', attachment(fileName)).send(buffer);
    },
  );

  app.post(
    '/api/v1/hazards/import',
    {
      config: { permission: 'hazard:import' },
      schema: {
        tags,
        description: `multipart/form-data with one .xlsx in the field "file" (at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB). 422 import_failed lists rowErrors and writes nothing.`,
        querystring: ImportQuery,
        response: { 200: ImportResult, ...Responses },
      },
    },
    async (request) => {
      const { buffer, fileName } = await readUploadedFile(request, MAX_IMPORT_BYTES);
      return importHazards(ctxOf(app, request), { file: buffer, fileName, dryRun: request.query.dryRun ?? false });
    },
  );

  app.get(
    '/api/v1/hazards/figures',
    { config: { permission: 'hazard:read' }, schema: { tags, querystring: FiguresQuery, response: { 200: FiguresResponse, ...Responses } } },
    async (request) => {
      const { from, to, groupBy, ...filter } = request.query;
      return hazardFigures(ctxOf(app, request), { from, to, groupBy, filter });
    },
  );

  app.get(
    '/api/v1/hazards/leaderboard',
    { config: { permission: 'hazard:read' }, schema: { tags, querystring: LeaderboardQuery, response: { 200: LeaderboardResponse, ...Responses } } },
    async (request) => hazardLeaderboard(ctxOf(app, request), request.query.month),
  );

  app.get(
    '/api/v1/hazards/track/:code',
    {
      // The code is the capability: no sign-in, few guesses per minute.
      config: { public: true, rateLimitPerMinute: 30 },
      schema: { tags, security: [], description: 'Anonymous reporter: status and steps of their report, without names.', params: TrackParams, response: { 200: TrackResponse, ...Responses } },
    },
    async (request) => trackHazard(app.deps.db, request.params.code, request.locale),
  );

  app.post(
    '/api/v1/hazards/track',
    {
      // DESIGN: a capability stays out of URLs and so out of request logs; the web page reads the code after # and posts it.
      config: { public: true, rateLimitPerMinute: 30 },
      schema: { tags, security: [], description: 'As GET /hazards/track/{code}, with the code in the body (kept out of request logs).', body: TrackParams, response: { 200: TrackResponse, ...Responses } },
    },
    async (request) => trackHazard(app.deps.db, request.body.code, request.locale),
  );

  // ---- rectification notices (整改通知书) ----
  const noticeDeps = { store: createLocalBlobStore(app.deps.config.filesDir), publicUrl: app.deps.config.publicUrl };
  const sendPdf = (reply: FastifyReplyLike, pdf: Buffer, fileName: string) =>
    reply.type('application/pdf').header('content-disposition', inline(fileName)).header('cache-control', 'no-store').send(pdf);

  app.post(
    '/api/v1/hazards/notices',
    {
      config: { permission: 'hazard:triage' },
      schema: { tags, description: 'Issue one rectification notice (整改通知书) to one responsible department for one or several open hazards.', body: NoticeBody, response: { 201: NoticeT, ...Responses } },
    },
    async (request, reply) => reply.status(201).send(await issueNotice(ctxOf(app, request), request.body)),
  );

  app.get(
    '/api/v1/hazards/notices/:id',
    { config: { permission: 'hazard:read' }, schema: { tags, params: IdParams, response: { 200: NoticeT, ...Responses } } },
    async (request) => getNotice(ctxOf(app, request), request.params.id),
  );

  app.get(
    '/api/v1/hazards/notices/:id/pdf',
    {
      config: { permission: 'hazard:read' },
      schema: { tags, description: 'The notice as an A4 PDF with a QR code per finding; 503 pdf_font_missing when the server has no CJK font.', params: IdParams, response: { 200: PdfFile, ...PdfResponses } },
    },
    async (request, reply) => {
      const { pdf, fileName } = await noticePdf(ctxOf(app, request), noticeDeps, request.params.id);
      return sendPdf(reply, pdf, fileName);
    },
  );

  app.get(
    '/api/v1/hazards/:id/notice.pdf',
    {
      config: { permission: 'hazard:read' },
      schema: {
        tags,
        description: "The latest notice listing this hazard as PDF; if none was issued yet, the safety office's first call issues a one-finding notice.",
        params: IdParams,
        response: { 200: PdfFile, ...PdfResponses },
      },
    },
    async (request, reply) => {
      const { pdf, fileName } = await hazardNoticePdf(ctxOf(app, request), noticeDeps, request.params.id);
      return sendPdf(reply, pdf, fileName);
    },
  );

  app.get(
    '/api/v1/hazards/:id',
    { config: { permission: 'hazard:read' }, schema: { tags, params: IdParams, response: { 200: HazardDetail, ...Responses } } },
    async (request) => getHazard(ctxOf(app, request), request.params.id),
  );

  // ---- workflow steps: each answers with the hazard as the caller now sees it ----
  const step = <B extends TSchema>(
    method: 'POST' | 'PUT',
    path: string,
    permission: string,
    body: B,
    description: string,
    run: (ctx: Ctx, id: string, body: Static<B>, version: (bodyVersion?: number) => number) => Promise<HazardRow>,
  ) =>
    app.route({
      method,
      url: `/api/v1/hazards/:id/${path}`,
      config: { permission },
      schema: { tags, description, params: IdParams, body, response: { 200: HazardDetail, ...Responses } },
      handler: async (request) => {
        const ctx = ctxOf(app, request);
        // The schema above validated the body: it has the shape of B.
        const b = request.body as Static<B>;
        return detailAfter(ctx, run(ctx, request.params.id, b, (v) => expectedVersion(request, v)));
      },
    });

  step('POST', 'assign', 'hazard:triage', AssignBody, 'Triage assigns an unowned hazard.', (ctx, id, { version, comment, ...b }, v) =>
    assignHazard(ctx, { ...b, comment: comment ?? undefined, id, version: v(version) }),
  );
  step('POST', 'reassign', 'hazard:read', ReassignBody, 'Wrong owner: triage, or the assignee naming the right one (reason required).', (ctx, id, { version, ...b }, v) =>
    reassignHazard(ctx, { ...b, id, version: v(version) }),
  );
  step('POST', 'hand-back', 'hazard:rectify', ReasonBody, 'The assignee hands the hazard back to triage (reason required).', (ctx, id, { version, reason }, v) =>
    handBackHazard(ctx, { id, version: v(version), reason }),
  );
  step('POST', 'accept', 'hazard:rectify', CommentBody, 'The assignee accepts the hazard and starts rectifying.', (ctx, id, { version, comment }, v) =>
    acceptHazard(ctx, { id, version: v(version), comment }),
  );
  step('POST', 'reject', 'hazard:read', ReasonBody, '"Not a hazard": triage or the assignee, reason required.', (ctx, id, { version, reason }, v) =>
    rejectHazard(ctx, { id, version: v(version), reason }),
  );
  step('PUT', 'plan', 'hazard:rectify', PlanBody, 'The five-in-place plan (五到位): measures, funds, deadline, responsible person, interim measures.', (ctx, id, { version, ...plan }, v) =>
    savePlan(ctx, { id, version: v(version), plan }),
  );
  step('POST', 'extensions', 'hazard:rectify', ExtensionBody, 'The assignee asks for a later rectification deadline.', (ctx, id, { version, ...b }, v) =>
    requestExtension(ctx, { ...b, id, version: v(version) }),
  );
  step('POST', 'submit', 'hazard:rectify', SubmitBody, 'The assignee submits the fix with after-photos for verification.', (ctx, id, { version, ...b }, v) =>
    submitRectification(ctx, { ...b, id, version: v(version) }),
  );
  step('POST', 'pass', 'hazard:read', PassBody, 'Verification passed: closed (a major hazard needs its treatment plan and sign-offs first).', (ctx, id, { version, ...b }, v) =>
    passHazard(ctx, { ...b, id, version: v(version) }),
  );
  step('POST', 'fail', 'hazard:read', FailBody, 'Verification failed: back to rework (reason required).', (ctx, id, { version, ...b }, v) =>
    failHazard(ctx, { ...b, id, version: v(version) }),
  );
  step('POST', 'merge', 'hazard:triage', MergeBody, 'Close this hazard as a duplicate of another (rejected, reason "duplicate", linked).', (ctx, id, { version, ...b }, v) =>
    mergeHazard(ctx, { ...b, id, version: v(version) }),
  );
  step('POST', 'reopen', 'hazard:triage', ReasonBody, 'A closed or rejected hazard is still there: reopen and assign again.', (ctx, id, { version, reason }, v) =>
    reopenHazard(ctx, { id, version: v(version), reason }),
  );
  step('POST', 'regrade', 'hazard:triage', RegradeBody, 'Change the level and/or category of an open hazard (reason required); deadlines follow the new level, 重大 enters the major-hazard path.', (ctx, id, { version, ...b }, v) =>
    regradeHazard(ctx, { ...b, id, version: v(version) }),
  );
  step('PUT', 'treatment-plan', 'hazard:read', TreatmentPlanBody, '重大隐患治理方案 (reference §3.5); a new version voids earlier sign-offs.', (ctx, id, { version, ...plan }, v) =>
    saveTreatmentPlan(ctx, { id, version: v(version), plan }),
  );
  step('POST', 'signoffs', 'hazard:signoff', CommentBody, 'Management sign-off of the current treatment plan.', (ctx, id, { version, comment }, v) =>
    signOffHazard(ctx, { id, version: v(version), comment }),
  );
  step('POST', 'authority-report', 'hazard:triage', AuthorityBody, 'Record when a major hazard was reported to the supervising authority (安全生产法 Art. 41).', (ctx, id, { version, ...b }, v) =>
    markReportedToAuthority(ctx, { ...b, id, version: v(version) }),
  );

  app.post(
    '/api/v1/hazards/:id/extensions/:extensionId/decision',
    {
      config: { permission: 'hazard:approve_extension' },
      schema: { tags, description: 'The department head (or safety director) approves or refuses an extension.', params: ExtensionParams, body: DecisionBody, response: { 200: HazardDetail, ...Responses } },
    },
    async (request) => {
      const ctx = ctxOf(app, request);
      const { version, ...b } = request.body;
      return detailAfter(ctx, decideExtension(ctx, { ...b, id: request.params.id, extensionId: request.params.extensionId, version: expectedVersion(request, version) }));
    },
  );
};
