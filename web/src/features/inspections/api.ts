import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Page } from '../../api/client.ts';
import type { CalendarT, PlanT, RatesT, RouteT, TaskDetailT, TaskListItemT, TemplateT } from '../../../../src/modules/inspections/routes.ts';

// Server shapes (src/modules/inspections/routes.ts), shared as types only.
export type Template = TemplateT;
export type TemplateItem = Template['items'][number];
export type Plan = PlanT;
export type InspectionRoute = RouteT;
export type TaskListItem = TaskListItemT;
export type TaskDetail = TaskDetailT;
export type Rates = RatesT;
export type RateRow = Rates['overall'];
export type CalendarData = CalendarT;
export type TaskStatus = TaskListItem['status'];

export const itemKinds: readonly TemplateItem['kind'][] = ['pass_fail', 'number', 'text', 'photo', 'signature'];
export const checkTypes: readonly Plan['checkType'][] = ['daily', 'comprehensive', 'specialist', 'seasonal', 'holiday', 'accident_analogy', 'resumption', 'expert', 'other'];
export const cycleUnits: readonly Plan['cycleUnit'][] = ['shift', 'hour', 'day', 'week', 'month', 'quarter', 'year'];
export const dayTypes: readonly Plan['dayType'][] = ['workdays', 'non_workdays', 'every_day'];

export const inspectionKeys = {
  all: ['inspections'] as const,
  mine: (day: string) => ['inspections', 'mine', day] as const,
  task: (id: string) => ['inspections', 'task', id] as const,
  atCheckpoint: (id: string) => ['inspections', 'at', id] as const,
  templates: ['inspections', 'templates'] as const,
  plans: ['inspections', 'plans'] as const,
  routes: ['inspections', 'routes'] as const,
  rates: (from: string, to: string) => ['inspections', 'rates', from, to] as const,
  calendar: (month: string) => ['inspections', 'calendar', month] as const,
};

const base = '/inspections';

/** Today's tasks of the signed-in person, "today" as the company's zone has it. */
export function useMyTasks(day: string) {
  return useQuery({ queryKey: inspectionKeys.mine(day), queryFn: () => api.get<Page<TaskListItem>>(`${base}/tasks`, { mine: true, today: true, limit: 200 }) });
}

export function getTask(id: string): Promise<TaskDetail> {
  return api.get<TaskDetail>(`${base}/tasks/${id}`);
}

export function useTask(id: string) {
  // No retries while offline: the page falls back to the copy kept on the phone at once.
  return useQuery({ queryKey: inspectionKeys.task(id), queryFn: () => getTask(id), retry: (n, e) => !(e instanceof Error && 'status' in e && e.status === 0) && n < 2 });
}

export function useTasksAtCheckpoint(checkpointId: string | null) {
  return useQuery({ queryKey: inspectionKeys.atCheckpoint(checkpointId ?? ''), queryFn: () => api.get<{ items: TaskListItem[] }>(`${base}/tasks/at-checkpoint/${checkpointId}`), enabled: checkpointId !== null });
}

export interface ScanTaskBody {
  code?: string;
  lat?: number;
  lng?: number;
  accuracy?: number;
  stop?: number;
}

export function scanTask(id: string, body: ScanTaskBody, idempotencyKey?: string): Promise<TaskDetail> {
  return api.post<TaskDetail>(`${base}/tasks/${id}/scan`, body, idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : undefined);
}

export interface ResultBody {
  itemKey: string;
  value?: string | null;
  reading?: number | null;
  text?: string | null;
  photoIds?: string[];
  signatureFileId?: string | null;
  remark?: string | null;
}

export function submitResults(id: string, body: { stop: number; version: number; results: ResultBody[] }, idempotencyKey: string): Promise<TaskDetail> {
  return api.post<TaskDetail>(`${base}/tasks/${id}/results`, body, { headers: { 'Idempotency-Key': idempotencyKey } });
}

export function useTemplates() {
  return useQuery({ queryKey: inspectionKeys.templates, queryFn: () => api.get<{ items: Template[] }>(`${base}/templates`) });
}

export function usePlans() {
  return useQuery({ queryKey: inspectionKeys.plans, queryFn: () => api.get<Page<Plan>>(`${base}/plans`, { limit: 200 }) });
}

export function useRoutes() {
  return useQuery({ queryKey: inspectionKeys.routes, queryFn: () => api.get<{ items: InspectionRoute[] }>(`${base}/routes`) });
}

export function useRates(from: string, to: string) {
  return useQuery({ queryKey: inspectionKeys.rates(from, to), queryFn: () => api.get<Rates>(`${base}/oversight/rates`, { from, to }) });
}

export function useCalendar(month: string) {
  return useQuery({ queryKey: inspectionKeys.calendar(month), queryFn: () => api.get<CalendarData>(`${base}/oversight/calendar`, { month }) });
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: inspectionKeys.all });
}

export type TemplateBody = { name: string; description?: string | null; items: TemplateItem[] };

export function useSaveTemplate() {
  const done = useInvalidate();
  return useMutation({
    mutationFn: (v: { id?: string; version?: number; body: TemplateBody }) => (v.id ? api.patch<Template>(`${base}/templates/${v.id}`, { ...v.body, version: v.version }) : api.post<Template>(`${base}/templates`, v.body)),
    onSuccess: done,
  });
}

export type PlanBody = {
  name: string;
  checkType: Plan['checkType'];
  cycleUnit: Plan['cycleUnit'];
  cycleInterval: number;
  dayType: Plan['dayType'];
  orgUnitId: string;
  assigneePersonId?: string | null;
  checkpointId?: string | null;
  routeId?: string | null;
  templateId: string;
};

export function useCreatePlan() {
  const done = useInvalidate();
  return useMutation({ mutationFn: (body: PlanBody) => api.post<Plan>(`${base}/plans`, body), onSuccess: done });
}

export function useSyncPlans() {
  const done = useInvalidate();
  return useMutation({ mutationFn: () => api.post<{ created: number; updated: number; deactivated: number; tasksCreated: number }>(`${base}/plans/sync`), onSuccess: done });
}

/** Today in the browser's zone as YYYY-MM-DD (the company zone is China-wide one zone). */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
