import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiUrl, request } from '../../api/client.ts';
import type { CourseT, SessionT } from '../../../../src/modules/training/learningRoutes.ts';
import type { MatrixRequirementT, MatrixT, NewMatrixBody, NewPlanBody, NewPlanItemBody, OverviewT, PersonGapsT, PlanDetailT, PlanItemT, PlanT, QuestionImportResultT } from '../../../../src/modules/training/planRoutes.ts';

// Server shapes (src/modules/training/planRoutes.ts, learningRoutes.ts), shared as types only.
export type Plan = PlanT;
export type PlanDetail = PlanDetailT;
export type PlanItem = PlanItemT;
export type Matrix = MatrixT;
export type MatrixRequirement = MatrixRequirementT;
export type CellState = Matrix['people'][number]['cells'][number]['state'];
export type Overview = OverviewT;
export type Course = CourseT;
export type Session = SessionT;
export type PersonGaps = PersonGapsT;

export const planKeys = {
  plans: (year: number, departmentId?: string) => ['training', 'plans', year, departmentId ?? null] as const,
  plan: (id: string) => ['training', 'plan', id] as const,
  matrix: (f: MatrixFilter) => ['training', 'matrix', f] as const,
  matrixRows: ['training', 'matrix', 'rows'] as const,
  overview: (year: number) => ['training', 'overview', year] as const,
  courses: ['training', 'courses'] as const,
  course: (id: string) => ['training', 'course', id] as const,
  sessions: ['training', 'sessions'] as const,
  attendance: (id: string) => ['training', 'attendance', id] as const,
  gaps: (id: string) => ['training', 'gaps', id] as const,
};

export function usePlans(year: number, departmentId?: string) {
  return useQuery({ queryKey: planKeys.plans(year, departmentId), queryFn: ({ signal }) => api.get<{ items: Plan[] }>('/training/plans', { year, departmentId }, { signal }) });
}
export function usePlan(id: string | null) {
  return useQuery({ queryKey: planKeys.plan(id ?? ''), queryFn: ({ signal }) => api.get<PlanDetail>(`/training/plans/${id}`, undefined, { signal }), enabled: Boolean(id) });
}
export const plansExportUrl = (year: number, departmentId?: string) => apiUrl('/training/plans.xlsx', { year, departmentId });

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: ['training'] });
}

export function useCreatePlan() {
  const done = useInvalidate();
  return useMutation({ mutationFn: (body: NewPlanBody) => api.post<PlanDetail>('/training/plans', body), onSuccess: done });
}
export function useUpdatePlan() {
  const done = useInvalidate();
  return useMutation({ mutationFn: (v: { id: string; body: Record<string, unknown> & { version: number } }) => api.patch<PlanDetail>(`/training/plans/${v.id}`, v.body), onSuccess: done });
}
export function useAddPlanItem() {
  const done = useInvalidate();
  return useMutation({ mutationFn: (v: { planId: string; body: NewPlanItemBody }) => api.post<PlanItem>(`/training/plans/${v.planId}/items`, v.body), onSuccess: done });
}
export function useUpdatePlanItem() {
  const done = useInvalidate();
  return useMutation({ mutationFn: (v: { planId: string; itemId: string; body: Record<string, unknown> & { version: number } }) => api.patch<PlanItem>(`/training/plans/${v.planId}/items/${v.itemId}`, v.body), onSuccess: done });
}

export interface MatrixFilter {
  departmentId?: string;
  positionId?: string;
  gapsOnly?: boolean;
}
export function useMatrix(f: MatrixFilter) {
  return useQuery({ queryKey: planKeys.matrix(f), queryFn: ({ signal }) => api.get<Matrix>('/training/matrix', { ...f }, { signal }) });
}
export function useMatrixRows() {
  return useQuery({ queryKey: planKeys.matrixRows, queryFn: ({ signal }) => api.get<{ items: MatrixRequirement[] }>('/training/matrix/requirements', undefined, { signal }) });
}
export function useCreateMatrixRow() {
  const done = useInvalidate();
  return useMutation({ mutationFn: (body: NewMatrixBody) => api.post<MatrixRequirement>('/training/matrix/requirements', body), onSuccess: done });
}
export function useUpdateMatrixRow() {
  const done = useInvalidate();
  return useMutation({ mutationFn: (v: { id: string; body: Record<string, unknown> & { version: number } }) => api.patch<MatrixRequirement>(`/training/matrix/requirements/${v.id}`, v.body), onSuccess: done });
}
export function usePersonGaps(personId: string | null) {
  return useQuery({ queryKey: planKeys.gaps(personId ?? ''), queryFn: ({ signal }) => api.get<PersonGaps>(`/training/people/${personId}/gaps`, undefined, { signal }), enabled: Boolean(personId) });
}

