import { and, asc, eq, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, pathInScope, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { activeUnit } from '../../platform/org/directory.ts';
import { alreadyExists, isUniqueViolation, versionConflict } from '../../platform/org/sqlHelpers.ts';
import { riskLevelsOfUnits } from '../risks/service.ts';
import { ensureIotDefaults, loadPointTypes, pointTypeExists } from './defaults.ts';
import { iotPermissions as P } from './permissions.ts';
import { iotAlarms, iotDevices, iotGateways, iotPoints } from './schema.ts';
import { hashDeviceToken, newDeviceToken } from './tokens.ts';

/**
 * The device registry: gateways, devices (with their tokens), measurement points. Every write is audited
 * and announced in its transaction; edits carry the optimistic version. Nothing is deleted: archived.
 */

export type GatewayRow = typeof iotGateways.$inferSelect;
export type DeviceRow = typeof iotDevices.$inferSelect;
export type PointRow = typeof iotPoints.$inferSelect;

const trimOrNull = (s: string | null | undefined) => (s === undefined || s === null ? null : s.trim() || null);

async function uniqueOr<T>(field: string, detail: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isUniqueViolation(e)) throw alreadyExists(field, detail);
    throw e;
  }
}

async function placeIn(tx: Tx, ctx: Ctx, orgUnitId: string): Promise<void> {
  const unit = await activeUnit(tx, ctx.actor.tenantId, orgUnitId, 'orgUnitId');
  if (!pathInScope(ctx.actor, unit.path)) throw new AppError('out_of_scope', `org unit ${unit.name} is outside your data scope`);
}

async function audit(tx: Tx, ctx: Ctx, action: string, entityType: string, id: string, before: unknown, after: unknown, payload: Record<string, unknown>): Promise<void> {
  await recordChange(tx, ctx, { action, entityType, entityId: id, before, after }, { type: action, entityType, entityId: id, payload });
}

// ---- gateways ----

export interface GatewayInput {
  code: string;
  name: string;
  location?: string | null;
  orgUnitId: string;
}

