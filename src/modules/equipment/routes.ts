import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf } from '../../platform/http/app.ts';
import { invalid } from '../../platform/http/errors.ts';
import { IdParams, Page, PageQuery, Problem, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import { XLSX_MIME } from '../../platform/org/exportExcel.ts';
import { archiveCheckpoint, createCheckpoint, getCheckpoint, listCheckpoints, rotateCheckpointCode, updateCheckpoint } from './checkpoints.ts';
import { createEquipmentKind, getEquipmentConfig, updateEquipmentKind, updateEquipmentSettings } from './config.ts';
import type { EquipmentKindRow, EquipmentSettingsRow } from './defaults.ts';
import { exportEquipment } from './excel.ts';
import './permissions.ts';
import { checkpointLabelsPdf, checkpointQr } from './qr.ts';
import { changeEquipmentStatus, createEquipment, getEquipment, listEquipment, updateEquipment } from './register.ts';
// Registers the statutory inspection reminder job handler with the job runner.
import './reminders.ts';
import { listCheckpointScans, scanCheckpoint } from './scan.ts';
import { equipmentStatuses, inspectionResults, scanResults } from './schema.ts';
import { listInspections, recordInspection, type InspectionRow } from './statutory.ts';

/**
 * The equipment register with statutory inspections (/api/v1/equipment) and checkpoints with their QR
 * codes and scan verification (/api/v1/checkpoints), issue 5. Importing this file registers the
 * permissions and the reminder job handler; `src/server.ts` registers the plugin.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Day = Type.String({ maxLength: 10, pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'calendar day YYYY-MM-DD in the company time zone' });
const Time = Type.String({ format: 'date-time' });
const Enum = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });
const Responses = { ...ProblemResponses, 428: Problem };
const tags = ['equipment'];
const cpTags = ['checkpoints'];
const RiskUnitIds = Type.Array(Uuid, { maxItems: 50, description: 'risk units (risks module) this belongs to' });
const Lat = Type.Number({ minimum: -90, maximum: 90 });
const Lng = Type.Number({ minimum: -180, maximum: 180 });

// ---- shapes ----

export const EquipmentKindT = Type.Object({
  id: Type.String(),
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  special: Type.Boolean(),
  inspectionIntervalMonths: Nullable(Type.Integer()),
  sort: Type.Integer(),
  active: Type.Boolean(),
  version: Type.Integer(),
});
export type EquipmentKindT = Static<typeof EquipmentKindT>;

const SettingsT = Type.Object({ reminderDays: Type.Array(Type.Integer()), reminderHour: Type.Integer(), version: Type.Integer() });
export const EquipmentConfigT = Type.Object({ kinds: Type.Array(EquipmentKindT), settings: SettingsT });
export type EquipmentConfigT = Static<typeof EquipmentConfigT>;

export const EquipmentT = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  kindName: Type.String(),
  model: Nullable(Type.String()),
  manufacturer: Nullable(Type.String()),
  location: Nullable(Type.String()),
  special: Type.Boolean(),
  registrationNo: Nullable(Type.String()),
  lastInspectedOn: Nullable(Type.String()),
  inspectionIntervalMonths: Nullable(Type.Integer()),
  nextInspectionDue: Nullable(Type.String()),
  daysToDue: Nullable(Type.Integer()),
  dueState: Enum(['none', 'ok', 'due_soon', 'overdue'] as const),
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  responsiblePersonId: Nullable(Type.String()),
  responsiblePersonName: Nullable(Type.String()),
  riskUnitIds: Type.Array(Type.String()),
  status: Enum(equipmentStatuses),
  statusReason: Nullable(Type.String()),
  statusChangedAt: Nullable(Time),
  notes: Nullable(Type.String()),
  createdAt: Time,
  updatedAt: Time,
  version: Type.Integer(),
});
export type EquipmentT = Static<typeof EquipmentT>;

export const InspectionT = Type.Object({
  id: Type.String(),
  equipmentId: Type.String(),
  inspectedOn: Type.String(),
  result: Enum(inspectionResults),
  inspector: Nullable(Type.String()),
  reportNo: Nullable(Type.String()),
  certificateFileId: Nullable(Type.String()),
  nextDue: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  createdAt: Time,
  createdBy: Nullable(Type.String()),
});
export type InspectionT = Static<typeof InspectionT>;

export const CheckpointT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  equipmentId: Nullable(Type.String()),
  equipmentCode: Nullable(Type.String()),
  equipmentName: Nullable(Type.String()),
  riskUnitIds: Type.Array(Type.String()),
  lat: Nullable(Type.Number()),
  lng: Nullable(Type.Number()),
  radiusM: Nullable(Type.Integer()),
  codeRotatedAt: Nullable(Time),
  archived: Type.Boolean(),
  archiveReason: Nullable(Type.String()),
  createdAt: Time,
  updatedAt: Time,
  version: Type.Integer(),
  scanCode: Type.Optional(Type.String({ description: 'only for checkpoint:manage (printing); the proof of presence' })),
  scanUrl: Type.Optional(Type.String({ description: '<PUBLIC_URL>/s#<code>, what the QR code encodes; only for checkpoint:manage' })),
});
export type CheckpointT = Static<typeof CheckpointT>;

export const ScanResultT = Type.Object({
  scanId: Type.String(),
  scannedAt: Time,
  checkpointId: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  riskUnitIds: Type.Array(Type.String()),
  equipment: Nullable(
    Type.Object({
      id: Type.String(),
      code: Type.String(),
      name: Type.String(),
      kindName: Type.String(),
      special: Type.Boolean(),
      status: Type.String(),
      nextInspectionDue: Nullable(Type.String()),
      dueState: Type.String(),
    }),
  ),
  distanceM: Nullable(Type.Number()),
});
export type ScanResultT = Static<typeof ScanResultT>;

const ScanLogT = Type.Object({
  id: Type.String(),
  scannedAt: Time,
  userId: Nullable(Type.String()),
  result: Enum(scanResults),
  expectedCheckpointId: Nullable(Type.String()),
  lat: Nullable(Type.Number()),
  lng: Nullable(Type.Number()),
  accuracyM: Nullable(Type.Number()),
  distanceM: Nullable(Type.Number()),
});
export type ScanLogT = Static<typeof ScanLogT>;

// ---- inputs ----

export const EquipmentListQuery = Type.Object(
  {
    kind: Type.Optional(Text(40, 1)),
    special: Type.Optional(Type.Boolean()),
    status: Type.Optional(Enum(equipmentStatuses)),
    dueWithinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650, description: 'in service, next inspection due within N days from today (overdue included)' })),
    overdue: Type.Optional(Type.Boolean({ description: 'in service and past the due day' })),
    orgUnitId: Type.Optional(Uuid),
    q: Type.Optional(Text(100)),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type EquipmentListQuery = Static<typeof EquipmentListQuery>;

const ExportQuery = Type.Omit(EquipmentListQuery, ['limit', 'cursor'], { additionalProperties: false });

const equipmentFields = {
  code: Type.Optional(Text(50, 1)),
  name: Type.Optional(Text(200, 1)),
  kind: Type.Optional(Text(40, 1)),
  model: Type.Optional(Nullable(Text(100))),
  manufacturer: Type.Optional(Nullable(Text(200))),
  location: Type.Optional(Nullable(Text(200))),
  special: Type.Optional(Type.Boolean()),
  registrationNo: Type.Optional(Nullable(Text(100))),
  lastInspectedOn: Type.Optional(Nullable(Day)),
  inspectionIntervalMonths: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 240 }))),
  nextInspectionDue: Type.Optional(Nullable(Day)),
  orgUnitId: Type.Optional(Uuid),
  responsiblePersonId: Type.Optional(Nullable(Uuid)),
  riskUnitIds: Type.Optional(RiskUnitIds),
  notes: Type.Optional(Nullable(Text(2000))),
};

export const CreateEquipmentBody = Type.Object(
  { ...equipmentFields, code: Text(50, 1), name: Text(200, 1), kind: Text(40, 1), orgUnitId: Uuid },
  { additionalProperties: false, description: 'special and inspectionIntervalMonths default from the kind; nextInspectionDue defaults to lastInspectedOn + interval.' },
);
export type CreateEquipmentBody = Static<typeof CreateEquipmentBody>;

export const UpdateEquipmentBody = Type.Object({ ...equipmentFields, ...VersionField }, { additionalProperties: false });
export type UpdateEquipmentBody = Static<typeof UpdateEquipmentBody>;

export const StatusBody = Type.Object({ status: Enum(equipmentStatuses), reason: Type.Optional(Nullable(Text(500))), ...VersionField }, { additionalProperties: false });
export type StatusBody = Static<typeof StatusBody>;

export const InspectionBody = Type.Object(
  {
    inspectedOn: Day,
    result: Enum(inspectionResults),
    inspector: Type.Optional(Nullable(Text(200))),
    reportNo: Type.Optional(Nullable(Text(100))),
    certificateFileId: Type.Optional(Nullable(Uuid)),
    nextDue: Type.Optional(Nullable(Day)),
    notes: Type.Optional(Nullable(Text(2000))),
    ...VersionField,
  },
  { additionalProperties: false, description: 'version is the equipment’s. nextDue defaults to inspectedOn + the interval; required when the result is failed.' },
);
export type InspectionBody = Static<typeof InspectionBody>;

const SettingsBody = Type.Object(
  { reminderDays: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 365 }), { minItems: 1, maxItems: 10 })), reminderHour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })), ...VersionField },
  { additionalProperties: false },
);
const NewKindBody = Type.Object(
  { code: Text(40, 2), nameZh: Text(100, 1), nameEn: Text(100, 1), special: Type.Boolean(), inspectionIntervalMonths: Nullable(Type.Integer({ minimum: 1, maximum: 240 })) },
  { additionalProperties: false },
);
const KindPatchBody = Type.Object(
  {
    nameZh: Type.Optional(Text(100, 1)),
    nameEn: Type.Optional(Text(100, 1)),
    special: Type.Optional(Type.Boolean()),
    inspectionIntervalMonths: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 240 }))),
    active: Type.Optional(Type.Boolean()),
    ...VersionField,
  },
  { additionalProperties: false },
);

export const CheckpointListQuery = Type.Object(
  { orgUnitId: Type.Optional(Uuid), equipmentId: Type.Optional(Uuid), archived: Type.Optional(Type.Boolean()), q: Type.Optional(Text(100)), ...PageQuery },
  { additionalProperties: false },
);

const checkpointFields = {
  name: Type.Optional(Text(200, 1)),
  description: Type.Optional(Nullable(Text(1000))),
  orgUnitId: Type.Optional(Uuid),
  equipmentId: Type.Optional(Nullable(Uuid)),
  riskUnitIds: Type.Optional(RiskUnitIds),
  lat: Type.Optional(Nullable(Lat)),
  lng: Type.Optional(Nullable(Lng)),
  radiusM: Type.Optional(Nullable(Type.Integer({ minimum: 5, maximum: 10_000, description: 'allowed distance from lat/lng for a scan with a position' }))),
};
export const CreateCheckpointBody = Type.Object({ ...checkpointFields, name: Text(200, 1), orgUnitId: Uuid }, { additionalProperties: false });
export type CreateCheckpointBody = Static<typeof CreateCheckpointBody>;
export const UpdateCheckpointBody = Type.Object({ ...checkpointFields, ...VersionField }, { additionalProperties: false });
const ReasonBody = Type.Object({ reason: Text(500, 1), ...VersionField }, { additionalProperties: false });

export const ScanBody = Type.Object(
  { code: Text(100, 1), lat: Type.Optional(Lat), lng: Type.Optional(Lng), accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })) },
  { additionalProperties: false },
);
export type ScanBody = Static<typeof ScanBody>;

const QrParams = Type.Object({ id: Uuid, format: Enum(['png', 'svg'] as const) }, { additionalProperties: false });
const LabelsQuery = Type.Object({ ids: Type.String({ minLength: 36, maxLength: 200 * 37, description: 'comma-separated checkpoint ids (at most 200)' }) }, { additionalProperties: false });
const ScansQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }, { additionalProperties: false });
const BinaryFile = (description: string) => Type.Unsafe<unknown>({ type: 'string', format: 'binary', description });

// ---- DTOs ----

const kindDto = (k: EquipmentKindRow): EquipmentKindT => ({ id: k.id, code: k.code, nameZh: k.nameZh, nameEn: k.nameEn, special: k.special, inspectionIntervalMonths: k.inspectionIntervalMonths, sort: k.sort, active: k.active, version: k.version });
const settingsDto = (s: EquipmentSettingsRow) => ({ reminderDays: s.reminderDays, reminderHour: s.reminderHour, version: s.version });
const inspectionDto = (i: InspectionRow): InspectionT => ({ ...i, createdAt: i.createdAt.toISOString() });

/** RFC 6266: an ASCII fallback plus the UTF-8 name, so Chinese file names survive every browser. */
function disposition(kind: 'attachment' | 'inline', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function parseIds(raw: string): string[] {
  const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0 || ids.length > 200) throw invalid('ids', 'maxItems', 'ids: 1 to 200 checkpoint ids');
  const bad = ids.findIndex((id) => !UUID.test(id));
  if (bad >= 0) throw invalid('ids', 'format', `ids: item ${bad + 1} is not a UUID`);
  return ids;
}

export const equipmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = { publicUrl: app.deps.config.publicUrl };

  // ---- configuration ----
  app.get(
    '/api/v1/equipment/config',
    { config: { permission: 'equipment:read' }, schema: { tags, description: 'Equipment kinds and reminder settings (seeded on first use).', response: { 200: EquipmentConfigT, ...Responses } } },
    async (request) => {
      const c = await getEquipmentConfig(ctxOf(app, request));
      return { kinds: c.kinds.map(kindDto), settings: settingsDto(c.settings) };
    },
  );

  app.patch(
    '/api/v1/equipment/config/settings',
    { config: { permission: 'equipment:configure' }, schema: { tags, description: 'Reminder thresholds (days before the due day; 0 = on the day) and hour; re-arms every reminder.', body: SettingsBody, response: { 200: SettingsT, ...Responses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return settingsDto(await updateEquipmentSettings(ctxOf(app, request), patch, expectedVersion(request, version)));
    },
  );

  app.post(
    '/api/v1/equipment/config/kinds',
    { config: { permission: 'equipment:configure' }, schema: { tags, body: NewKindBody, response: { 201: EquipmentKindT, ...Responses } } },
    async (request, reply) => reply.status(201).send(kindDto(await createEquipmentKind(ctxOf(app, request), request.body))),
  );

  app.patch(
    '/api/v1/equipment/config/kinds/:id',
    { config: { permission: 'equipment:configure' }, schema: { tags, params: IdParams, body: KindPatchBody, response: { 200: EquipmentKindT, ...Responses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return kindDto(await updateEquipmentKind(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version)));
    },
  );

  // ---- equipment ----
  app.get(
    '/api/v1/equipment',
    { config: { permission: 'equipment:read' }, schema: { tags, description: 'The equipment register, soonest inspection due first, in the caller’s data scope.', querystring: EquipmentListQuery, response: { 200: Page(EquipmentT), ...Responses } } },
    async (request) => listEquipment(ctxOf(app, request), { ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.get(
    '/api/v1/equipment/export.xlsx',
    { config: { permission: 'equipment:read' }, schema: { tags, description: 'The register as Excel, with the list filters.', querystring: ExportQuery, response: { 200: BinaryFile(XLSX_MIME), ...Responses } } },
    async (request, reply) => {
      const { buffer, fileName } = await exportEquipment(ctxOf(app, request), request.query);
      return reply.type(XLSX_MIME).header('content-disposition', disposition('attachment', fileName)).header('cache-control', 'no-store').send(buffer);
    },
  );

  app.post(
    '/api/v1/equipment',
    { config: { permission: 'equipment:write' }, schema: { tags, body: CreateEquipmentBody, response: { 201: EquipmentT, ...Responses } } },
    async (request, reply) => reply.status(201).send(await createEquipment(ctxOf(app, request), request.body)),
  );

  app.get(
    '/api/v1/equipment/:id',
    { config: { permission: 'equipment:read' }, schema: { tags, params: IdParams, response: { 200: EquipmentT, ...Responses } } },
    async (request) => getEquipment(ctxOf(app, request), request.params.id),
  );

  app.patch(
    '/api/v1/equipment/:id',
    { config: { permission: 'equipment:write' }, schema: { tags, description: 'Edit; a new due date re-arms the reminders. Version in If-Match or the body.', params: IdParams, body: UpdateEquipmentBody, response: { 200: EquipmentT, ...Responses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateEquipment(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version));
    },
  );

  app.post(
    '/api/v1/equipment/:id/status',
    { config: { permission: 'equipment:write' }, schema: { tags, description: 'Stop (停用), return to service, or scrap (报废, final); a reason is required to stop or scrap.', params: IdParams, body: StatusBody, response: { 200: EquipmentT, ...Responses } } },
    async (request) => {
      const { version, ...input } = request.body;
      return changeEquipmentStatus(ctxOf(app, request), request.params.id, input, expectedVersion(request, version));
    },
  );

  app.get(
    '/api/v1/equipment/:id/inspections',
    { config: { permission: 'equipment:read' }, schema: { tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(InspectionT) }), ...Responses } } },
    async (request) => {
      const r = await listInspections(ctxOf(app, request), request.params.id);
      return { items: r.items.map(inspectionDto) };
    },
  );

  app.post(
    '/api/v1/equipment/:id/inspections',
    { config: { permission: 'equipment:write' }, schema: { tags, description: 'Record a statutory inspection; moves the due date and re-arms the reminders.', params: IdParams, body: InspectionBody, response: { 201: Type.Object({ inspection: InspectionT, equipment: EquipmentT }), ...Responses } } },
    async (request, reply) => {
      const { version, ...input } = request.body;
      const r = await recordInspection(ctxOf(app, request), request.params.id, input, expectedVersion(request, version));
      return reply.status(201).send({ inspection: inspectionDto(r.inspection), equipment: r.equipment });
    },
  );

  // ---- checkpoints ----
  app.get(
    '/api/v1/checkpoints',
    { config: { permission: 'equipment:read' }, schema: { tags: cpTags, description: 'Checkpoints in the caller’s data scope; scanCode/scanUrl only for checkpoint:manage.', querystring: CheckpointListQuery, response: { 200: Page(CheckpointT), ...Responses } } },
    async (request) => listCheckpoints(ctxOf(app, request), deps, { ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.post(
    '/api/v1/checkpoints',
    { config: { permission: 'checkpoint:manage' }, schema: { tags: cpTags, description: 'Create a checkpoint; it gets a random scan code at once.', body: CreateCheckpointBody, response: { 201: CheckpointT, ...Responses } } },
    async (request, reply) => reply.status(201).send(await createCheckpoint(ctxOf(app, request), deps, request.body)),
  );

  app.post(
    '/api/v1/checkpoints/scan',
    {
      config: { permission: 'equipment:read' },
      schema: {
        tags: cpTags,
        description: 'Prove presence at a checkpoint with the code from its QR label (the part after # of <PUBLIC_URL>/s#<code>). 404 checkpoint_code_unknown / checkpoint_code_rotated / checkpoint_archived; 422 checkpoint_out_of_range with distanceM. Every scan is logged.',
        body: ScanBody,
        response: { 200: ScanResultT, ...Responses },
      },
    },
    async (request) => scanCheckpoint(ctxOf(app, request), request.body),
  );

  app.get(
    '/api/v1/checkpoints/labels.pdf',
    { config: { permission: 'checkpoint:manage' }, schema: { tags: cpTags, description: 'A4 sheet of QR labels (8 a page) for the selected checkpoints; 503 pdf_font_missing without a CJK font.', querystring: LabelsQuery, response: { 200: BinaryFile('application/pdf'), ...Responses, 503: Problem } } },
    async (request, reply) => {
      const { pdf, fileName } = await checkpointLabelsPdf(ctxOf(app, request), deps, parseIds(request.query.ids));
      return reply.type('application/pdf').header('content-disposition', disposition('inline', fileName)).header('cache-control', 'no-store').send(pdf);
    },
  );

  app.get(
    '/api/v1/checkpoints/:id',
    { config: { permission: 'equipment:read' }, schema: { tags: cpTags, params: IdParams, response: { 200: CheckpointT, ...Responses } } },
    async (request) => getCheckpoint(ctxOf(app, request), deps, request.params.id),
  );

  app.patch(
    '/api/v1/checkpoints/:id',
    { config: { permission: 'checkpoint:manage' }, schema: { tags: cpTags, params: IdParams, body: UpdateCheckpointBody, response: { 200: CheckpointT, ...Responses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateCheckpoint(ctxOf(app, request), deps, request.params.id, patch, expectedVersion(request, version));
    },
  );

  app.post(
    '/api/v1/checkpoints/:id/rotate-code',
    { config: { permission: 'checkpoint:manage' }, schema: { tags: cpTags, description: 'New scan code: every label printed so far stops working (audited with the reason).', params: IdParams, body: ReasonBody, response: { 200: CheckpointT, ...Responses } } },
    async (request) => rotateCheckpointCode(ctxOf(app, request), deps, request.params.id, { reason: request.body.reason }, expectedVersion(request, request.body.version)),
  );

  app.post(
    '/api/v1/checkpoints/:id/archive',
    { config: { permission: 'checkpoint:manage' }, schema: { tags: cpTags, params: IdParams, body: ReasonBody, response: { 200: CheckpointT, ...Responses } } },
    async (request) => archiveCheckpoint(ctxOf(app, request), deps, request.params.id, { reason: request.body.reason }, expectedVersion(request, request.body.version)),
  );

  app.get(
    '/api/v1/checkpoints/:id/qr.:format',
    { config: { permission: 'checkpoint:manage' }, schema: { tags: cpTags, description: 'QR code of <PUBLIC_URL>/s#<code>; the same on every print until the code is rotated.', params: QrParams, response: { 200: BinaryFile('image/png or image/svg+xml'), ...Responses } } },
    async (request, reply) => {
      const { body, mime, fileName } = await checkpointQr(ctxOf(app, request), deps, request.params.id, request.params.format);
      // private, never shared caches: the picture is the capability.
      return reply.type(mime).header('content-disposition', disposition('inline', fileName)).header('cache-control', 'private, no-store').send(body);
    },
  );

  app.get(
    '/api/v1/checkpoints/:id/scans',
    { config: { permission: 'checkpoint:manage' }, schema: { tags: cpTags, description: 'Latest scans of the checkpoint (who, when, where, outcome), newest first.', params: IdParams, querystring: ScansQuery, response: { 200: Type.Object({ items: Type.Array(ScanLogT) }), ...Responses } } },
    async (request) => listCheckpointScans(ctxOf(app, request), request.params.id, request.query.limit ?? 50),
  );
};
