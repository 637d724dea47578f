import { CheckOutlined, ExclamationCircleFilled, InfoCircleFilled, WarningFilled } from '@ant-design/icons';
import { Button, Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { fromNow } from '../../shared/format.ts';
import type { Notification } from './api.ts';

const severityIcon = {
  info: <InfoCircleFilled style={{ color: '#1677ff' }} />,
  warning: <WarningFilled style={{ color: '#fa8c16' }} />,
  critical: <ExclamationCircleFilled style={{ color: '#f5222d' }} />,
} as const;

export function NotificationItem({ n, onOpen, onMarkRead }: { n: Notification; onOpen: (n: Notification) => void; onMarkRead: (id: string) => void }) {
  const { t } = useTranslation();
  return (
    <Flex
      gap={10}
      align="start"
      style={{ padding: '10px 12px', borderBottom: '1px solid #f0f0f0', background: n.readAt ? undefined : '#f0f7ff', cursor: 'pointer', minHeight: 44 }}
      onClick={() => onOpen(n)}
      data-testid="notification-item"
      data-unread={n.readAt ? 'false' : 'true'}
    >
      <span style={{ fontSize: 18, lineHeight: '22px' }}>{severityIcon[n.severity] ?? severityIcon.info}</span>
      <div style={{ flex: 1, minWidth: 0 }}>
        <Typography.Text strong={!n.readAt} style={{ display: 'block' }}>
          {n.title}
        </Typography.Text>
        {n.body ? (
          <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ margin: 0 }}>
            {n.body}
          </Typography.Paragraph>
        ) : null}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {fromNow(n.createdAt)}
        </Typography.Text>
      </div>
      {n.readAt ? null : (
        <Button
          type="text"
          icon={<CheckOutlined />}
          aria-label={t('notifications.markRead')}
          title={t('notifications.markRead')}
          onClick={(e) => {
            e.stopPropagation();
            onMarkRead(n.id);
          }}
        />
      )}
    </Flex>
  );
}
