import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Dropdown, Empty, Flex, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useApiError } from '../../shared/useApiError.ts';
import { useMarkAllRead, useMarkRead, useRecentNotifications, useSendTestNotification, useUnreadCount, type Notification } from './api.ts';
import { NotificationItem } from './NotificationItem.tsx';
import type { StreamState } from './useNotificationStream.ts';

/** Header bell: unread badge (kept live by the stream) and the latest ten with mark-read actions. */
export function NotificationBell({ stream }: { stream: StreamState }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const onError = useApiError();
  const [open, setOpen] = useState(false);
  const count = useUnreadCount();
  const recent = useRecentNotifications(open);
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const sendTest = useSendTestNotification();
  const unread = count.data?.count ?? 0;

  const openItem = (n: Notification) => {
    if (!n.readAt) markRead.mutate(n.id, { onError: (e) => onError(e) });
    // Only in-app links are followed from a notification; anything else is shown, not opened.
    if (n.link && n.link.startsWith('/') && !n.link.startsWith('//')) {
      setOpen(false);
      void navigate(n.link);
    }
  };

  const panel = (
    <Card
      size="small"
      title={t('notifications.title')}
      style={{ width: 'min(380px, calc(100vw - 16px))' }}
      styles={{ body: { padding: 0, maxHeight: '60vh', overflowY: 'auto' } }}
      data-testid="notification-panel"
      extra={
        <Button type="link" disabled={unread === 0} loading={markAll.isPending} onClick={() => markAll.mutate(undefined, { onError: (e) => onError(e) })} data-testid="mark-all-read">
          {t('notifications.markAllRead')}
        </Button>
      }
    >
      {recent.isLoading ? (
        <Flex justify="center" style={{ padding: 24 }}>
          <Spin />
        </Flex>
      ) : recent.isError ? (
        <Typography.Paragraph type="secondary" style={{ padding: 16, margin: 0 }}>
          {t('notifications.unavailable')}
        </Typography.Paragraph>
      ) : (recent.data?.items.length ?? 0) === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} />
      ) : (
        recent.data?.items.map((n) => <NotificationItem key={n.id} n={n} onOpen={openItem} onMarkRead={(id) => markRead.mutate(id, { onError: (e) => onError(e) })} />)
      )}
      <div style={{ padding: '8px 12px', borderTop: '1px solid #f0f0f0', textAlign: 'center' }}>
        <Button type="link" loading={sendTest.isPending} onClick={() => sendTest.mutate(undefined, { onError: (e) => onError(e) })} data-testid="notification-send-test">
          {t('notifications.sendTest')}
        </Button>
      </div>
    </Card>
  );

  return (
    <Dropdown open={open} onOpenChange={setOpen} trigger={['click']} popupRender={() => panel} placement="bottomRight">
      <Button
        type="text"
        aria-label={t('notifications.title')}
        data-testid="notification-bell"
        data-stream={stream}
        data-unread={unread}
        icon={
          <Badge count={unread} overflowCount={99} size="small" data-testid="notification-badge">
            <BellOutlined style={{ fontSize: 20 }} />
          </Badge>
        }
      />
    </Dropdown>
  );
}
