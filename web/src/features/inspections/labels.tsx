import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { TaskStatus } from './api.ts';

const colours: Record<TaskStatus, string> = { planned: 'blue', in_progress: 'orange', done: 'green', missed: 'red' };

export function TaskStatusTag({ status }: { status: TaskStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={colours[status]} data-testid="task-status">
      {t(`inspections.status.${status}`)}
    </Tag>
  );
}

/** "12-01 08:00–16:00" of a window, in the browser's zone; a window ending at midnight ends at 24:00. */
export function windowText(start: string, end: string): string {
  const s = new Date(start);
  const e = new Date(end);
  const time = (d: Date) => d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const day = `${String(s.getMonth() + 1).padStart(2, '0')}-${String(s.getDate()).padStart(2, '0')}`;
  const sameDay = e.getTime() - s.getTime() <= 86_400_000 && time(e) === '00:00';
  return `${day} ${time(s)}–${sameDay ? '24:00' : time(e)}`;
}
