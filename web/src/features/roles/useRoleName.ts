import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from './api.ts';

/** Roles carry a Chinese name and an optional English one; English falls back to the Chinese name. */
export function useRoleName(): (r: Pick<Role, 'name' | 'nameEn'>) => string {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return useCallback((r) => (en && r.nameEn ? r.nameEn : r.name), [en]);
}
