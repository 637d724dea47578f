import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { PermitStatus } from './api.ts';

const colors: Record<PermitStatus, string> = { draft: 'default', gas_tested: 'cyan', approving: 'processing', approved: 'blue', active: 'green', suspended: 'orange', closing: 'gold', closed: 'default', cancelled: 'default', expired: 'red' };

export function PermitStatusTag({ status }: { status: PermitStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={colors[status]} data-testid="permit-status">
      {t(`permits.status.${status}`)}
    </Tag>
  );
}
