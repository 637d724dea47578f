import { Tag } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { HazardLevel, HazardStatus } from './api.ts';

const statusColors: Record<HazardStatus, string> = {
  reported: 'gold',
  assigned: 'blue',
  rectifying: 'processing',
  pending_verification: 'purple',
  rework: 'volcano',
  closed: 'success',
  rejected: 'default',
};

const levelColors: Record<HazardLevel, string> = { general: 'blue', serious: 'orange', major: 'red' };

function useGroup(group: 'hazards.status' | 'hazards.level' | 'hazards.timelineAction'): (code: string) => string {
  const { t } = useTranslation();
  return useCallback(
    (code: string) => {
      const map = t(group, { returnObjects: true }) as Record<string, string>;
      return map[code] ?? code;
    },
    [t, group],
  );
}

export const useStatusLabel = () => useGroup('hazards.status');
export const useLevelLabel = () => useGroup('hazards.level');
export const useTimelineLabel = () => useGroup('hazards.timelineAction');

export function StatusTag({ status }: { status: HazardStatus }) {
  const label = useStatusLabel();
  return (
    <Tag color={statusColors[status]} data-testid="hazard-status" data-status={status}>
      {label(status)}
    </Tag>
  );
}

/** The level as the company names it (dictionary label from the server), coloured by severity. */
export function LevelTag({ level, label }: { level: HazardLevel; label?: string }) {
  const fallback = useLevelLabel();
  return <Tag color={levelColors[level]}>{label || fallback(level)}</Tag>;
}

export function OverdueTag({ show }: { show: boolean }) {
  const { t } = useTranslation();
  return show ? (
    <Tag color="red" data-testid="hazard-overdue">
      {t('hazards.overdue')}
    </Tag>
  ) : null;
}
