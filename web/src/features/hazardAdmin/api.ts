import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Query } from '../../api/client.ts';

/**
 * Hazard configuration, assignment matrix, figures and leaderboard (src/modules/hazards/routes.ts). The
 * shapes mirror the route response schemas; the server validates every write again.
 */

export type HazardLevel = 'general' | 'serious' | 'major';
export const hazardLevels: readonly HazardLevel[] = ['general', 'serious', 'major'];
export type DictKind = 'category' | 'source' | 'level';

export interface DictItem {
  code: string;
  labelZh: string;
  labelEn: string;
  extCode: string | null;
  sort: number;
  active: boolean;
  version: number;
}

/** Windows are stored in minutes; the pages show hours. */
export interface SlaPolicy {
  level: HazardLevel;
  respondMinutes: number;
  rectifyMinutes: number;
  /** The reminder goes out when this share of a window has passed. */
  reminderPercent: number;
  /** Level-2 escalation (settings.escalationRoleCodes) this long after a missed deadline. */
  escalationDelayMinutes: number;
  verifyMinutes: number;
  planRequired: boolean;
  requiresTreatmentPlan: boolean;
  version: number;
}

export interface HazardSettings {
  duplicateWindowHours: number;
  pointsValidReport: number;
  pointsVerifiedFix: number;
  pointsRejectedReport: number;
  signoffRoleCodes: string[];
  signoffUserIds: string[];
  triageRoleCodes: string[];
  escalationRoleCodes: string[];
  /** 谁发现谁验收: the named reporter verifies the submitted fix, whatever their role. */
  reporterVerifies: boolean;
  version: number;
}

export interface HazardConfig {
  categories: DictItem[];
  sources: DictItem[];
  levels: DictItem[];
  slaPolicies: SlaPolicy[];
  settings: HazardSettings;
}

export interface NewDictItem {
  code: string;
  labelZh: string;
  labelEn: string;
  extCode?: string | null;
  sort?: number;
}

export type DictItemPatch = Partial<Omit<NewDictItem, 'code'>> & { active?: boolean; version: number };
export type SlaPatch = Partial<Omit<SlaPolicy, 'level' | 'version'>> & { version: number };
export type SettingsPatch = Partial<Omit<HazardSettings, 'version'>> & { version: number };

export interface AssignmentRule {
  id: string;
  name: string;
  /** Lower runs first. */
  priority: number;
  category: string | null;
  areaUnitId: string | null;
  areaUnitName: string | null;
  responsibleUnitId: string | null;
  responsibleUnitName: string | null;
  responsibleUserId: string | null;
  responsibleUserName: string | null;
  active: boolean;
  version: number;
}

export interface RuleInput {
  name: string;
  priority: number;
  category: string | null;
  areaUnitId: string | null;
  responsibleUnitId: string | null;
  responsibleUserId: string | null;
  active: boolean;
}

export interface AssignmentPreview {
  userId: string | null;
  userName: string | null;
  unitId: string | null;
  ruleId: string | null;
  via: 'rule' | 'area_owner' | 'manual' | null;
}

export type FiguresGroupBy = 'department' | 'month';

export interface FiguresFilter {
  /** `YYYY-MM-DD` (company time zone, `to` inclusive) or an ISO time. */
  from?: string;
  to?: string;
  groupBy: FiguresGroupBy;
  level?: HazardLevel;
  category?: string;
  departmentId?: string;
}

export interface FigureRow {
  key: string | null;
  label: string | null;
  reported: number;
  open: number;
  overdue: number;
  closed: number;
  rejected: number;
  /** 0–1, null when nothing closed. */
  onTimeRate: number | null;
  meanHoursToRespond: number | null;
  meanHoursToClose: number | null;
  reworkRate: number | null;
}

export interface Figures {
  from: string;
  to: string;
  groupBy: FiguresGroupBy;
  total: FigureRow;
  groups: FigureRow[];
}

export interface Leaderboard {
  month: string;
  departments: { departmentId: string | null; name: string | null; points: number; people: number }[];
  people: { userId: string; name: string; departmentId: string | null; departmentName: string | null; points: number; validReports: number; verifiedFixes: number }[];
}

export const hazardAdminKeys = {
  config: ['hazards', 'config'] as const,
  rules: ['hazards', 'assignment-rules'] as const,
  preview: (category: string, orgUnitId: string) => ['hazards', 'assignment-preview', category, orgUnitId] as const,
  figures: (f: FiguresFilter) => ['hazards', 'figures', f] as const,
  leaderboard: (month: string) => ['hazards', 'leaderboard', month] as const,
};

export function useHazardConfig() {
  return useQuery({ queryKey: hazardAdminKeys.config, queryFn: () => api.get<HazardConfig>('/hazards/config'), staleTime: 30_000 });
}

// Every config write changes what the report form and the ledger show: refetch the whole config.
function useConfigMutation<V, R>(fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: hazardAdminKeys.config }) });
}

export function useCreateDictItem() {
  return useConfigMutation(({ kind, ...item }: NewDictItem & { kind: DictKind }) => api.post<DictItem>(`/hazards/config/dictionaries/${kind}`, item));
}

export function useUpdateDictItem() {
  return useConfigMutation(({ kind, code, ...patch }: DictItemPatch & { kind: DictKind; code: string }) =>
    api.patch<DictItem>(`/hazards/config/dictionaries/${kind}/${encodeURIComponent(code)}`, patch),
  );
}

export function useUpdateSla() {
  return useConfigMutation(({ level, ...patch }: SlaPatch & { level: HazardLevel }) => api.patch<SlaPolicy>(`/hazards/config/sla/${level}`, patch));
}

export function useUpdateSettings() {
  return useConfigMutation((patch: SettingsPatch) => api.patch<HazardConfig>('/hazards/config/settings', patch));
}

export function useAssignmentRules() {
  return useQuery({ queryKey: hazardAdminKeys.rules, queryFn: () => api.get<{ items: AssignmentRule[] }>('/hazards/assignment-rules'), select: (r) => r.items });
}

function useRuleMutation<V>(fn: (v: V) => Promise<AssignmentRule>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: hazardAdminKeys.rules });
      // A changed rule changes every preview answer.
      await qc.invalidateQueries({ queryKey: ['hazards', 'assignment-preview'] });
    },
  });
}

export function useCreateRule() {
  return useRuleMutation((input: RuleInput) => api.post<AssignmentRule>('/hazards/assignment-rules', input));
}

export function useUpdateRule() {
  return useRuleMutation(({ id, ...patch }: Partial<RuleInput> & { id: string; version: number }) => api.patch<AssignmentRule>(`/hazards/assignment-rules/${encodeURIComponent(id)}`, patch));
}

export function useAssignmentPreview(q: { category: string; orgUnitId: string } | null) {
  return useQuery({
    queryKey: hazardAdminKeys.preview(q?.category ?? '', q?.orgUnitId ?? ''),
    queryFn: () => api.get<AssignmentPreview>('/hazards/assignment-rules/preview', q ?? undefined),
    enabled: q !== null,
  });
}

export function useFigures(f: FiguresFilter) {
  return useQuery({
    queryKey: hazardAdminKeys.figures(f),
    queryFn: ({ signal }) => api.get<Figures>('/hazards/figures', { ...f } satisfies Query, { signal }),
    placeholderData: (prev) => prev,
  });
}

export function useLeaderboard(month: string) {
  return useQuery({
    queryKey: hazardAdminKeys.leaderboard(month),
    queryFn: ({ signal }) => api.get<Leaderboard>('/hazards/leaderboard', { month }, { signal }),
    placeholderData: (prev) => prev,
  });
}
