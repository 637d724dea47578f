import { createHash } from 'node:crypto';
import type ExcelJS from 'exceljs';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { pathInScope, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { findSheet, loadWorkbook, readSheet, type RowError, type SheetColumn, type SheetRow } from '../../platform/excel/read.ts';
import { AppError } from '../../platform/http/errors.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { isUniqueViolation } from '../../platform/org/sqlHelpers.ts';
import { ensureIotDefaults, loadPointTypes } from './defaults.ts';
import { iotPermissions as P } from './permissions.ts';
import { iotDevices, iotGateways, iotPoints } from './schema.ts';

/**
 * Devices and measurement points in Excel: one workbook with a 设备 / Devices sheet and a 测点 / Points
 * sheet. The template, the export and the import share the layout, so an export imports back unchanged.
 * Import matches what exists (device by code, point by code) and keeps it; it creates the rest. Every row of
 * both sheets is checked first; any problem means 422 `import_failed` with every row error and nothing written.
 */

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 5_000;
const MAX_ROW_ERRORS = 1000;
const MAX_EXPORT_ROWS = 50_000;

export const sheetNames = {
  devices: { 'zh-CN': '设备', en: 'Devices' },
  points: { 'zh-CN': '测点', en: 'Points' },
  help: { 'zh-CN': '说明', en: 'Instructions' },
} as const;

type DeviceKey = 'code' | 'name' | 'model' | 'gatewayCode' | 'areaCode' | 'offlineAfterS';
type PointKey = 'deviceCode' | 'key' | 'code' | 'name' | 'type' | 'unit' | 'rangeMin' | 'rangeMax' | 'areaCode';

interface Column<K extends string> extends SheetColumn<K> {
  width: number;
}

export const deviceColumns: Column<DeviceKey>[] = [
  { key: 'code', 'zh-CN': '设备编码', en: 'Device code', width: 16, required: true },
  { key: 'name', 'zh-CN': '设备名称', en: 'Device name', width: 24, required: true },
  { key: 'model', 'zh-CN': '型号', en: 'Model', width: 16 },
  { key: 'gatewayCode', 'zh-CN': '网关编码', en: 'Gateway code', width: 14 },
  { key: 'areaCode', 'zh-CN': '所在区域编码', en: 'Area code', width: 14, required: true },
  { key: 'offlineAfterS', 'zh-CN': '离线判定秒数', en: 'Offline after (s)', width: 14 },
];

export const pointColumns: Column<PointKey>[] = [
  { key: 'deviceCode', 'zh-CN': '设备编码', en: 'Device code', width: 16, required: true },
  { key: 'key', 'zh-CN': '通道标识', en: 'Channel key', width: 12, required: true },
  { key: 'code', 'zh-CN': '测点编码', en: 'Point code', width: 16, required: true },
  { key: 'name', 'zh-CN': '测点名称', en: 'Point name', width: 24, required: true },
  { key: 'type', 'zh-CN': '测点类型', en: 'Point type', width: 14, required: true },
  { key: 'unit', 'zh-CN': '单位', en: 'Unit', width: 10 },
  { key: 'rangeMin', 'zh-CN': '量程下限', en: 'Range min', width: 10 },
  { key: 'rangeMax', 'zh-CN': '量程上限', en: 'Range max', width: 10 },
  { key: 'areaCode', 'zh-CN': '所在区域编码', en: 'Area code', width: 14, required: true },
];

const CODE = /^[\w.:-]{1,64}$/;

// ---------------------------------------------------------------------------------------------------------
// Template and export
// ---------------------------------------------------------------------------------------------------------

type Workbook = ExcelJS.Workbook;

async function newWorkbook(): Promise<Workbook> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'SafeLoop';
  return wb;
}

