import { Button, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { DataView } from '../../shared/DataView.tsx';
import { formatTime } from '../../shared/format.ts';
import { QueryError } from '../../shared/QueryError.tsx';
import { useMyTasks, type TaskTab } from './api.ts';
import { InstanceStatusTag } from './InstanceStatusTag.tsx';
import type { MyTask } from './types.ts';

/** My tasks of one tab (to do, done, copied to me) across every module. */
export function TaskList({ tab, active, onOpen }: { tab: TaskTab; active: boolean; onOpen: (instanceId: string) => void }) {
  const { t } = useTranslation();
  const list = useMyTasks(tab, active);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const now = Date.now();
  return (
    <>
      {list.isError ? <QueryError error={list.error} onRetry={() => void list.refetch()} /> : null}
      <DataView<MyTask>
        testId={`tasks-${tab}`}
        rows={rows}
        rowKey={(r) => r.taskId}
        loading={list.isLoading}
        hasMore={list.hasNextPage}
        loadingMore={list.isFetchingNextPage}
        onLoadMore={() => void list.fetchNextPage()}
        cardTitle={(r) => r.title}
        columns={[
          {
            key: 'title',
            title: t('workflow.todo.columns.title'),
            render: (r) => (
              <div data-testid={`task-row-${r.taskId}`}>
                <Typography.Link onClick={() => onOpen(r.instanceId)}>{r.title}</Typography.Link>
                {r.summary ? <div><Typography.Text type="secondary">{r.summary}</Typography.Text></div> : null}
                {r.onBehalfOfName ? <Tag color="purple">{t('workflow.todo.onBehalfOf', { name: r.onBehalfOfName })}</Tag> : null}
              </div>
            ),
          },
          { key: 'node', title: t('workflow.todo.columns.node'), render: (r) => r.nodeName },
          { key: 'applicant', title: t('workflow.todo.columns.applicant'), render: (r) => r.applicantName ?? '—' },
          { key: 'created', title: t('workflow.todo.columns.created'), render: (r) => formatTime(r.createdAt) },
          {
            key: 'due',
            title: t('workflow.todo.columns.due'),
            render: (r) => (r.dueAt ? <Typography.Text type={tab === 'pending' && Date.parse(r.dueAt) < now ? 'danger' : undefined}>{formatTime(r.dueAt)}</Typography.Text> : '—'),
          },
          { key: 'status', title: t('workflow.todo.columns.status'), render: (r) => <InstanceStatusTag status={r.instanceStatus} /> },
        ]}
        actions={(r) => (
          <Button size="small" type={tab === 'pending' ? 'primary' : 'default'} onClick={() => onOpen(r.instanceId)} data-testid={`task-open-${r.taskId}`}>
            {tab === 'pending' ? t('workflow.todo.open') : t('workflow.todo.view')}
          </Button>
        )}
      />
    </>
  );
}
