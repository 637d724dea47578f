import { and, asc, desc, eq, gte, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import { systemCtx } from '../platform/auth/actor.ts';
import type { Database, Tx } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { addDays, dayIn, instantOf, seedChinaPublicDays, tenantZone } from '../platform/org/calendar.ts';
import { checkpoints } from '../modules/equipment/schema.ts';
import { hazards } from '../modules/hazards/schema.ts';
import { ensureDefaultTemplate, ensureInspectionSettings } from '../modules/inspections/defaults.ts';
import { generateTasksTx } from '../modules/inspections/generate.ts';
import { syncMeasurePlansTx } from '../modules/inspections/plans.ts';
import { inspectionFindings, inspectionPlans, inspectionResults, inspectionRoutes, inspectionTasks, inspectionTemplates, inspectionTemplateVersions, type TemplateItem } from '../modules/inspections/schema.ts';
import { listActiveControlMeasures } from '../modules/risks/service.ts';
import { seededRandom } from './random.ts';

/**
 * Inspections for every demo company (issue 5): the default checklist and two more (pressure vessels,
 * fire safety), one plan per demo control measure (at the checkpoint of its risk unit when there is one),
 * a fire-safety patrol route over the plant's other checkpoints, and a month of check history: about 9 in
 * 10 past checks done (a few late), the rest missed, and in the main company a few failed items linked
 * to demo hazards of the same time. Rows are written in bulk under a fixed seed; the plans and tasks come
 * from the module's own sync and generator.
 */

export interface DemoInspectionCounts {
  plans: number;
  tasks: number;
  done: number;
  missed: number;
  findings: number;
}

const pressureItems: TemplateItem[] = [
  { key: 'gauge_ok', label: '压力表、安全阀在校验有效期内', kind: 'pass_fail', required: true, allowNa: false },
  { key: 'pressure', label: '工作压力', kind: 'number', required: true, min: 0.4, max: 0.8, unit: 'MPa' },
  { key: 'drain', label: '排污阀无泄漏，已排水', kind: 'pass_fail', required: true },
  { key: 'site_photo', label: '现场照片', kind: 'photo', required: false, photoRequired: true },
  { key: 'sign', label: '巡检人签字', kind: 'signature', required: true },
];
const fireItems: TemplateItem[] = [
  { key: 'extinguisher', label: '灭火器压力在绿区、无过期', kind: 'pass_fail', required: true },
  { key: 'exit_clear', label: '疏散通道和安全出口畅通', kind: 'pass_fail', required: true },
  { key: 'lights', label: '应急照明和疏散指示完好', kind: 'pass_fail', required: true },
  { key: 'remark', label: '备注', kind: 'text', required: false },
];

export async function seedDemoInspections(tx: Tx, db: Database, tenantId: string, now: Date, seed: number, opts: { linkHazards: boolean }): Promise<DemoInspectionCounts> {
  const rng = seededRandom(seed);
  const ctx = systemCtx(db, tenantId, () => now);
  const { timeZone } = await tenantZone(tx, tenantId);
  const today = dayIn(now, timeZone);
  const from = addDays(today, -30);
  await ensureInspectionSettings(tx, tenantId);
  // The public holidays and make-up work days (调休) the work-day plans follow.
  await seedChinaPublicDays(tx, tenantId, now);
  await ensureDefaultTemplate(tx, tenantId, now);
  const extra = [
    { id: newId(), name: '压力容器巡检表', items: pressureItems },
    { id: newId(), name: '消防安全巡查表', items: fireItems },
  ];
  await tx.insert(inspectionTemplates).values(extra.map((x) => ({ id: x.id, tenantId, name: x.name, createdAt: now, updatedAt: now })));
  await tx.insert(inspectionTemplateVersions).values(extra.map((x) => ({ id: newId(), tenantId, templateId: x.id, versionNo: 1, items: x.items, createdAt: now })));

  // Plans from the demo control measures, started a month ago.
  await syncMeasurePlansTx(tx, ctx, { startsOn: from });
  const measures = await listActiveControlMeasures(tx, tenantId, { limit: 5000 });
  const unitOf = new Map(measures.map((m) => [m.id, m.unitId]));
  const cps = await tx.select().from(checkpoints).where(eq(checkpoints.tenantId, tenantId)).orderBy(asc(checkpoints.id));
  const plans = await tx.select({ id: inspectionPlans.id, measureId: inspectionPlans.controlMeasureId }).from(inspectionPlans).where(and(eq(inspectionPlans.tenantId, tenantId), isNotNull(inspectionPlans.controlMeasureId)));
  const byCheckpoint = new Map<string, string[]>();
  for (const p of plans) {
    const unitId = p.measureId ? unitOf.get(p.measureId) : undefined;
    const cp = unitId ? cps.find((c) => c.riskUnitIds.includes(unitId)) : undefined;
    if (cp) byCheckpoint.set(cp.id, [...(byCheckpoint.get(cp.id) ?? []), p.id]);
  }
  for (const [cpId, ids] of byCheckpoint) await tx.update(inspectionPlans).set({ checkpointId: cpId }).where(inArray(inspectionPlans.id, ids));

  // A fire-safety patrol over the checkpoints that are places rather than equipment, per area, every day.
  const places = cps.filter((c) => !c.equipmentId && !c.archivedAt);
  const byArea = new Map<string, typeof places>();
  for (const c of places) if (c.orgUnitId) byArea.set(c.orgUnitId, [...(byArea.get(c.orgUnitId) ?? []), c]);
  const firstOfMeasure = await tx
    .select({ personId: inspectionPlans.assigneePersonId, positionId: inspectionPlans.assigneePositionId })
    .from(inspectionPlans)
    .where(and(eq(inspectionPlans.tenantId, tenantId), isNotNull(inspectionPlans.assigneePositionId)))
    .limit(1);
  for (const [areaId, list] of byArea) {
    if (list.length < 2) continue;
    const routeId = newId();
    await tx.insert(inspectionRoutes).values({ id: routeId, tenantId, orgUnitId: areaId, name: '消防安全巡查路线', checkpointIds: list.map((c) => c.id), createdAt: now, updatedAt: now });
    await tx.insert(inspectionPlans).values({
      id: newId(),
      tenantId,
      orgUnitId: areaId,
      createdAt: now,
      updatedAt: now,
      name: '每日消防安全巡查',
      source: 'manual',
      checkType: 'specialist',
      cycleUnit: 'day',
      cycleInterval: 1,
      dayType: 'workdays',
      assigneePersonId: firstOfMeasure[0]?.personId ?? null,
      assigneePositionId: firstOfMeasure[0]?.positionId ?? null,
      routeId,
      templateId: extra[1]!.id,
      startsOn: from,
    });
  }

  const gen = await generateTasksTx(tx, tenantId, { from, to: addDays(today, 7), timeZone, now, force: true });
  const past = await tx
    .select({ id: inspectionTasks.id, versionId: inspectionTasks.templateVersionId, windowStart: inspectionTasks.windowStart, stops: inspectionTasks.stops, orgUnitId: inspectionTasks.orgUnitId, controlMeasureId: inspectionTasks.controlMeasureId })
    .from(inspectionTasks)
    .where(and(eq(inspectionTasks.tenantId, tenantId), lte(inspectionTasks.windowEnd, now)))
    .orderBy(asc(inspectionTasks.windowStart), asc(inspectionTasks.id));
  const onTime: string[] = [];
  const late: string[] = [];
  const missed: string[] = [];
  for (const t of past) {
    const r = rng.next();
    if (r < 0.08) missed.push(t.id);
    else if (r < 0.12) late.push(t.id);
    else onTime.push(t.id);
  }
  const chunk = async (ids: string[], run: (part: string[]) => Promise<unknown>) => {
    for (let i = 0; i < ids.length; i += 1000) await run(ids.slice(i, i + 1000));
  };
  // Every stop scanned 10 minutes before and submitted at the done time.
  const doneSet = (doneAt: ReturnType<typeof sql>, isOnTime: boolean) => ({
    status: 'done' as const,
    doneAt: sql`${doneAt}`,
    startedAt: sql`${doneAt} - interval '10 minutes'`,
    onTime: isOnTime,
    version: 3,
    stops: sql`(SELECT jsonb_agg(e || jsonb_build_object('scannedAt', to_jsonb(${doneAt} - interval '10 minutes'), 'submittedAt', to_jsonb(${doneAt}))) FROM jsonb_array_elements(${inspectionTasks.stops}) e)`,
  });
  await chunk(onTime, (ids) => tx.update(inspectionTasks).set(doneSet(sql`${inspectionTasks.windowStart} + (${inspectionTasks.windowEnd} - ${inspectionTasks.windowStart}) * 0.4`, true)).where(inArray(inspectionTasks.id, ids)));
  await chunk(late, (ids) => tx.update(inspectionTasks).set(doneSet(sql`${inspectionTasks.windowEnd} + interval '2 hours'`, false)).where(inArray(inspectionTasks.id, ids)));
  await chunk(missed, (ids) => tx.update(inspectionTasks).set({ status: 'missed', missedAt: sql`${inspectionTasks.windowEnd} + interval '5 minutes'`, version: 2 }).where(inArray(inspectionTasks.id, ids)));

  // The pass/fail answer of each done check (the first pass/fail item of its checklist, at each stop).
  const versions = await tx.select({ id: inspectionTemplateVersions.id, items: inspectionTemplateVersions.items }).from(inspectionTemplateVersions).where(eq(inspectionTemplateVersions.tenantId, tenantId));
  const keyOf = new Map(versions.map((v) => [v.id, v.items.find((i) => i.kind === 'pass_fail')?.key ?? null]));
  const doneIds = new Set([...onTime, ...late]);
  const doneTasks = past.filter((t) => doneIds.has(t.id));
  // A few failed items in the main company, each linked to a demo hazard of the same days.
  const candidates = opts.linkHazards
    ? await tx
        .select({ id: hazards.id, number: hazards.number, reportedAt: hazards.reportedAt })
        .from(hazards)
        .where(and(eq(hazards.tenantId, tenantId), gte(hazards.reportedAt, instantOf(from, timeZone)), lte(hazards.reportedAt, now)))
        .orderBy(desc(hazards.reportedAt))
        .limit(5)
    : [];
  const failed = new Map<string, (typeof candidates)[number]>();
  for (const h of candidates) {
    const day = dayIn(h.reportedAt, timeZone);
    const task = doneTasks.find((t) => t.controlMeasureId && !failed.has(t.id) && dayIn(t.windowStart, timeZone) === day) ?? doneTasks.find((t) => t.controlMeasureId && !failed.has(t.id) && dayIn(t.windowStart, timeZone) <= day);
    if (task) failed.set(task.id, h);
  }
  const results: (typeof inspectionResults.$inferInsert)[] = [];
  const findings: (typeof inspectionFindings.$inferInsert)[] = [];
  for (const t of doneTasks) {
    const key = keyOf.get(t.versionId);
    if (!key) continue;
    const h = failed.get(t.id);
    t.stops.forEach((s, stop) => {
      const id = newId();
      const fail = h !== undefined && stop === 0;
      results.push({ id, tenantId, taskId: t.id, stop, checkpointId: s.checkpointId, itemKey: key, kind: 'pass_fail', value: fail ? 'fail' : 'pass', passed: !fail, submittedAt: t.windowStart });
      if (fail) findings.push({ id: newId(), tenantId, taskId: t.id, resultId: id, stop, itemKey: key, controlMeasureId: t.controlMeasureId, hazardId: h.id, hazardNumber: h.number, createdAt: h.reportedAt });
    });
  }
  for (let i = 0; i < results.length; i += 1000) await tx.insert(inspectionResults).values(results.slice(i, i + 1000));
  if (findings.length) {
    await tx.insert(inspectionFindings).values(findings);
    await tx.update(inspectionTasks).set({ failedCount: 1 }).where(inArray(inspectionTasks.id, [...failed.keys()]));
  }
  return { plans: plans.length + byArea.size, tasks: gen.created, done: doneTasks.length, missed: missed.length, findings: findings.length };
}
