import { Button, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { DataView } from '../../shared/DataView.tsx';
import { formatTime } from '../../shared/format.ts';
import { QueryError } from '../../shared/QueryError.tsx';
import { useMyInstances } from './api.ts';
import { InstanceStatusTag } from './InstanceStatusTag.tsx';
import type { FlowInstanceSummary } from './types.ts';

/** 我发起的: my own requests with their flow version; withdrawing is in the drawer. */
export function MyRequestsList({ active, onOpen }: { active: boolean; onOpen: (instanceId: string) => void }) {
  const { t } = useTranslation();
  const list = useMyInstances(active);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  return (
    <>
      {list.isError ? <QueryError error={list.error} onRetry={() => void list.refetch()} /> : null}
      <DataView<FlowInstanceSummary>
        testId="my-requests"
        rows={rows}
        rowKey={(r) => r.id}
        loading={list.isLoading}
        hasMore={list.hasNextPage}
        loadingMore={list.isFetchingNextPage}
        onLoadMore={() => void list.fetchNextPage()}
        cardTitle={(r) => r.title}
        columns={[
          { key: 'title', title: t('workflow.todo.columns.title'), render: (r) => <Typography.Link onClick={() => onOpen(r.id)}>{r.title}</Typography.Link> },
          { key: 'node', title: t('workflow.todo.columns.node'), render: (r) => r.currentNodeName ?? '—' },
          { key: 'version', title: t('workflow.todo.columns.version'), render: (r) => <Tag>{`${r.key} v${r.definitionVersionNo}`}</Tag> },
          { key: 'created', title: t('workflow.todo.columns.created'), render: (r) => formatTime(r.createdAt) },
          { key: 'status', title: t('workflow.todo.columns.status'), render: (r) => <InstanceStatusTag status={r.status} /> },
        ]}
        actions={(r) => (
          <Button size="small" onClick={() => onOpen(r.id)}>
            {t('workflow.todo.view')}
          </Button>
        )}
      />
    </>
  );
}
