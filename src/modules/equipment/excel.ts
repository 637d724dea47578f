import { and, asc, sql } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { dayIn, tenantZone } from '../../platform/org/calendar.ts';
import { equipmentPermissions as P } from './permissions.ts';
import { filterWhere, viewsOf, type EquipmentFilter, type EquipmentView } from './register.ts';
import { equipment } from './schema.ts';

/**
 * `GET /equipment/export.xlsx`: the register the caller may see, with the ledger's filters. A plant has
 * hundreds to a few thousand pieces, so the workbook is built in memory, capped at MAX_EXPORT_ROWS.
 * exceljs is loaded on the first export, not at start.
 */

export const MAX_EXPORT_ROWS = 20_000;

type Col = { key: string; 'zh-CN': string; en: string; width: number; value: (v: EquipmentView, l: 'zh-CN' | 'en') => string | number | null };

const statusText = { in_service: { 'zh-CN': '在用', en: 'In service' }, stopped: { 'zh-CN': '停用', en: 'Stopped' }, scrapped: { 'zh-CN': '报废', en: 'Scrapped' } } as const;
const dueText = { none: { 'zh-CN': '', en: '' }, ok: { 'zh-CN': '正常', en: 'OK' }, due_soon: { 'zh-CN': '即将到期', en: 'Due soon' }, overdue: { 'zh-CN': '已超期', en: 'Overdue' } } as const;

const columns: Col[] = [
  { key: 'code', 'zh-CN': '设备编号', en: 'Code', width: 16, value: (v) => v.code },
  { key: 'name', 'zh-CN': '设备名称', en: 'Name', width: 24, value: (v) => v.name },
  { key: 'kind', 'zh-CN': '设备类别', en: 'Kind', width: 22, value: (v) => v.kindName },
  { key: 'special', 'zh-CN': '特种设备', en: 'Special equipment', width: 10, value: (v, l) => (v.special ? (l === 'en' ? 'yes' : '是') : l === 'en' ? 'no' : '否') },
  { key: 'registrationNo', 'zh-CN': '使用登记证编号', en: 'Registration No.', width: 20, value: (v) => v.registrationNo },
  { key: 'model', 'zh-CN': '型号规格', en: 'Model', width: 16, value: (v) => v.model },
  { key: 'manufacturer', 'zh-CN': '制造单位', en: 'Manufacturer', width: 20, value: (v) => v.manufacturer },
  { key: 'orgUnit', 'zh-CN': '责任部门', en: 'Responsible unit', width: 18, value: (v) => v.orgUnitName },
  { key: 'location', 'zh-CN': '安装位置', en: 'Location', width: 18, value: (v) => v.location },
  { key: 'person', 'zh-CN': '责任人', en: 'Responsible person', width: 12, value: (v) => v.responsiblePersonName },
  { key: 'lastInspectedOn', 'zh-CN': '上次检验日期', en: 'Last inspected', width: 14, value: (v) => v.lastInspectedOn },
  { key: 'interval', 'zh-CN': '检验周期（月）', en: 'Interval (months)', width: 12, value: (v) => v.inspectionIntervalMonths },
  { key: 'nextInspectionDue', 'zh-CN': '下次检验日期', en: 'Next inspection due', width: 14, value: (v) => v.nextInspectionDue },
  { key: 'due', 'zh-CN': '检验状态', en: 'Inspection state', width: 12, value: (v, l) => dueText[v.dueState][l] },
  { key: 'status', 'zh-CN': '使用状态', en: 'Status', width: 10, value: (v, l) => statusText[v.status][l] },
  { key: 'statusReason', 'zh-CN': '停用/报废原因', en: 'Stop/scrap reason', width: 20, value: (v) => v.statusReason },
];

export async function exportEquipment(ctx: Ctx, filter: EquipmentFilter): Promise<{ buffer: Buffer; fileName: string }> {
  requirePermission(ctx.actor, P.read);
  const { views, day } = await ctx.db.read(async (tx) => {
    const rows = await tx
      .select()
      .from(equipment)
      .where(and(...(await filterWhere(tx, ctx, filter))))
      .orderBy(asc(sql`COALESCE(${equipment.nextInspectionDue}, DATE '9999-12-31')`), asc(equipment.code))
      .limit(MAX_EXPORT_ROWS);
    return { views: await viewsOf(tx, ctx, rows), day: dayIn(ctx.now(), (await tenantZone(tx, ctx.actor.tenantId)).timeZone) };
  });
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'SafeLoop';
  const ws = wb.addWorksheet(ctx.locale === 'en' ? 'Equipment' : '设备台账', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c[ctx.locale], key: c.key, width: c.width }));
  ws.getRow(1).font = { bold: true };
  for (const v of views) ws.addRow(Object.fromEntries(columns.map((c) => [c.key, c.value(v, ctx.locale)])));
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  return { buffer, fileName: ctx.locale === 'en' ? `equipment-${day}.xlsx` : `设备台账-${day}.xlsx` };
}
