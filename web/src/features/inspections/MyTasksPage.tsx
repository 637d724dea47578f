import { CloudUploadOutlined, RightOutlined } from '@ant-design/icons';
import { Alert, Card, Empty, Flex, Spin, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { QueryError } from '../../shared/QueryError.tsx';
import { getTask, today, useMyTasks } from './api.ts';
import { rememberTask } from './checkOutbox.ts';
import { useCheckOutboxState } from './useCheckOutbox.ts';
import { TaskStatusTag, windowText } from './labels.tsx';

/**
 * 我的巡检任务: today's checks of the signed-in person (or their post), phone first. Each open task is kept
 * on the phone as the list loads (the start of the shift), so it can be checked later without signal.
 */
export function MyTasksPage() {
  const { t } = useTranslation();
  const day = today();
  const q = useMyTasks(day);
  const outbox = useCheckOutboxState();
  const waiting = outbox.items.filter((i) => i.failed === null).length;
  useEffect(() => {
    for (const task of q.data?.items ?? []) {
      if (task.status === 'planned' || task.status === 'in_progress') getTask(task.id).then(rememberTask, () => undefined);
    }
  }, [q.data]);
  return (
    <div style={{ maxWidth: 560, margin: '0 auto' }}>
      <Typography.Title level={3}>{t('inspections.my.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('inspections.my.help', { day })}</Typography.Paragraph>
      {waiting > 0 ? <Alert type="warning" showIcon icon={<CloudUploadOutlined />} message={t('inspections.offline.myQueued', { count: waiting })} style={{ marginBottom: 12 }} data-testid="my-check-outbox" /> : null}
      {q.isPending ? (
        <Spin />
      ) : q.isError ? (
        <QueryError error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.items.length === 0 ? (
        <Empty description={t('inspections.my.none')} data-testid="my-tasks-empty" />
      ) : (
        <Flex vertical gap={8} data-testid="my-tasks">
          {q.data.items.map((task) => (
            <Link key={task.id} to={`/inspections/tasks/${task.id}`} data-testid="my-task">
              <Card size="small" hoverable>
                <Flex justify="space-between" align="center" gap={8}>
                  <Flex vertical gap={2} style={{ minWidth: 0 }}>
                    <Typography.Text strong ellipsis>
                      {task.planName}
                    </Typography.Text>
                    <Typography.Text type="secondary">
                      {windowText(task.windowStart, task.windowEnd)} · {task.stops.map((s) => s.name).join(' → ')}
                    </Typography.Text>
                  </Flex>
                  <Flex align="center" gap={4}>
                    <TaskStatusTag status={task.status} />
                    <RightOutlined />
                  </Flex>
                </Flex>
              </Card>
            </Link>
          ))}
        </Flex>
      )}
    </div>
  );
}