export async function createGateway(ctx: Ctx, input: GatewayInput): Promise<GatewayRow> {
  requirePermission(ctx.actor, P.configure);
  const code = input.code.trim();
  if (!code) throw invalid('code', 'minLength', 'code: required');
  return ctx.db.tx(async (tx) => {
    await placeIn(tx, ctx, input.orgUnitId);
    const now = ctx.now();
    const [g] = await uniqueOr('code', `gateway code ${code} is already used`, () =>
      tx
        .insert(iotGateways)
        .values({ id: newId(), tenantId: ctx.actor.tenantId, orgUnitId: input.orgUnitId, code, name: input.name.trim(), location: trimOrNull(input.location), createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
        .returning(),
    );
    await audit(tx, ctx, 'iot.gateway.created', 'iot_gateway', g!.id, null, { code, name: g!.name }, { gatewayId: g!.id, code });
    return g!;
  });
}

export async function listGateways(ctx: Ctx): Promise<GatewayRow[]> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read((tx) =>
    tx
      .select()
      .from(iotGateways)
      .where(and(scopeWhere(ctx.actor, { tenantId: iotGateways.tenantId, orgUnitId: iotGateways.orgUnitId }), isNull(iotGateways.archivedAt)))
      .orderBy(asc(iotGateways.code)),
  );
}

// ---- devices ----

export interface DeviceInput {
  code: string;
  name: string;
  model?: string | null;
  gatewayId?: string | null;
  orgUnitId: string;
  offlineAfterS?: number;
}

/** A device as the API shows it: never its token hash. */
export interface DeviceView {
  id: string;
  code: string;
  name: string;
  model: string | null;
  gatewayId: string | null;
  orgUnitId: string | null;
  status: 'online' | 'offline';
  lastSeenAt: string | null;
  hasToken: boolean;
  tokenIssuedAt: string | null;
  offlineAfterS: number;
  archived: boolean;
  version: number;
}

export const deviceView = (d: DeviceRow): DeviceView => ({
  id: d.id,
  code: d.code,
  name: d.name,
  model: d.model,
  gatewayId: d.gatewayId,
  orgUnitId: d.orgUnitId,
  status: d.status,
  lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
  hasToken: d.tokenHash !== null,
  tokenIssuedAt: d.tokenIssuedAt?.toISOString() ?? null,
  offlineAfterS: d.offlineAfterS,
  archived: d.archivedAt !== null,
  version: d.version,
});

async function checkGateway(tx: Tx, tenantId: string, gatewayId: string | null | undefined): Promise<void> {
  if (!gatewayId) return;
  const [g] = await tx
    .select({ id: iotGateways.id })
    .from(iotGateways)
    .where(and(eq(iotGateways.tenantId, tenantId), eq(iotGateways.id, gatewayId), isNull(iotGateways.archivedAt)));
  if (!g) throw invalid('gatewayId', 'exists', `gatewayId: no active gateway ${gatewayId}`);
}

export async function createDevice(ctx: Ctx, input: DeviceInput): Promise<DeviceView> {
  requirePermission(ctx.actor, P.configure);
  const code = input.code.trim();
  if (!code) throw invalid('code', 'minLength', 'code: required');
  return ctx.db.tx(async (tx) => {
    await placeIn(tx, ctx, input.orgUnitId);
    await checkGateway(tx, ctx.actor.tenantId, input.gatewayId);
    const now = ctx.now();
    const [d] = await uniqueOr('code', `device code ${code} is already used`, () =>
      tx
        .insert(iotDevices)
        .values({ id: newId(), tenantId: ctx.actor.tenantId, orgUnitId: input.orgUnitId, code, name: input.name.trim(), model: trimOrNull(input.model), gatewayId: input.gatewayId ?? null, offlineAfterS: input.offlineAfterS ?? 300, createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
        .returning(),
    );
    await audit(tx, ctx, 'iot.device.created', 'iot_device', d!.id, null, { code, name: d!.name, orgUnitId: d!.orgUnitId }, { deviceId: d!.id, code });
    return deviceView(d!);
  });
}

async function loadDevice(tx: Tx, ctx: Ctx, id: string): Promise<DeviceRow> {
  const [d] = await tx
    .select()
    .from(iotDevices)
    .where(and(eq(iotDevices.id, id), eq(iotDevices.tenantId, ctx.actor.tenantId)))
    .for('update');
  if (!d) throw notFound('device');
  await assertInScope(tx, ctx.actor, d);
  return d;
}

export interface DevicePatch {
  name?: string;
  model?: string | null;
  gatewayId?: string | null;
  orgUnitId?: string;
  offlineAfterS?: number;
}

export async function updateDevice(ctx: Ctx, id: string, patch: DevicePatch, version: number): Promise<DeviceView> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const d = await loadDevice(tx, ctx, id);
    if (d.version !== version) throw versionConflict(d.version);
    if (patch.orgUnitId) await placeIn(tx, ctx, patch.orgUnitId);
    await checkGateway(tx, ctx.actor.tenantId, patch.gatewayId);
    const [after] = await tx
      .update(iotDevices)
      .set({
        name: patch.name?.trim() ?? d.name,
        model: patch.model !== undefined ? trimOrNull(patch.model) : d.model,
        gatewayId: patch.gatewayId !== undefined ? patch.gatewayId : d.gatewayId,
        orgUnitId: patch.orgUnitId ?? d.orgUnitId,
        offlineAfterS: patch.offlineAfterS ?? d.offlineAfterS,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
        version: d.version + 1,
      })
      .where(eq(iotDevices.id, id))
      .returning();
    await audit(tx, ctx, 'iot.device.updated', 'iot_device', id, deviceView(d), deviceView(after!), { deviceId: id, code: d.code });
    return deviceView(after!);
  });
}

/**
 * Issues a new token (first issue or rotation): the old one stops working at once, also on the embedded
 * broker at the next connect. The token is returned once; only its hash is kept.
 */
