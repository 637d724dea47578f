import { Badge, Button, Card, Empty, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useMarkAllRead, useMarkRead, useUnreadCount, useUnreadNotifications, type Notification } from '../notifications/api.ts';
import { NotificationItem } from '../notifications/NotificationItem.tsx';
import { useApiError } from '../../shared/useApiError.ts';

export function UnreadCard() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const onError = useApiError();
  const count = useUnreadCount();
  const list = useUnreadNotifications(5);
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const open = (n: Notification) => {
    markRead.mutate(n.id, { onError: (e) => onError(e) });
    if (n.link?.startsWith('/') && !n.link.startsWith('//')) void navigate(n.link);
  };
  const items = list.data?.items ?? [];
  return (
    <Card
      title={
        <span>
          {t('home.unread')} <Badge count={count.data?.count ?? 0} showZero color={(count.data?.count ?? 0) > 0 ? 'red' : 'gray'} />
        </span>
      }
      extra={
        items.length > 0 ? (
          <Button type="link" onClick={() => markAll.mutate(undefined, { onError: (e) => onError(e) })} loading={markAll.isPending}>
            {t('notifications.markAllRead')}
          </Button>
        ) : null
      }
      styles={{ body: { padding: items.length > 0 ? 0 : undefined } }}
      data-testid="home-unread"
    >
      {list.isError ? (
        <Typography.Text type="secondary">{t('notifications.unavailable')}</Typography.Text>
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={list.isLoading ? t('app.loading') : t('notifications.noneUnread')} />
      ) : (
        items.map((n) => <NotificationItem key={n.id} n={n} onOpen={open} onMarkRead={(id) => markRead.mutate(id, { onError: (e) => onError(e) })} />)
      )}
    </Card>
  );
}
