import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Page } from '../../api/client.ts';
import type { AttemptT, MyExamT, QuestionT } from '../../../../src/modules/training/examRoutes.ts';
import type { PersonFileT } from '../../../../src/modules/training/learningRoutes.ts';

// Server shapes (src/modules/training/examRoutes.ts, learningRoutes.ts), shared as types only.
export type Attempt = AttemptT;
export type MyExam = MyExamT;
export type Question = QuestionT;
export type PersonFile = PersonFileT;

export const examKeys = {
  mine: ['training', 'exams', 'mine'] as const,
  attempt: (id: string) => ['training', 'attempt', id] as const,
  bank: (f: BankFilter) => ['training', 'bank', f] as const,
  records: (id: string | null) => ['training', 'records', id] as const,
};

export function useMyExams() {
  return useQuery({ queryKey: examKeys.mine, queryFn: ({ signal }) => api.get<{ items: MyExam[] }>('/training/my/exams', undefined, { signal }) });
}

export function useAttempt(id: string | undefined) {
  return useQuery({ queryKey: examKeys.attempt(id ?? ''), queryFn: ({ signal }) => api.get<Attempt>(`/training/attempts/${id}`, undefined, { signal }), enabled: Boolean(id) });
}

export function useStartAttempt() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (examId: string) => api.post<Attempt>(`/training/exams/${examId}/attempts`),
    onSuccess: (a) => {
      qc.setQueryData(examKeys.attempt(a.id), a);
      void qc.invalidateQueries({ queryKey: examKeys.mine });
    },
  });
}

/** Each choice is saved at once, so a lost signal or a closed browser loses nothing answered in time. */
export function useSaveAnswer(attemptId: string) {
  return useMutation({ mutationFn: (v: { questionId: string; answer: string[] }) => api.post<Attempt>(`/training/attempts/${attemptId}/answer`, v) });
}

export function useSubmitAttempt(attemptId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (answers: Record<string, string[]>) => api.post<Attempt>(`/training/attempts/${attemptId}/submit`, { answers }),
    onSuccess: (a) => {
      qc.setQueryData(examKeys.attempt(a.id), a);
      void qc.invalidateQueries({ queryKey: examKeys.mine });
    },
  });
}

export interface BankFilter {
  category?: string;
  difficulty?: number;
  kind?: Question['kind'];
  q?: string;
}

export function useQuestionBank(filter: BankFilter) {
  return useInfiniteQuery({
    queryKey: examKeys.bank(filter),
    queryFn: ({ pageParam, signal }) => api.get<Page<Question>>('/training/questions', { ...filter, limit: 100, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useQuestionCategories() {
  return useQuery({ queryKey: ['training', 'bank', 'categories'], queryFn: ({ signal }) => api.get<{ items: { category: string; difficulty: number; count: number }[] }>('/training/questions/categories', undefined, { signal }) });
}

export function useTrainingFile(personId: string | null, mine: boolean) {
  return useQuery({
    queryKey: examKeys.records(mine ? 'me' : personId),
    queryFn: ({ signal }) => (mine ? api.get<PersonFile | null>('/training/my/records', undefined, { signal }) : api.get<PersonFile>(`/training/people/${personId}/records`, undefined, { signal })),
    enabled: mine || Boolean(personId),
  });
}