function addSheet<K extends string>(wb: Workbook, ctx: Ctx, name: { 'zh-CN': string; en: string }, columns: Column<K>[], rows: Record<K, string | number>[]): void {
  const ws = wb.addWorksheet(name[ctx.locale], { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c[ctx.locale], key: c.key, width: c.width, style: { numFmt: c.key === 'rangeMin' || c.key === 'rangeMax' || c.key === 'offlineAfterS' ? 'General' : '@' } }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r);
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export async function iotImportTemplate(ctx: Ctx): Promise<{ buffer: Buffer; fileName: string }> {
  requirePermission(ctx.actor, P.configure);
  const types = await ctx.db.tx(async (tx) => {
    await ensureIotDefaults(tx, ctx.actor.tenantId);
    return loadPointTypes(tx, ctx.actor.tenantId);
  });
  const en = ctx.locale === 'en';
  const wb = await newWorkbook();
  addSheet(wb, ctx, sheetNames.devices, deviceColumns, []);
  addSheet(wb, ctx, sheetNames.points, pointColumns, []);
  const help = wb.addWorksheet(sheetNames.help[ctx.locale]);
  help.getColumn(1).width = 130;
  const typeList = types.map((t) => `${t.code} (${en ? t.nameEn : t.nameZh}, ${t.defaultUnit || '—'})`).join('; ');
  const lines = en
    ? [
        'Sheet "Devices": one device per row. Required: Device code, Device name, Area code (the org unit code where it is installed). Gateway code: an existing gateway. Offline after (s): 10 to 86400, default 300.',
        'Sheet "Points": one measurement point per row. Required: Device code (a device of this file or an existing one), Channel key (its name in the device payload, unique per device), Point code (unique in the company), Point name, Point type, Area code.',
        `Point type: the code or the name of a point type: ${typeList}. Unit: empty takes the type's default unit. Range min < Range max.`,
        'Codes and keys: 1 to 64 letters, digits, _ . : -. Existing devices and points (by code) are kept as they are. Device tokens are issued on the devices page after the import.',
        'Every row is checked first; if any row has a problem nothing is imported and every problem is listed.',
      ]
    : [
        '“设备”表：每行一台设备。必填：设备编码、设备名称、所在区域编码（安装位置的组织编码）。网关编码须为已有网关；离线判定秒数 10–86400，默认 300。',
        '“测点”表：每行一个测点。必填：设备编码（本文件中的设备或已有设备）、通道标识（设备上报数据中的名称，同一设备内唯一）、测点编码（公司内唯一）、测点名称、测点类型、所在区域编码。',
        `测点类型：填写类型编码或名称：${types.map((t) => `${t.code}（${t.nameZh}，${t.defaultUnit || '—'}）`).join('；')}。单位留空则取该类型的默认单位；量程下限须小于上限。`,
        '编码与通道标识：1–64 个字母、数字或 _ . : -。已有的设备和测点（按编码）保持不变。导入后在“设备与测点”页为设备签发令牌。',
        '系统先校验所有行，任何一行有错则整份文件都不导入，并列出每个错误。',
      ];
  for (const l of lines) help.addRow([l]);
  return { buffer: Buffer.from(await wb.xlsx.writeBuffer()), fileName: en ? 'iot-devices-points-template.xlsx' : '设备测点导入模板.xlsx' };
}

export async function exportIotRegistry(ctx: Ctx): Promise<{ buffer: Buffer; fileName: string }> {
  requirePermission(ctx.actor, P.read);
  const tenantId = ctx.actor.tenantId;
  const data = await ctx.db.read(async (tx) => {
    const devices = await tx
      .select()
      .from(iotDevices)
      .where(and(scopeWhere(ctx.actor, { tenantId: iotDevices.tenantId, orgUnitId: iotDevices.orgUnitId }), isNull(iotDevices.archivedAt)))
      .orderBy(asc(iotDevices.code))
      .limit(MAX_EXPORT_ROWS);
    const points = await tx
      .select()
      .from(iotPoints)
      .where(and(scopeWhere(ctx.actor, { tenantId: iotPoints.tenantId, orgUnitId: iotPoints.orgUnitId }), isNull(iotPoints.archivedAt)))
      .orderBy(asc(iotPoints.code))
      .limit(MAX_EXPORT_ROWS);
    const unitIds = [...new Set([...devices, ...points].map((r) => r.orgUnitId).filter((v): v is string => v !== null))];
    const units = unitIds.length ? await tx.select({ id: orgUnits.id, code: orgUnits.code }).from(orgUnits).where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, unitIds))) : [];
    const gateways = await tx.select({ id: iotGateways.id, code: iotGateways.code }).from(iotGateways).where(eq(iotGateways.tenantId, tenantId));
    // A point of a device outside the caller's scope still names its device by code.
    const devIds = [...new Set(points.map((p) => p.deviceId))];
    const allDevices = devIds.length ? await tx.select({ id: iotDevices.id, code: iotDevices.code }).from(iotDevices).where(and(eq(iotDevices.tenantId, tenantId), inArray(iotDevices.id, devIds))) : [];
    return { devices, points, units: new Map(units.map((u) => [u.id, u.code])), gateways: new Map(gateways.map((g) => [g.id, g.code])), deviceCodes: new Map(allDevices.map((d) => [d.id, d.code])) };
  });
  const unit = (id: string | null) => (id ? (data.units.get(id) ?? '') : '');
  const wb = await newWorkbook();
  addSheet(
    wb,
    ctx,
    sheetNames.devices,
    deviceColumns,
    data.devices.map((d) => ({ code: d.code, name: d.name, model: d.model ?? '', gatewayCode: d.gatewayId ? (data.gateways.get(d.gatewayId) ?? '') : '', areaCode: unit(d.orgUnitId), offlineAfterS: d.offlineAfterS })),
  );
  addSheet(
    wb,
    ctx,
    sheetNames.points,
    pointColumns,
    data.points.map((p) => ({ deviceCode: data.deviceCodes.get(p.deviceId) ?? '', key: p.key, code: p.code, name: p.name, type: p.type, unit: p.unit, rangeMin: p.rangeMin ?? '', rangeMax: p.rangeMax ?? '', areaCode: unit(p.orgUnitId) })),
  );
  const d = day(ctx.now());
  return { buffer: Buffer.from(await wb.xlsx.writeBuffer()), fileName: ctx.locale === 'en' ? `iot-devices-points-${d}.xlsx` : `设备测点-${d}.xlsx` };
}