export function useOverview(year: number) {
  return useQuery({ queryKey: planKeys.overview(year), queryFn: ({ signal }) => api.get<Overview>('/training/statistics/overview', { year }, { signal }) });
}

export function useCourses() {
  return useQuery({ queryKey: planKeys.courses, queryFn: ({ signal }) => api.get<{ items: Course[] }>('/training/courses', undefined, { signal }) });
}
export function useCourse(id: string | undefined) {
  return useQuery({ queryKey: planKeys.course(id ?? ''), queryFn: ({ signal }) => api.get<Course>(`/training/courses/${id}`, undefined, { signal }), enabled: Boolean(id) });
}
export function useSaveCourse() {
  const done = useInvalidate();
  return useMutation({ mutationFn: (v: { id: string | null; body: Record<string, unknown> }) => (v.id ? api.patch<Course>(`/training/courses/${v.id}`, v.body) : api.post<Course>('/training/courses', v.body)), onSuccess: done });
}
/** One learning heartbeat: the seconds played since the last one (the server caps what it credits). */
export function useHeartbeat(courseId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (seconds: number) => api.post<Course & { creditedNow: number }>(`/training/courses/${courseId}/heartbeat`, { seconds }),
    onSuccess: (c) => {
      qc.setQueryData(planKeys.course(courseId), c);
      if (c.progress?.completedAt) void qc.invalidateQueries({ queryKey: ['training'] });
    },
  });
}

export async function uploadFile(file: File): Promise<{ id: string; kind: string }> {
  const form = new FormData();
  form.append('file', file, file.name);
  const r = await request<{ items: { id: string; kind: string }[] }>('POST', '/files', { form });
  const f = r.items[0];
  if (!f) throw new Error('upload returned no file');
  return f;
}
export const fileUrl = (id: string) => apiUrl(`/files/${id}`);

export function useSessions() {
  return useQuery({ queryKey: planKeys.sessions, queryFn: ({ signal }) => api.get<{ items: Session[] }>('/training/sessions', undefined, { signal }) });
}
export function useCreateSession() {
  const done = useInvalidate();
  return useMutation({ mutationFn: (body: Record<string, unknown>) => api.post<Session & { token: string; signInPath: string }>('/training/sessions', body), onSuccess: done });
}
export function useAttendance(id: string | null) {
  return useQuery({
    queryKey: planKeys.attendance(id ?? ''),
    queryFn: ({ signal }) => api.get<{ items: { personId: string; personName: string; orgUnitName: string | null; signedAt: string; via: string }[] }>(`/training/sessions/${id}/attendance`, undefined, { signal }),
    enabled: Boolean(id),
  });
}
export function useRecordAttendance(sessionId: string) {
  const done = useInvalidate();
  return useMutation({ mutationFn: (personId: string) => api.post(`/training/sessions/${sessionId}/attendance`, { personId }), onSuccess: done });
}
export function useSignIn() {
  return useMutation({ mutationFn: (token: string) => api.post<{ signedAt: string; already: boolean; session: Session }>('/training/sessions/sign-in', { token }) });
}

export const questionTemplateUrl = apiUrl('/training/questions/template.xlsx');
export const questionExportUrl = apiUrl('/training/questions.xlsx');
export function useImportQuestions() {
  const done = useInvalidate();
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file, file.name);
      return request<QuestionImportResultT>('POST', '/training/questions/import', { form });
    },
    onSuccess: done,
  });
}