export async function issueDeviceToken(ctx: Ctx, id: string, reason: string | null): Promise<{ device: DeviceView; token: string }> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const d = await loadDevice(tx, ctx, id);
    if (d.archivedAt) throw new AppError('conflict', 'the device is archived');
    const token = newDeviceToken();
    const now = ctx.now();
    const [after] = await tx
      .update(iotDevices)
      .set({ tokenHash: hashDeviceToken(token), tokenIssuedAt: now, updatedAt: now, updatedBy: ctx.actor.userId, version: d.version + 1 })
      .where(eq(iotDevices.id, id))
      .returning();
    await audit(tx, ctx, d.tokenHash ? 'iot.device.token_rotated' : 'iot.device.token_issued', 'iot_device', id, { tokenIssuedAt: d.tokenIssuedAt }, { tokenIssuedAt: now, reason }, { deviceId: id, code: d.code });
    return { device: deviceView(after!), token };
  });
}

export async function archiveDevice(ctx: Ctx, id: string, version: number): Promise<DeviceView> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const d = await loadDevice(tx, ctx, id);
    if (d.version !== version) throw versionConflict(d.version);
    const now = ctx.now();
    // Archiving revokes the token too: an archived device must not keep publishing.
    const [after] = await tx.update(iotDevices).set({ archivedAt: now, tokenHash: null, status: 'offline', updatedAt: now, updatedBy: ctx.actor.userId, version: d.version + 1 }).where(eq(iotDevices.id, id)).returning();
    await audit(tx, ctx, 'iot.device.archived', 'iot_device', id, deviceView(d), deviceView(after!), { deviceId: id, code: d.code });
    return deviceView(after!);
  });
}

export async function listDevices(ctx: Ctx, opts: { includeArchived?: boolean } = {}): Promise<DeviceView[]> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const conds: SQL[] = [scopeWhere(ctx.actor, { tenantId: iotDevices.tenantId, orgUnitId: iotDevices.orgUnitId })];
    if (!opts.includeArchived) conds.push(isNull(iotDevices.archivedAt));
    const rows = await tx
      .select()
      .from(iotDevices)
      .where(and(...conds))
      .orderBy(asc(iotDevices.code))
      .limit(1000);
    return rows.map(deviceView);
  });
}

// ---- points ----

export interface PointInput {
  deviceId: string;
  key: string;
  code: string;
  name: string;
  type: string;
  unit?: string;
  rangeMin?: number | null;
  rangeMax?: number | null;
  orgUnitId: string;
  riskUnitIds?: string[];
  equipmentIds?: string[];
}

export interface PointView {
  id: string;
  deviceId: string;
  deviceCode: string | null;
  deviceStatus: 'online' | 'offline' | null;
  key: string;
  code: string;
  name: string;
  type: string;
  unit: string;
  rangeMin: number | null;
  rangeMax: number | null;
  orgUnitId: string | null;
  riskUnitIds: string[];
  equipmentIds: string[];
  lastValue: number | null;
  lastTs: string | null;
  /** Worst open alarm on the point, or 'normal'. */
  alarmState: 'normal' | 'active_unack' | 'active_ack' | 'cleared_unack';
  alarmSeverity: string | null;
  archived: boolean;
  version: number;
}

async function checkRiskUnits(tx: Tx, tenantId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids.map((s) => s.toLowerCase()))];
  if (unique.length === 0) return unique;
  const found = new Set((await riskLevelsOfUnits(tx, tenantId, unique)).map((u) => u.unitId));
  const missing = unique.find((id) => !found.has(id));
  if (missing) throw invalid('riskUnitIds', 'exists', `riskUnitIds: no active risk unit ${missing} in this company`);
  return unique;
}

function checkRange(min: number | null | undefined, max: number | null | undefined): void {
  if (min !== null && min !== undefined && max !== null && max !== undefined && min >= max) throw invalid('rangeMax', 'minimum', 'rangeMax: must be greater than rangeMin');
}

