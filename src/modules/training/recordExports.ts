import { and, asc, eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import { dayIn, tenantZone } from '../../platform/org/calendar.ts';
import { namesOf } from '../../platform/org/directory.ts';
import { people } from '../../platform/org/schema.ts';
import { trainingPermissions as P } from './permissions.ts';
import { renderRecordPdf } from './recordPdf.ts';
import { personTrainingFile, recordsOf } from './records.ts';

/** The training files as documents (PDF per person, Excel for all in scope) and department statistics. */

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function personRecordPdf(ctx: Ctx, personId: string): Promise<{ pdf: Buffer; fileName: string }> {
  const file = await personTrainingFile(ctx, personId);
  const facts = await ctx.db.read(async (tx) => {
    const [p] = await tx.select({ orgUnitId: people.orgUnitId }).from(people).where(eq(people.id, personId));
    const names = await namesOf(tx, ctx.actor.tenantId, [p?.orgUnitId ?? null], []);
    return { zone: await tenantZone(tx, ctx.actor.tenantId), unitName: p?.orgUnitId ? (names.units.get(p.orgUnitId) ?? null) : null };
  });
  const pdf = await renderRecordPdf({ ...file, companyName: facts.zone.name, unitName: facts.unitName, printedOn: dayIn(ctx.now(), facts.zone.timeZone), timeZone: facts.zone.timeZone });
  return { pdf, fileName: `training-record-${file.person.employeeNo}.pdf` };
}

/** Everybody active in the asker's data scope with their records. */
async function peopleWithRecords(ctx: Ctx) {
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select({ id: people.id, name: people.name, employeeNo: people.employeeNo, orgUnitId: people.orgUnitId, kind: people.kind })
      .from(people)
      .where(and(scopeWhere(ctx.actor, { tenantId: people.tenantId, orgUnitId: people.orgUnitId, owners: [people.id] }), eq(people.status, 'active')))
      .orderBy(asc(people.employeeNo))
      .limit(50_000);
    const records = await recordsOf(
      tx,
      ctx.actor.tenantId,
      rows.map((r) => r.id),
    );
    const names = await namesOf(
      tx,
      ctx.actor.tenantId,
      rows.map((r) => r.orgUnitId),
      [],
    );
    const zone = await tenantZone(tx, ctx.actor.tenantId);
    return { rows, records, units: names.units, zone };
  });
}

/** All training records in scope as Excel: one sheet of records, one of totals per person. */
export async function exportRecordsExcel(ctx: Ctx): Promise<Buffer> {
  requirePermission(ctx.actor, P.read);
  const { rows, records, units, zone } = await peopleWithRecords(ctx);
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const fmt = new Intl.DateTimeFormat('zh-CN', { timeZone: zone.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
  const detail = wb.addWorksheet('培训记录');
  detail.columns = [
    { header: '工号', key: 'no', width: 12 },
    { header: '姓名', key: 'name', width: 10 },
    { header: '部门', key: 'unit', width: 18 },
    { header: '时间', key: 'at', width: 18 },
    { header: '培训内容', key: 'content', width: 40 },
    { header: '学时', key: 'hours', width: 6 },
    { header: '讲师', key: 'trainer', width: 10 },
    { header: '结果', key: 'result', width: 14 },
  ];
  const totals = wb.addWorksheet('人员汇总');
  totals.columns = [
    { header: '工号', key: 'no', width: 12 },
    { header: '姓名', key: 'name', width: 10 },
    { header: '部门', key: 'unit', width: 18 },
    { header: '记录条数', key: 'count', width: 10 },
    { header: '累计学时', key: 'hours', width: 10 },
  ];
  for (const p of rows) {
    const list = records.get(p.id) ?? [];
    const unit = p.orgUnitId ? (units.get(p.orgUnitId) ?? '') : '';
    for (const r of list) detail.addRow({ no: p.employeeNo, name: p.name, unit, at: fmt.format(new Date(r.at)), content: r.content, hours: r.hours, trainer: r.trainer ?? '', result: r.result ?? '' });
    totals.addRow({ no: p.employeeNo, name: p.name, unit, count: list.length, hours: list.reduce((n, r) => n + r.hours, 0) });
  }
  for (const ws of [detail, totals]) ws.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface DepartmentStat {
  orgUnitId: string | null;
  orgUnitName: string;
  people: number;
  trained: number;
  /** Percent of people with at least one record. */
  coverage: number;
  hours: number;
  avgHours: number;
}

/** Coverage (people with any training) and hours per department (the person's unit), in scope. */
export async function trainingStatistics(ctx: Ctx): Promise<{ items: DepartmentStat[] }> {
  requirePermission(ctx.actor, P.read);
  const { rows, records, units } = await peopleWithRecords(ctx);
  const by = new Map<string | null, { people: number; trained: number; hours: number }>();
  for (const p of rows) {
    const list = records.get(p.id) ?? [];
    const s = by.get(p.orgUnitId) ?? { people: 0, trained: 0, hours: 0 };
    s.people++;
    if (list.length > 0) s.trained++;
    s.hours += list.reduce((n, r) => n + r.hours, 0);
    by.set(p.orgUnitId, s);
  }
  const items = [...by.entries()].map(([id, s]) => ({
    orgUnitId: id,
    orgUnitName: id ? (units.get(id) ?? '') : '',
    people: s.people,
    trained: s.trained,
    coverage: Math.floor((s.trained * 100) / s.people),
    hours: s.hours,
    avgHours: Math.round((s.hours * 10) / s.people) / 10,
  }));
  return { items: items.sort((a, b) => a.orgUnitName.localeCompare(b.orgUnitName, 'zh-CN')) };
}
