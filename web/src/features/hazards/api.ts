import type { Static } from '@fastify/type-provider-typebox';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, apiUrl, request, type Page } from '../../api/client.ts';
import { useExcelImport } from '../../shared/excelImport.ts';
import type {
  AreaT,
  ConfigResponse,
  HazardDetail as HazardDetailT,
  HazardListItem as HazardListItemT,
  ImportResult as ImportResultT,
  NoticeT,
  PendingExtensionT,
  ReportBody as ReportBodyT,
  ReportResponse as ReportResponseT,
  TrackResponse as TrackResponseT,
} from '../../../../src/modules/hazards/routes.ts';

// Server shapes (src/modules/hazards/routes.ts), shared as types only.
export type HazardDetail = HazardDetailT;
export type HazardListItem = HazardListItemT;
export type HazardStatus = HazardListItem['status'];
export type HazardLevel = HazardListItem['level'];
export type FileRef = HazardDetail['photos'][number];
export type TimelineStep = HazardDetail['timeline'][number];
export type ReportBody = ReportBodyT;
export type ReportResponse = Static<typeof ReportResponseT>;
export type HazardConfig = Static<typeof ConfigResponse>;
export type DictItem = HazardConfig['categories'][number];
export type TrackResponse = Static<typeof TrackResponseT>;
export type HazardImportResult = Static<typeof ImportResultT>;
export type HazardNotice = Static<typeof NoticeT>;
export type ReportArea = AreaT;
export type PendingExtension = PendingExtensionT;

export const hazardStatuses: readonly HazardStatus[] = ['reported', 'assigned', 'rectifying', 'pending_verification', 'rework', 'closed', 'rejected'];
export const hazardLevels: readonly HazardLevel[] = ['general', 'serious', 'major'];

export interface HazardFilter {
  status?: HazardStatus[];
  level?: HazardLevel[];
  category?: string[];
  areaUnitId?: string;
  departmentId?: string;
  from?: string;
  to?: string;
  overdue?: boolean;
  q?: string;
  mine?: 'reported' | 'assigned' | 'verify';
  sort?: 'reported_desc' | 'reported_asc' | 'due_asc' | 'number_desc';
}

export const hazardKeys = {
  all: ['hazards'] as const,
  config: ['hazards', 'config'] as const,
  list: (f: HazardFilter) => ['hazards', 'list', f] as const,
  detail: (id: string) => ['hazards', 'detail', id] as const,
  areas: ['hazards', 'areas'] as const,
  pendingExtensions: ['hazards', 'extensions', 'pending'] as const,
};

/** `?status=a&status=b…`: list filters repeat the key (the client's `Query` holds scalars only). */
export function filterQuery(f: HazardFilter, extra: Record<string, string | number | undefined> = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    if (Array.isArray(v)) for (const x of v) qs.append(k, String(x));
    else qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `?${s}` : '';
}

export function exportUrl(f: HazardFilter): string {
  const { sort: _sort, ...rest } = f;
  return `${apiUrl('/hazards/export.xlsx')}${filterQuery(rest)}`;
}

export const importTemplateUrl = apiUrl('/hazards/import-template.xlsx');

export function useHazardConfig() {
  return useQuery({ queryKey: hazardKeys.config, queryFn: ({ signal }) => api.get<HazardConfig>('/hazards/config', undefined, { signal }), staleTime: 5 * 60_000 });
}

/** The site tree for the area picker: every reporter may load it, also without org:read (contractors). */
export function useReportAreas(enabled = true) {
  return useQuery({
    queryKey: hazardKeys.areas,
    queryFn: ({ signal }) => api.get<{ items: ReportArea[] }>('/hazards/areas', undefined, { signal }),
    select: (r) => r.items,
    staleTime: 5 * 60_000,
    enabled,
  });
}

/** The printable QR code of an area (opens the report page with the area preselected). */
export function areaQrUrl(areaId: string, format: 'png' | 'svg' = 'png'): string {
  return apiUrl(`/hazards/areas/${encodeURIComponent(areaId)}/qr.${format}`);
}

/** A4 sheet of area labels for a unit and the units below it (the whole site without `rootId`). */
export function areaLabelsUrl(rootId?: string): string {
  return `${apiUrl('/hazards/areas/labels.pdf')}${rootId ? `?rootId=${encodeURIComponent(rootId)}` : ''}`;
}