export async function createPoint(ctx: Ctx, input: PointInput): Promise<PointView> {
  requirePermission(ctx.actor, P.configure);
  checkRange(input.rangeMin, input.rangeMax);
  const code = input.code.trim();
  if (!/^[\w.:-]{1,64}$/.test(input.key)) throw invalid('key', 'pattern', 'key: 1 to 64 letters, digits, _ . : -');
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    await ensureIotDefaults(tx, tenantId);
    if (!(await pointTypeExists(tx, tenantId, input.type))) {
      const types = (await loadPointTypes(tx, tenantId)).map((t) => t.code);
      throw invalid('type', 'enum', `type: one of ${types.join(', ')}`);
    }
    const device = await loadDevice(tx, ctx, input.deviceId).catch(() => {
      throw invalid('deviceId', 'exists', `deviceId: no device ${input.deviceId}`);
    });
    if (device.archivedAt) throw invalid('deviceId', 'exists', 'deviceId: the device is archived');
    await placeIn(tx, ctx, input.orgUnitId);
    const riskUnitIds = await checkRiskUnits(tx, tenantId, input.riskUnitIds ?? []);
    const now = ctx.now();
    const [p] = await uniqueOr('code', `point code ${code} or key ${input.key} is already used`, () =>
      tx
        .insert(iotPoints)
        .values({ id: newId(), tenantId, orgUnitId: input.orgUnitId, deviceId: device.id, key: input.key, code, name: input.name.trim(), type: input.type, unit: input.unit ?? '', rangeMin: input.rangeMin ?? null, rangeMax: input.rangeMax ?? null, riskUnitIds, equipmentIds: [...new Set(input.equipmentIds ?? [])], createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
        .returning(),
    );
    await audit(tx, ctx, 'iot.point.created', 'iot_point', p!.id, null, { code, key: p!.key, type: p!.type, deviceId: device.id }, { pointId: p!.id, code });
    return (await pointViews(tx, [p!]))[0]!;
  });
}

export interface PointPatch {
  name?: string;
  unit?: string;
  rangeMin?: number | null;
  rangeMax?: number | null;
  orgUnitId?: string;
  riskUnitIds?: string[];
  equipmentIds?: string[];
}

export async function updatePoint(ctx: Ctx, id: string, patch: PointPatch, version: number): Promise<PointView> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const [p] = await tx
      .select()
      .from(iotPoints)
      .where(and(eq(iotPoints.id, id), eq(iotPoints.tenantId, ctx.actor.tenantId)))
      .for('update');
    if (!p) throw notFound('point');
    await assertInScope(tx, ctx.actor, p);
    if (p.version !== version) throw versionConflict(p.version);
    const rangeMin = patch.rangeMin !== undefined ? patch.rangeMin : p.rangeMin;
    const rangeMax = patch.rangeMax !== undefined ? patch.rangeMax : p.rangeMax;
    checkRange(rangeMin, rangeMax);
    if (patch.orgUnitId) await placeIn(tx, ctx, patch.orgUnitId);
    const riskUnitIds = patch.riskUnitIds ? await checkRiskUnits(tx, ctx.actor.tenantId, patch.riskUnitIds) : p.riskUnitIds;
    const [after] = await tx
      .update(iotPoints)
      .set({ name: patch.name?.trim() ?? p.name, unit: patch.unit ?? p.unit, rangeMin, rangeMax, orgUnitId: patch.orgUnitId ?? p.orgUnitId, riskUnitIds, equipmentIds: patch.equipmentIds ?? p.equipmentIds, updatedAt: ctx.now(), updatedBy: ctx.actor.userId, version: p.version + 1 })
      .where(eq(iotPoints.id, id))
      .returning();
    await audit(tx, ctx, 'iot.point.updated', 'iot_point', id, { name: p.name, unit: p.unit, rangeMin: p.rangeMin, rangeMax: p.rangeMax, orgUnitId: p.orgUnitId }, { name: after!.name, unit: after!.unit, rangeMin, rangeMax, orgUnitId: after!.orgUnitId }, { pointId: id, code: p.code });
    return (await pointViews(tx, [after!]))[0]!;
  });
}

/** Archives a point (its history stays); its readings are refused from now on. */
export async function archivePoint(ctx: Ctx, id: string, version: number): Promise<PointView> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const [p] = await tx
      .select()
      .from(iotPoints)
      .where(and(eq(iotPoints.id, id), eq(iotPoints.tenantId, ctx.actor.tenantId)))
      .for('update');
    if (!p) throw notFound('point');
    await assertInScope(tx, ctx.actor, p);
    if (p.version !== version) throw versionConflict(p.version);
    if (p.archivedAt) throw new AppError('conflict', 'the point is already archived');
    const now = ctx.now();
    const [after] = await tx.update(iotPoints).set({ archivedAt: now, updatedAt: now, updatedBy: ctx.actor.userId, version: p.version + 1 }).where(eq(iotPoints.id, id)).returning();
    await audit(tx, ctx, 'iot.point.archived', 'iot_point', id, { archivedAt: null }, { archivedAt: now }, { pointId: id, code: p.code });
    return (await pointViews(tx, [after!]))[0]!;
  });
}

