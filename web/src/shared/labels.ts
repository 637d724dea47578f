import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Labels for codes the server sends (built-in role codes, org unit kinds, data scopes). Unknown codes —
 * custom roles, kinds added later — are shown as they are rather than hidden.
 */
function useLabel(group: 'roleNames' | 'orgKind' | 'dataScope' | 'personKind' | 'personStatus'): (code: string) => string {
  // `t` changes identity on a language switch, so memoised cells re-render with the new label.
  const { t } = useTranslation();
  return useCallback(
    (code: string) => {
      const map = t(group, { returnObjects: true }) as Record<string, string>;
      return map[code] ?? code;
    },
    [t, group],
  );
}

export const useRoleLabel = () => useLabel('roleNames');
export const useOrgKindLabel = () => useLabel('orgKind');
export const useDataScopeLabel = () => useLabel('dataScope');
export const usePersonKindLabel = () => useLabel('personKind');
export const usePersonStatusLabel = () => useLabel('personStatus');
