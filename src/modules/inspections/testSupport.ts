import { expect } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import { addCheckpoint, makeFile, seedEquipmentCompany, signIn, type Client, type Res } from '../equipment/testSupport.ts';
import { seedSmallCompany } from '../../test/app.ts';
import type { PlanT, TaskDetailT, TaskListItemT, TemplateT } from './routes.ts';

/**
 * Test fixtures of the inspections module: the equipment test company (officer, operator, unit managers)
 * with a checkpoint and its code, a risk register with one control measure whose responsible person is
 * the worker, and helpers for the usual calls.
 */

export type Seed = Awaited<ReturnType<typeof seedInspectionCompany>>;

export async function seedInspectionCompany(t: TestApp) {
  const s = await seedEquipmentCompany(t);
  const other = await seedSmallCompany(t);
  const stranger = await signIn(t, other.safety.user);
  return { ...s, other, stranger };
}

export const ok = <T>(r: Res<T>, status = 200): T => {
  expect(r.statusCode, JSON.stringify(r.body)).toBe(status);
  return r.body;
};

let seq = 0;

/** Object → unit → event → measure (the worker responsible, the given cycle), made over HTTP by the safety director. */
export async function makeMeasure(s: Seed, over: { checkCycle?: number; checkCycleUnit?: string; workDayType?: string; responsiblePersonId?: string } = {}): Promise<{ measureId: string; unitId: string }> {
  const n = ++seq;
  const c = s.as.safety;
  const object = ok(await c.post<{ id: string }>('/api/v1/risks/objects', { code: `IO-${n}-${Math.random().toString(36).slice(2, 6)}`, name: `储罐区 ${n}`, type: 'area', orgUnitId: s.workshop.id }), 201);
  const unit = ok(await c.post<{ id: string }>('/api/v1/risks/units', { objectId: object.id, name: `储罐 ${n}`, orgUnitId: s.workshop.id, responsiblePersonId: s.head.person.id }), 201);
  const event = ok(await c.post<{ id: string }>('/api/v1/risks/events', { unitId: unit.id, name: `泄漏着火 ${n}`, consequences: '火灾' }), 201);
  const measure = ok(
    await c.post<{ id: string }>('/api/v1/risks/measures', {
      eventId: event.id,
      description: '可燃气体报警器完好',
      classify1: 'engineering',
      classify2: 'safety_instrument',
      troubleshootContent: '检查报警器指示灯和标定日期',
      checkCycle: over.checkCycle ?? 1,
      checkCycleUnit: over.checkCycleUnit ?? 'day',
      workDayType: over.workDayType ?? 'workdays',
      orgUnitId: s.team.id,
      responsiblePersonId: over.responsiblePersonId ?? s.worker.person.id,
    }),
    201,
  );
  return { measureId: measure.id, unitId: unit.id };
}

export async function makeTemplate(s: Seed, items?: unknown[]): Promise<TemplateT> {
  return ok(
    await s.as.officer.post<TemplateT>('/api/v1/inspections/templates', {
      name: `压力巡检 ${++seq}`,
      items: items ?? [
        { key: 'gauge_ok', label: '压力表完好', kind: 'pass_fail', required: true },
        { key: 'pressure', label: '压力读数', kind: 'number', required: true, min: 0.2, max: 0.8, unit: 'MPa' },
        { key: 'note', label: '备注', kind: 'text', required: false },
        { key: 'sign', label: '巡检人签字', kind: 'signature', required: true },
      ],
    }),
    201,
  );
}

/** A manual daily plan at one checkpoint for the worker, starting today; returns plan, checkpoint and code. */
export async function makeCheckpointPlan(s: Seed, template: TemplateT, over: Record<string, unknown> = {}) {
  const cp = await addCheckpoint(s);
  const plan = ok(
    await s.as.officer.post<PlanT>('/api/v1/inspections/plans', {
      name: `泵房巡检 ${++seq}`,
      checkType: 'daily',
      cycleUnit: 'day',
      cycleInterval: 1,
      dayType: 'every_day',
      orgUnitId: s.team.id,
      assigneePersonId: s.worker.person.id,
      checkpointId: cp.id,
      templateId: template.id,
      ...over,
    }),
    201,
  );
  return { plan, checkpoint: cp, code: cp.scanCode! };
}

export async function currentTask(c: Client, planId: string, at: Date): Promise<TaskListItemT> {
  const list = ok(await c.get<{ items: TaskListItemT[] }>(`/api/v1/inspections/tasks?mine=true&planId=${planId}&limit=200`));
  const now = at.getTime();
  const t = list.items.find((x) => new Date(x.windowStart).getTime() <= now && new Date(x.windowEnd).getTime() > now);
  if (!t) throw new Error(`no current task of plan ${planId}: ${JSON.stringify(list.items.map((i) => i.windowStart))}`);
  return t;
}

export async function photo(t: TestApp, s: Seed): Promise<string> {
  return makeFile(t, s.tenant.id, 'image');
}

export type { TaskDetailT };
