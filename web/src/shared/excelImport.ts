import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { errorText, isApiError, request, type RowError } from '../api/client.ts';

/** What an all-or-nothing Excel import answered: its counts, or the rows that stopped it (422 import_failed). */
export type ImportOutcome<R> = { kind: 'ok'; result: R } | { kind: 'rows'; rowErrors: RowError[]; detail: string };

export interface ImportRequest {
  file: File;
  /** Check only: the server reports what it would do and writes nothing. */
  dryRun: boolean;
}

/**
 * The mutation of an Excel import route (`POST <path>?dryRun=`, multipart `file`): a row report is an answer
 * to show, not an error; any other failure is. Invalidates `invalidate` after a real import.
 */
export function useExcelImport<R>(path: string, invalidate: QueryKey) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ file, dryRun }: ImportRequest): Promise<ImportOutcome<R>> => {
      const form = new FormData();
      form.append('file', file, file.name);
      try {
        return { kind: 'ok', result: await request<R>('POST', path, { query: { dryRun }, form }) };
      } catch (e) {
        if (isApiError(e) && e.code === 'import_failed') return { kind: 'rows', rowErrors: e.problem.rowErrors ?? [], detail: errorText(e) };
        throw e;
      }
    },
    onSuccess: (_o, vars) => {
      if (!vars.dryRun) void qc.invalidateQueries({ queryKey: invalidate });
    },
  });
}
