import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Page } from '../../api/client.ts';

export type PersonKind = 'employee' | 'contractor';
export type PersonStatus = 'active' | 'left';
export type Gender = 'male' | 'female' | 'other';

/** GET /api/v1/people (docs/api-contract.md). */
export interface Person {
  id: string;
  kind: PersonKind;
  employeeNo: string;
  name: string;
  phone: string | null;
  email: string | null;
  gender: Gender | null;
  orgUnitId: string | null;
  orgUnitName: string | null;
  orgUnitCode: string | null;
  positionId: string | null;
  positionName: string | null;
  contractorUnitId: string | null;
  contractorUnitName: string | null;
  hireDate: string | null;
  status: PersonStatus;
  userId: string | null;
  username: string | null;
  version: number;
}

export interface PeopleFilter {
  q?: string;
  orgUnitId?: string;
  kind?: PersonKind;
  status?: PersonStatus;
}

export interface PersonInput {
  kind: PersonKind;
  employeeNo: string;
  name: string;
  phone?: string | null;
  email?: string | null;
  gender?: Gender | null;
  orgUnitId: string;
  positionId?: string | null;
  contractorUnitId?: string | null;
  hireDate?: string | null;
}

/** Status changes only on update: a person is created active. */
export type PersonUpdate = Partial<PersonInput> & { status?: PersonStatus };

export const peopleKeys = {
  all: ['people'] as const,
  list: (f: PeopleFilter) => ['people', 'list', f] as const,
  search: (q: string) => ['people', 'search', q] as const,
};

const PAGE = 50;

export function usePeople(filter: PeopleFilter) {
  return useInfiniteQuery({
    queryKey: peopleKeys.list(filter),
    queryFn: ({ pageParam, signal }) => api.get<Page<Person>>('/people', { ...filter, limit: PAGE, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Type-ahead for pickers (unit manager, user's person). */
export function usePeopleSearch(q: string, enabled: boolean) {
  return useQuery({
    queryKey: peopleKeys.search(q),
    queryFn: ({ signal }) => api.get<Page<Person>>('/people', { q: q || undefined, status: 'active', limit: 20 }, { signal }),
    enabled,
    staleTime: 30_000,
  });
}

export function useCreatePerson() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: PersonInput) => api.post<Person>('/people', input),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: peopleKeys.all });
      // Headcounts in the org tree change with people.
      void qc.invalidateQueries({ queryKey: ['org'] });
    },
  });
}

export function useUpdatePerson() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...patch }: PersonUpdate & { id: string; version: number }) => api.patch<Person>(`/people/${encodeURIComponent(id)}`, patch),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: peopleKeys.all });
      void qc.invalidateQueries({ queryKey: ['org'] });
    },
  });
}