// ---------------------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------------------

export interface IotImportResult {
  ok: true;
  dryRun: boolean;
  devices: { created: number; unchanged: number };
  points: { created: number; unchanged: number };
}

interface PlannedDevice {
  row: number;
  code: string;
  name: string;
  model: string | null;
  gatewayId: string | null;
  orgUnitId: string;
  offlineAfterS: number;
}

interface PlannedPoint {
  row: number;
  deviceCode: string;
  key: string;
  code: string;
  name: string;
  type: string;
  unit: string;
  rangeMin: number | null;
  rangeMax: number | null;
  orgUnitId: string;
}

interface Parsed {
  devices: { sheet: string; rows: SheetRow<DeviceKey>[] } | null;
  points: { sheet: string; rows: SheetRow<PointKey>[] } | null;
  errors: RowError[];
}

async function parseWorkbook(file: Buffer): Promise<Parsed> {
  const wb = await loadWorkbook(file);
  const errors: RowError[] = [];
  const dws = findSheet(wb, sheetNames.devices);
  const pws = findSheet(wb, sheetNames.points);
  if (!dws && !pws) {
    errors.push({ sheet: '', row: 0, field: 'sheet', column: '', message: `no sheet named ${sheetNames.devices['zh-CN']} / ${sheetNames.devices.en} or ${sheetNames.points['zh-CN']} / ${sheetNames.points.en}` });
    return { devices: null, points: null, errors };
  }
  for (const ws of [dws, pws]) if (ws && ws.actualRowCount > MAX_IMPORT_ROWS + 1) throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_ROWS} rows per sheet`);
  const devices = dws ? { sheet: dws.name, rows: readSheet(dws, deviceColumns, errors).rows } : null;
  const points = pws ? { sheet: pws.name, rows: readSheet(pws, pointColumns, errors).rows } : null;
  return { devices, points, errors };
}

const LIMITS: Record<string, number> = { name: 200, model: 200, unit: 20 };

async function plan(tx: Tx, ctx: Ctx, parsed: Parsed, errors: RowError[]): Promise<{ devices: PlannedDevice[]; points: PlannedPoint[]; unchangedDevices: number; unchangedPoints: number }> {
  const tenantId = ctx.actor.tenantId;
  const dRows = parsed.devices?.rows ?? [];
  const pRows = parsed.points?.rows ?? [];
  const dSheet = parsed.devices?.sheet ?? '';
  const pSheet = parsed.points?.sheet ?? '';
  const errD = (row: number, field: DeviceKey, message: string) => errors.push({ sheet: dSheet, row, field, column: deviceColumns.find((c) => c.key === field)!['zh-CN'], message });
  const errP = (row: number, field: PointKey, message: string) => errors.push({ sheet: pSheet, row, field, column: pointColumns.find((c) => c.key === field)!['zh-CN'], message });

  await ensureIotDefaults(tx, tenantId);
  const types = await loadPointTypes(tx, tenantId);
  const areaCodes = [...new Set([...dRows, ...pRows].map((r) => r.cells.areaCode).filter(Boolean))];
  const units = areaCodes.length ? await tx.select().from(orgUnits).where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.code, areaCodes))) : [];
  const gwCodes = [...new Set(dRows.map((r) => r.cells.gatewayCode).filter(Boolean))];
  const gateways = gwCodes.length ? await tx.select().from(iotGateways).where(and(eq(iotGateways.tenantId, tenantId), inArray(iotGateways.code, gwCodes))) : [];
  const devCodes = [...new Set([...dRows.map((r) => r.cells.code), ...pRows.map((r) => r.cells.deviceCode)].filter(Boolean))];
  const existingDevices = devCodes.length ? await tx.select().from(iotDevices).where(and(eq(iotDevices.tenantId, tenantId), inArray(iotDevices.code, devCodes))) : [];
  const ptCodes = [...new Set(pRows.map((r) => r.cells.code).filter(Boolean))];
  const existingPoints = ptCodes.length ? await tx.select().from(iotPoints).where(and(eq(iotPoints.tenantId, tenantId), inArray(iotPoints.code, ptCodes))) : [];
  const existingDevIds = existingDevices.map((d) => d.id);
  const keysOfExisting = existingDevIds.length ? await tx.select({ deviceId: iotPoints.deviceId, key: iotPoints.key }).from(iotPoints).where(inArray(iotPoints.deviceId, existingDevIds)) : [];

  const area = (row: number, code: string, err: (row: number, message: string) => void) => {
    if (!code) return null;
    const u = units.find((x) => x.code === code && x.active);
    if (!u) err(row, `"${code}" is not an org unit code of this company`);
    else if (!pathInScope(ctx.actor, u.path)) err(row, `${code} is outside your data scope`);
    return u ?? null;
  };

  const devices: PlannedDevice[] = [];
  let unchangedDevices = 0;
  const fileDeviceCodes = new Map<string, number>();
  for (const { row, cells: c } of dRows) {
    const before = errors.length;
    for (const col of deviceColumns) if (col.required && !c[col.key]) errD(row, col.key, 'required');
    for (const [k, max] of Object.entries(LIMITS)) if (k in c && c[k as DeviceKey].length > max) errD(row, k as DeviceKey, `at most ${max} characters`);
    if (c.code && !CODE.test(c.code)) errD(row, 'code', '1 to 64 letters, digits, _ . : -');
    const dup = fileDeviceCodes.get(c.code);
    if (c.code && dup !== undefined) errD(row, 'code', `${c.code} already appears in row ${dup}`);
    fileDeviceCodes.set(c.code, row);
    const u = area(row, c.areaCode, (r, m) => errD(r, 'areaCode', m));
    const gw = c.gatewayCode ? gateways.find((g) => g.code === c.gatewayCode && !g.archivedAt) : null;
    if (c.gatewayCode && !gw) errD(row, 'gatewayCode', `"${c.gatewayCode}" is not an active gateway code`);
    const offline = c.offlineAfterS ? Number(c.offlineAfterS) : 300;
    if (!Number.isInteger(offline) || offline < 10 || offline > 86_400) errD(row, 'offlineAfterS', `"${c.offlineAfterS}" is not a whole number from 10 to 86400`);
    const existing = existingDevices.find((d) => d.code === c.code);
    if (existing?.archivedAt) errD(row, 'code', `${c.code} is an archived device; use another code`);
    if (errors.length > before || !u) continue;
    if (existing) unchangedDevices++;
    else devices.push({ row, code: c.code, name: c.name.trim(), model: c.model || null, gatewayId: gw?.id ?? null, orgUnitId: u.id, offlineAfterS: offline });
  }

  const points: PlannedPoint[] = [];
  let unchangedPoints = 0;
  const filePointCodes = new Map<string, number>();
  const fileKeys = new Map<string, number>();
  for (const { row, cells: c } of pRows) {
    const before = errors.length;
    for (const col of pointColumns) if (col.required && !c[col.key]) errP(row, col.key, 'required');
    for (const [k, max] of Object.entries(LIMITS)) if (k in c && c[k as PointKey].length > max) errP(row, k as PointKey, `at most ${max} characters`);
    if (c.code && !CODE.test(c.code)) errP(row, 'code', '1 to 64 letters, digits, _ . : -');
    if (c.key && !CODE.test(c.key)) errP(row, 'key', '1 to 64 letters, digits, _ . : -');
    const dupCode = filePointCodes.get(c.code);
    if (c.code && dupCode !== undefined) errP(row, 'code', `${c.code} already appears in row ${dupCode}`);
    filePointCodes.set(c.code, row);
    const existing = existingPoints.find((p) => p.code === c.code);
    const dev = existingDevices.find((d) => d.code === c.deviceCode);
    const inFile = fileDeviceCodes.has(c.deviceCode);
    if (c.deviceCode && !dev && !inFile) errP(row, 'deviceCode', `"${c.deviceCode}" is neither a device of this file nor an existing device`);
    if (dev?.archivedAt) errP(row, 'deviceCode', `${c.deviceCode} is an archived device`);
    else if (dev && !existing && dev.orgUnitId) {
      const du = await tx.select({ path: orgUnits.path }).from(orgUnits).where(eq(orgUnits.id, dev.orgUnitId));
      if (du[0] && !pathInScope(ctx.actor, du[0].path)) errP(row, 'deviceCode', `${c.deviceCode} is outside your data scope`);
    }
    const type = types.find((t) => t.code === c.type || t.nameZh === c.type || t.nameEn.toLowerCase() === c.type.toLowerCase());
    if (c.type && !type) errP(row, 'type', `"${c.type}" is not a point type (${types.map((t) => t.code).join(', ')})`);
    const num = (field: 'rangeMin' | 'rangeMax') => {
      if (!c[field]) return null;
      const v = Number(c[field]);
      if (!Number.isFinite(v)) {
        errP(row, field, `"${c[field]}" is not a number`);
        return null;
      }
      return v;
    };
    const rangeMin = num('rangeMin');
    const rangeMax = num('rangeMax');
    if (rangeMin !== null && rangeMax !== null && rangeMin >= rangeMax) errP(row, 'rangeMax', 'must be greater than Range min');
    const u = area(row, c.areaCode, (r, m) => errP(r, 'areaCode', m));
    if (existing) {
      // An existing point stays as it is, but the sheet must not claim it for another device or channel.
      if (errors.length === before && (!dev || existing.deviceId !== dev.id || existing.key !== c.key)) errP(row, 'code', `${c.code} already exists on another device or channel`);
      if (errors.length === before) unchangedPoints++;
      continue;
    }
    const keyId = `${c.deviceCode}\u0000${c.key}`;
    const dupKey = fileKeys.get(keyId);
    if (c.key && dupKey !== undefined) errP(row, 'key', `${c.key} is already used for ${c.deviceCode} in row ${dupKey}`);
    fileKeys.set(keyId, row);
    if (dev && keysOfExisting.some((k) => k.deviceId === dev.id && k.key === c.key)) errP(row, 'key', `${c.deviceCode} already has a point with channel key ${c.key}`);
    if (errors.length > before || !u || !type) continue;
    points.push({ row, deviceCode: c.deviceCode, key: c.key, code: c.code, name: c.name.trim(), type: type.code, unit: c.unit || type.defaultUnit, rangeMin, rangeMax, orgUnitId: u.id });
  }
  return { devices, points, unchangedDevices, unchangedPoints };
}

/**
 * `POST /iot/import`: all or nothing. Any problem in any row of either sheet → 422 `import_failed` with every
 * row error (sheet, row, column, message); otherwise one transaction writes every device and point, each
 * audited like one made by hand, plus one audit entry for the import (file name and SHA-256).
 */
export async function importIotRegistry(ctx: Ctx, input: { file: Buffer; fileName: string; dryRun: boolean }): Promise<IotImportResult> {
  requirePermission(ctx.actor, P.configure);
  if (input.file.length > MAX_IMPORT_BYTES) throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
  const parsed = await parseWorkbook(input.file);
  const fileInfo = { fileName: input.fileName.slice(0, 200), sha256: createHash('sha256').update(input.file).digest('hex') };
  return ctx.db.tx(async (tx) => {
    const errors = [...parsed.errors];
    const planned = errors.length === 0 ? await plan(tx, ctx, parsed, errors) : null;
    if (errors.length === 0 && (parsed.devices?.rows.length ?? 0) + (parsed.points?.rows.length ?? 0) === 0) errors.push({ sheet: parsed.devices?.sheet ?? parsed.points?.sheet ?? '', row: 2, field: 'code', column: deviceColumns[0]!['zh-CN'], message: 'the sheets have no rows' });
    if (errors.length > 0 || !planned) {
      throw new AppError('import_failed', `${errors.length} problem${errors.length === 1 ? '' : 's'} found; nothing was imported`, {
        extra: { rowErrors: errors.slice(0, MAX_ROW_ERRORS), rowErrorCount: errors.length, rowErrorsTruncated: errors.length > MAX_ROW_ERRORS },
      });
    }
    const result: IotImportResult = { ok: true, dryRun: input.dryRun, devices: { created: planned.devices.length, unchanged: planned.unchangedDevices }, points: { created: planned.points.length, unchanged: planned.unchangedPoints } };
    if (input.dryRun) return result;
    try {
      return await writeImport(tx, ctx, planned, result, fileInfo);
    } catch (e) {
      // Someone created the same code between the check and the write: the whole import is refused.
      if (isUniqueViolation(e)) throw new AppError('import_failed', 'a device or point code of the file was created meanwhile; nothing was imported', { extra: { rowErrors: [], rowErrorCount: 0, rowErrorsTruncated: false } });
      throw e;
    }
  });
}

async function writeImport(tx: Tx, ctx: Ctx, planned: Awaited<ReturnType<typeof plan>>, result: IotImportResult, fileInfo: { fileName: string; sha256: string }): Promise<IotImportResult> {
  const tenantId = ctx.actor.tenantId;
  const now = ctx.now();
  const by = ctx.actor.userId;
  const deviceIds = new Map<string, string>();
  for (const d of planned.devices) {
    const [row] = await tx
      .insert(iotDevices)
      .values({ id: newId(), tenantId, orgUnitId: d.orgUnitId, code: d.code, name: d.name, model: d.model, gatewayId: d.gatewayId, offlineAfterS: d.offlineAfterS, createdAt: now, createdBy: by, updatedAt: now, updatedBy: by })
      .returning();
    deviceIds.set(d.code, row!.id);
    await recordChange(tx, ctx, { action: 'iot.device.created', entityType: 'iot_device', entityId: row!.id, after: { code: d.code, name: d.name, orgUnitId: d.orgUnitId, import: fileInfo.fileName } }, { type: 'iot.device.created', entityType: 'iot_device', entityId: row!.id, payload: { deviceId: row!.id, code: d.code } });
  }
  const missing = [...new Set(planned.points.map((p) => p.deviceCode).filter((c) => !deviceIds.has(c)))];
  if (missing.length) for (const d of await tx.select({ id: iotDevices.id, code: iotDevices.code }).from(iotDevices).where(and(eq(iotDevices.tenantId, tenantId), inArray(iotDevices.code, missing)))) deviceIds.set(d.code, d.id);
  for (const p of planned.points) {
    const deviceId = deviceIds.get(p.deviceCode)!;
    const [row] = await tx
      .insert(iotPoints)
      .values({ id: newId(), tenantId, orgUnitId: p.orgUnitId, deviceId, key: p.key, code: p.code, name: p.name, type: p.type, unit: p.unit, rangeMin: p.rangeMin, rangeMax: p.rangeMax, createdAt: now, createdBy: by, updatedAt: now, updatedBy: by })
      .returning();
    await recordChange(tx, ctx, { action: 'iot.point.created', entityType: 'iot_point', entityId: row!.id, after: { code: p.code, key: p.key, type: p.type, deviceId, import: fileInfo.fileName } }, { type: 'iot.point.created', entityType: 'iot_point', entityId: row!.id, payload: { pointId: row!.id, code: p.code } });
  }
  const importId = newId();
  await recordChange(
    tx,
    ctx,
    { action: 'iot.registry_imported', entityType: 'import', entityId: importId, after: { ...fileInfo, devices: result.devices, points: result.points } },
    { type: 'iot.registry_imported', entityType: 'import', entityId: importId, payload: { devices: result.devices.created, points: result.points.created } },
  );
  return result;
}
