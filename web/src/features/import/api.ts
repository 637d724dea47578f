import { useMutation } from '@tanstack/react-query';
import { apiUrl, errorText, isApiError, request, type RowError } from '../../api/client.ts';

export interface ImportCounts {
  orgUnits: number;
  positions: number;
  people: number;
}

/** POST /api/v1/import/people 200 body (docs/api-contract.md). */
export interface ImportResult {
  ok: true;
  dryRun?: boolean;
  created: ImportCounts;
  updated: ImportCounts;
  /** Rows identical to what is stored (the server reports them; the contract does not list them yet). */
  unchanged?: ImportCounts;
}

/** Either the counts, or the rows that stop the import (422 import_failed, nothing written). */
export type ImportOutcome = { kind: 'ok'; result: ImportResult } | { kind: 'rows'; rowErrors: RowError[]; detail: string };

export const templateUrl = apiUrl('/import/people-template.xlsx');

export function useImportPeople() {
  return useMutation({
    mutationFn: async ({ file, dryRun }: { file: File; dryRun: boolean }): Promise<ImportOutcome> => {
      const form = new FormData();
      form.append('file', file, file.name);
      try {
        const result = await request<ImportResult>('POST', '/import/people', { query: { dryRun }, form });
        return { kind: 'ok', result };
      } catch (e) {
        if (isApiError(e) && e.code === 'import_failed') return { kind: 'rows', rowErrors: e.problem.rowErrors ?? [], detail: errorText(e) };
        throw e;
      }
    },
  });
}
