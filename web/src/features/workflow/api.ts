import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, request, type Page } from '../../api/client.ts';
import type {
  CreateDefinitionBody,
  Delegation as DelegationT,
  SendBackBody,
  SetDelegationBody,
} from '../../../../src/platform/workflow/routes.ts';
import type { FileView } from '../../../../src/platform/files/routes.ts';
import type { FlowDefinition, FlowDefinitionVersion, FlowGraph, FlowInstanceDetail, FlowInstanceSummary, MyTask } from './types.ts';

// Server routes: src/platform/workflow/routes.ts (docs/workflow.md), shared as types only.
export type Delegation = DelegationT;
export type TaskTab = 'pending' | 'done' | 'cc';

export interface ValidationReport {
  valid: boolean;
  errors: { field: string; rule: string; message: string }[];
  warnings: { nodeId: string; field: string; message: string }[];
}

export const workflowKeys = {
  all: ['workflow'] as const,
  definitions: ['workflow', 'definitions'] as const,
  definition: (id: string) => ['workflow', 'definitions', id] as const,
  versions: (id: string) => ['workflow', 'definitions', id, 'versions'] as const,
  tasks: (tab: TaskTab) => ['workflow', 'tasks', tab] as const,
  mine: ['workflow', 'instances', 'mine'] as const,
  running: ['workflow', 'instances', 'running'] as const,
  instance: (id: string) => ['workflow', 'instance', id] as const,
  delegation: ['workflow', 'delegation'] as const,
};

export function useDefinitions() {
  return useQuery({ queryKey: workflowKeys.definitions, queryFn: ({ signal }) => api.get<{ items: FlowDefinition[] }>('/workflow/definitions', undefined, { signal }), select: (r) => r.items });
}

export function useDefinition(id: string) {
  return useQuery({ queryKey: workflowKeys.definition(id), queryFn: ({ signal }) => api.get<FlowDefinition>(`/workflow/definitions/${id}`, undefined, { signal }) });
}

export function useDefinitionVersions(id: string) {
  return useQuery({
    queryKey: workflowKeys.versions(id),
    queryFn: ({ signal }) => api.get<{ items: FlowDefinitionVersion[] }>(`/workflow/definitions/${id}/versions`, undefined, { signal }),
    select: (r) => r.items,
  });
}

/** Running instances (first page), to show which version each one keeps. */
export function useRunningInstances() {
  return useQuery({
    queryKey: workflowKeys.running,
    queryFn: ({ signal }) => api.get<Page<FlowInstanceSummary>>('/workflow/instances', { status: 'running', limit: 200 }, { signal }),
    select: (p) => p.items,
  });
}

export function useCreateDefinition() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateDefinitionBody) => api.post<FlowDefinition>('/workflow/definitions', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.definitions }),
  });
}

export function useSaveDraft() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; name: string; description: string | null; graph: FlowGraph; version: number }) =>
      request<FlowDefinition>('PUT', `/workflow/definitions/${input.id}`, { body: { name: input.name, description: input.description, graph: input.graph, version: input.version } }),
    onSuccess: (d) => {
      qc.setQueryData(workflowKeys.definition(d.id), d);
      void qc.invalidateQueries({ queryKey: workflowKeys.definitions, exact: true });
    },
  });
}

export function useValidateDraft() {
  return useMutation({ mutationFn: (id: string) => api.post<ValidationReport>(`/workflow/definitions/${id}/validate`) });
}

export function usePublish() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; version: number }) => api.post<{ definition: FlowDefinition; version: FlowDefinitionVersion }>(`/workflow/definitions/${input.id}/publish`, { version: input.version }),
    onSuccess: (r) => {
      qc.setQueryData(workflowKeys.definition(r.definition.id), r.definition);
      void qc.invalidateQueries({ queryKey: workflowKeys.definitions });
    },
  });
}

export function useArchive() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; version: number }) => api.post<FlowDefinition>(`/workflow/definitions/${input.id}/archive`, { version: input.version }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.definitions }),
  });
}

// ---- to-do list, instances, decisions ----

export function useMyTasks(tab: TaskTab, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: workflowKeys.tasks(tab),
    queryFn: ({ pageParam, signal }) => api.get<Page<MyTask>>('/workflow/tasks', { status: tab, limit: 50, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

export function useMyInstances(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: workflowKeys.mine,
    queryFn: ({ pageParam, signal }) => api.get<Page<FlowInstanceSummary>>('/workflow/instances', { mine: true, limit: 50, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

export function useInstance(id: string | null) {
  return useQuery({
    queryKey: workflowKeys.instance(id ?? ''),
    queryFn: ({ signal }) => api.get<FlowInstanceDetail>(`/workflow/instances/${id}`, undefined, { signal }),
    enabled: id !== null,
  });
}

/** The signature pad's PNG goes up as an ordinary image upload; the engine stores its id and hash. */
export async function uploadSignature(png: Blob): Promise<FileView> {
  const form = new FormData();
  form.append('file', png, 'signature.png');
  const r = await request<{ items: FileView[] }>('POST', '/files', { form });
  const file = r.items[0];
  if (!file) throw new Error('upload returned no file');
  return file;
}

export type Decision =
  | { kind: 'approve' | 'reject'; taskId: string; comment: string | null; signatureFileId: string | null }
  | { kind: 'send-back'; taskId: string; to: SendBackBody['to']; comment: string };

export function useDecide() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (d: Decision) =>
      d.kind === 'send-back'
        ? api.post(`/workflow/tasks/${d.taskId}/send-back`, { to: d.to, comment: d.comment })
        : api.post(`/workflow/tasks/${d.taskId}/${d.kind}`, { comment: d.comment, signatureFileId: d.signatureFileId }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.all }),
  });
}

export function useWithdraw() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; comment: string | null; version: number }) => api.post(`/workflow/instances/${input.id}/withdraw`, { comment: input.comment, version: input.version }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.all }),
  });
}

/** 转交: hand my pending task to a colleague (a user id). */
export function useTransfer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { taskId: string; toUserId: string; comment: string | null }) => api.post(`/workflow/tasks/${input.taskId}/transfer`, { toUserId: input.toUserId, comment: input.comment }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.all }),
  });
}

/** A comment on an approval without a decision. */
export function useComment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; comment: string }) => api.post(`/workflow/instances/${input.id}/comments`, { comment: input.comment }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.all }),
  });
}

/** After a send-back to me: resubmit (the flow starts over; the subject's module checks it again). */
export function useResubmit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; comment: string | null; version: number }) => api.post(`/workflow/instances/${input.id}/resubmit`, { comment: input.comment, version: input.version }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.all }),
  });
}

export function useDelegation(enabled: boolean) {
  return useQuery({
    queryKey: workflowKeys.delegation,
    queryFn: ({ signal }) => api.get<{ delegation: Delegation | null }>('/workflow/delegation', undefined, { signal }),
    select: (r) => r.delegation,
    enabled,
  });
}

export function useSetDelegation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SetDelegationBody) => request<Delegation>('PUT', '/workflow/delegation', { body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.delegation }),
  });
}

export function useClearDelegation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (version: number) => api.delete<Delegation>('/workflow/delegation', { headers: { 'If-Match': `"${version}"` } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.delegation }),
  });
}
