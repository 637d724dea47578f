import { RightOutlined } from '@ant-design/icons';
import { Button, Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { DataView, type DataColumn } from '../../shared/DataView.tsx';
import { dash, formatTime } from '../../shared/format.ts';
import type { HazardListItem } from './api.ts';
import { LevelTag, OverdueTag, StatusTag } from './labels.tsx';

/** Hazards as a table (desktop) or cards (phone); the number and title open the detail page. */
export function HazardList({
  rows,
  loading,
  testId,
  hasMore,
  loadingMore,
  onLoadMore,
}: {
  rows: HazardListItem[];
  loading: boolean;
  testId: string;
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
}) {
  const { t } = useTranslation();
  const due = (h: HazardListItem) => (h.status === 'reported' || h.status === 'assigned' ? h.respondDueAt : h.rectifyDueAt);
  const columns: DataColumn<HazardListItem>[] = [
    {
      key: 'title',
      title: t('hazards.fields.title'),
      hideOnCard: true,
      render: (h) => (
        <Link to={`/hazards/${h.id}`} data-testid="hazard-link" data-hazard-id={h.id}>
          <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
            {h.number}
          </Typography.Text>
          <Typography.Text strong>{h.title}</Typography.Text>
        </Link>
      ),
    },
    {
      key: 'status',
      title: t('hazards.fields.status'),
      render: (h) => (
        <Flex wrap gap={4}>
          <StatusTag status={h.status} />
          <OverdueTag show={h.status !== 'closed' && h.status !== 'rejected' && (h.respondOverdue || h.rectifyOverdue)} />
        </Flex>
      ),
    },
    { key: 'level', title: t('hazards.fields.level'), render: (h) => <LevelTag level={h.level} label={h.levelLabel} /> },
    { key: 'category', title: t('hazards.fields.category'), render: (h) => h.categoryLabel, hideOnCard: true },
    { key: 'area', title: t('hazards.fields.area'), render: (h) => dash(h.areaName) },
    { key: 'assignee', title: t('hazards.fields.assignee'), render: (h) => dash(h.assigneeName) },
    { key: 'due', title: t('hazards.fields.due'), render: (h) => (h.status === 'closed' ? formatTime(h.closedAt) : formatTime(due(h))) },
    { key: 'reported', title: t('hazards.fields.reportedAt'), render: (h) => formatTime(h.reportedAt), hideOnCard: true },
  ];
  return (
    <DataView
      testId={testId}
      rows={rows}
      rowKey={(h) => h.id}
      columns={columns}
      loading={loading}
      cardTitle={(h) => columns[0]?.render(h)}
      actions={(h) => (
        <Link to={`/hazards/${h.id}`}>
          <Button icon={<RightOutlined />} iconPlacement="end">
            {t('common.view')}
          </Button>
        </Link>
      )}
      hasMore={hasMore}
      loadingMore={loadingMore}
      onLoadMore={onLoadMore}
    />
  );
}
