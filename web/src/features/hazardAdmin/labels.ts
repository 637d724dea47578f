import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { DictItem } from './api.ts';

/** A dictionary item in the user's language (English falls back to Chinese, which is always set). */
export function useDictLabel(): (item: Pick<DictItem, 'labelZh' | 'labelEn'> | undefined, fallback?: string | null) => string {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return useCallback((item, fallback) => (item ? (en && item.labelEn ? item.labelEn : item.labelZh) : (fallback ?? '—')), [en]);
}

/** Minutes as hours for the forms: at most two decimals, so 90 min shows as 1.5 h. */
export const minutesToHours = (m: number) => Math.round((m / 60) * 100) / 100;
export const hoursToMinutes = (h: number) => Math.round(h * 60);

/** "20 min", "1.5 h", "30 d" — durations read as a person would say them. */
export function formatHours(h: number | null | undefined, unit: { m: string; h: string; d: string }): string {
  if (h === null || h === undefined) return '—';
  if (h < 1) return `${Math.round(h * 60)} ${unit.m}`;
  if (h >= 48 && Number.isInteger(h / 24)) return `${h / 24} ${unit.d}`;
  return `${Math.round(h * 10) / 10} ${unit.h}`;
}

export function formatRate(r: number | null | undefined): string {
  return r === null || r === undefined ? '—' : `${Math.round(r * 1000) / 10}%`;
}
