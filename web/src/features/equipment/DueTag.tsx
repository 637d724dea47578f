import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Equipment } from './api.ts';

/**
 * The statutory inspection state as a coloured tag: overdue red, due within the reminder window (30 days
 * by default) orange, otherwise green; nothing for equipment without a due date or out of service.
 */
export function DueTag({ equipment: e }: { equipment: Pick<Equipment, 'dueState' | 'daysToDue'> }) {
  const { t } = useTranslation();
  if (e.dueState === 'none' || e.daysToDue === null) return <span>{t('equipment.due.none')}</span>;
  const colour = e.dueState === 'overdue' ? 'red' : e.dueState === 'due_soon' ? 'orange' : 'green';
  const text = e.daysToDue < 0 ? t('equipment.due.daysOver', { count: -e.daysToDue }) : e.daysToDue === 0 ? t('equipment.due.today') : t('equipment.due.daysLeft', { count: e.daysToDue });
  return (
    <Tag color={colour} data-testid={`due-${e.dueState}`}>
      {t(`equipment.due.${e.dueState}`)} · {text}
    </Tag>
  );
}

export function StatusTag({ status }: { status: Equipment['status'] }) {
  const { t } = useTranslation();
  const colour = status === 'in_service' ? 'blue' : status === 'stopped' ? 'default' : 'volcano';
  return <Tag color={colour}>{t(`equipment.status.${status}`)}</Tag>;
}