const stateRank: Record<string, number> = { active_unack: 3, cleared_unack: 2, active_ack: 1 };

export async function pointViews(tx: Tx, rows: PointRow[]): Promise<PointView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const devices = await tx
    .select({ id: iotDevices.id, code: iotDevices.code, status: iotDevices.status })
    .from(iotDevices)
    .where(
      inArray(
        iotDevices.id,
        rows.map((r) => r.deviceId),
      ),
    );
  const dev = new Map(devices.map((d) => [d.id, d]));
  const alarms = await tx
    .select({ pointId: iotAlarms.pointId, state: iotAlarms.state, severity: iotAlarms.severity })
    .from(iotAlarms)
    .where(and(inArray(iotAlarms.pointId, ids), ne(iotAlarms.state, 'cleared_ack')));
  const worst = new Map<string, { state: PointView['alarmState']; severity: string }>();
  for (const a of alarms) {
    const cur = worst.get(a.pointId);
    if (a.state !== 'cleared_ack' && (!cur || (stateRank[a.state] ?? 0) > (stateRank[cur.state] ?? 0))) worst.set(a.pointId, { state: a.state, severity: a.severity });
  }
  return rows.map((p) => ({
    id: p.id,
    deviceId: p.deviceId,
    deviceCode: dev.get(p.deviceId)?.code ?? null,
    deviceStatus: dev.get(p.deviceId)?.status ?? null,
    key: p.key,
    code: p.code,
    name: p.name,
    type: p.type,
    unit: p.unit,
    rangeMin: p.rangeMin,
    rangeMax: p.rangeMax,
    orgUnitId: p.orgUnitId,
    riskUnitIds: p.riskUnitIds,
    equipmentIds: p.equipmentIds,
    lastValue: p.lastValue,
    lastTs: p.lastTs?.toISOString() ?? null,
    alarmState: worst.get(p.id)?.state ?? 'normal',
    alarmSeverity: worst.get(p.id)?.severity ?? null,
    archived: p.archivedAt !== null,
    version: p.version,
  }));
}

export async function listPoints(ctx: Ctx, f: { deviceId?: string; type?: string } = {}): Promise<PointView[]> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const conds: SQL[] = [scopeWhere(ctx.actor, { tenantId: iotPoints.tenantId, orgUnitId: iotPoints.orgUnitId }), isNull(iotPoints.archivedAt)];
    if (f.deviceId) conds.push(eq(iotPoints.deviceId, f.deviceId));
    if (f.type) conds.push(eq(iotPoints.type, f.type));
    const rows = await tx
      .select()
      .from(iotPoints)
      .where(and(...conds))
      .orderBy(asc(iotPoints.code))
      .limit(2000);
    return pointViews(tx, rows);
  });
}

/** A point the actor may read (for readings queries), or 404/403. */
export async function readablePoint(tx: Tx, ctx: Ctx, id: string): Promise<PointRow> {
  const [p] = await tx
    .select()
    .from(iotPoints)
    .where(and(eq(iotPoints.id, id), eq(iotPoints.tenantId, ctx.actor.tenantId)));
  if (!p) throw notFound('point');
  await assertInScope(tx, ctx.actor, p);
  return p;
}

export async function listPointTypes(ctx: Ctx) {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    await ensureIotDefaults(tx, ctx.actor.tenantId);
    return loadPointTypes(tx, ctx.actor.tenantId);
  });
}

/** Count of points per device (admin table). */
export async function pointCounts(tx: Tx, tenantId: string): Promise<Map<string, number>> {
  const rows = await tx
    .select({ deviceId: iotPoints.deviceId, n: sql<number>`count(*)::int` })
    .from(iotPoints)
    .where(and(eq(iotPoints.tenantId, tenantId), isNull(iotPoints.archivedAt)))
    .groupBy(iotPoints.deviceId);
  return new Map(rows.map((r) => [r.deviceId, r.n]));
}