/** "待我审批的延期": pending extension requests the signed-in user may decide. */
export function usePendingExtensions(enabled = true) {
  return useInfiniteQuery({
    queryKey: hazardKeys.pendingExtensions,
    queryFn: ({ pageParam, signal }) => request<Page<PendingExtension>>('GET', '/hazards/extensions/pending', { query: { limit: 50, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

/** Approve or refuse one extension request from the list (the hazard's version goes along as If-Match). */
export function useDecideExtension() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ hazardId, extensionId, approve, comment, version }: { hazardId: string; extensionId: string; approve: boolean; comment: string | null; version: number }) =>
      request<HazardDetail>('POST', `/hazards/${encodeURIComponent(hazardId)}/extensions/${encodeURIComponent(extensionId)}/decision`, { body: { approve, comment, version }, headers: { 'If-Match': `"${version}"` } }),
    onSuccess: (detail) => {
      qc.setQueryData(hazardKeys.detail(detail.id), detail);
      void qc.invalidateQueries({ queryKey: hazardKeys.pendingExtensions });
      void qc.invalidateQueries({ queryKey: ['hazards', 'list'] });
    },
  });
}

export function useHazards(filter: HazardFilter, opts: { limit?: number; enabled?: boolean } = {}) {
  return useInfiniteQuery({
    queryKey: [...hazardKeys.list(filter), opts.limit ?? 30],
    queryFn: ({ pageParam, signal }) => request<Page<HazardListItem>>('GET', `/hazards${filterQuery(filter, { limit: opts.limit ?? 30, cursor: pageParam })}`, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: opts.enabled ?? true,
  });
}

export function useHazard(id: string | undefined) {
  return useQuery({
    queryKey: hazardKeys.detail(id ?? ''),
    queryFn: ({ signal }) => api.get<HazardDetail>(`/hazards/${encodeURIComponent(id ?? '')}`, undefined, { signal }),
    enabled: Boolean(id),
  });
}

/**
 * One workflow step (`POST /hazards/:id/accept` …). The record version goes along as If-Match, so a
 * step taken on a stale screen is refused with 409 instead of overwriting someone else's step.
 */
export interface StepInput {
  method?: 'POST' | 'PUT';
  path: string;
  body: Record<string, unknown>;
  version: number;
}

export function useHazardStep(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ method = 'POST', path, body, version }: StepInput) =>
      request<HazardDetail>(method, `/hazards/${encodeURIComponent(id)}/${path}`, { body: { ...body, version }, headers: { 'If-Match': `"${version}"` } }),
    onSuccess: (detail) => {
      qc.setQueryData(hazardKeys.detail(id), detail);
      void qc.invalidateQueries({ queryKey: ['hazards', 'list'] });
    },
  });
}

/**
 * The hazard's rectification notice (整改通知书) as PDF, opened in a new tab: the server prints the latest
 * notice that lists it, or (for the safety office) issues a one-finding notice on the first call.
 */
export function hazardNoticePdfUrl(id: string): string {
  return apiUrl(`/hazards/${encodeURIComponent(id)}/notice.pdf`);
}

/** One notice for several findings of one responsible department; 422 notice_mixed_departments otherwise. */
export function useIssueNotice() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (hazardIds: string[]) => api.post<HazardNotice>('/hazards/notices', { hazardIds }),
    // Each listed hazard gained a notice_issued step in its timeline.
    onSuccess: (notice) => {
      for (const h of notice.hazards) void qc.invalidateQueries({ queryKey: hazardKeys.detail(h.id) });
    },
  });
}

export function reportHazard(body: ReportBody, idempotencyKey: string): Promise<ReportResponse> {
  return request<ReportResponse>('POST', '/hazards', { body, headers: { 'Idempotency-Key': idempotencyKey } });
}

export async function trackHazard(code: string): Promise<TrackResponse> {
  return api.post<TrackResponse>('/hazards/track', { code }, { allow401: true });
}

export interface UploadedFile {
  id: string;
  url: string;
  thumbUrl: string | null;
  mime: string;
  kind: string;
}

/**
 * POST /api/v1/files with upload progress (fetch has none). One file per request, so each photo shows
 * its own bar and a failed one is retried alone.
 */
export function uploadFile(blob: Blob, name: string, onProgress?: (percent: number) => void, language = 'zh-CN'): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', apiUrl('/files'));
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', language);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'network', detail: 'upload failed' }));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: a proxy error page.
      }
      if (xhr.status === 201 && body && typeof body === 'object' && 'items' in body) {
        const items = (body as { items: UploadedFile[] }).items;
        const first = items[0];
        if (first) {
          onProgress?.(100);
          resolve(first);
          return;
        }
      }
      const p = (body ?? {}) as { code?: string; detail?: string; title?: string };
      reject(new ApiError({ status: xhr.status, code: p.code ?? `http_${xhr.status}`, detail: p.detail ?? xhr.statusText, title: p.title }));
    };
    const form = new FormData();
    form.append('file', blob, name);
    xhr.send(form);
  });
}

export function useImportHazards() {
  return useExcelImport<HazardImportResult>('/hazards/import', hazardKeys.all);
}

/** Label of a dictionary item in the UI language. */
export function dictLabel(items: readonly DictItem[] | undefined, code: string, lang: string): string {
  const item = items?.find((i) => i.code === code);
  if (!item) return code;
  return lang === 'en' ? item.labelEn : item.labelZh;
}
