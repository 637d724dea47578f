import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { InstanceStatus } from './types.ts';

const colours: Record<InstanceStatus, string> = { running: 'processing', approved: 'success', rejected: 'error', withdrawn: 'default', sent_back: 'warning' };

export function InstanceStatusTag({ status, testId = 'instance-status' }: { status: InstanceStatus; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={colours[status]} data-testid={testId} data-status={status}>
      {t(`workflow.status.${status}`)}
    </Tag>
  );
}
