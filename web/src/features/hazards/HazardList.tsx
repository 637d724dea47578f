import { RightOutlined } from '@ant-design/icons';
import { Button, Checkbox, Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { DataView, type DataColumn } from '../../shared/DataView.tsx';
import { dash, formatTime } from '../../shared/format.ts';
import type { HazardListItem } from './api.ts';
import { LevelTag, OverdueTag, StatusTag } from './labels.tsx';

export interface HazardSelection {
  selected: ReadonlySet<string>;
  onToggle: (h: HazardListItem, checked: boolean) => void;
  /** Rows that cannot be picked show a disabled box (e.g. closed findings get no rectification notice). */
  selectable: (h: HazardListItem) => boolean;
}

/** Hazards as a table (desktop) or cards (phone); the number and title open the detail page. */
export function HazardList({
  rows,
  loading,
  testId,
  hasMore,
  loadingMore,
  onLoadMore,
  selection,
}: {
  rows: HazardListItem[];
  loading: boolean;
  testId: string;
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
  /** With it, a first column of check boxes picks rows. */
  selection?: HazardSelection;
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
  if (selection) {
    columns.push({
      key: 'select',
      title: t('hazards.notice.pick'),
      render: (h) => (
        <Checkbox
          checked={selection.selected.has(h.id)}
          disabled={!selection.selectable(h)}
          onChange={(e) => selection.onToggle(h, e.target.checked)}
          style={{ minHeight: 44, alignItems: 'center' }}
          data-testid="hazard-select"
          data-hazard-id={h.id}
        >
          {t('hazards.notice.pickShort')}
        </Checkbox>
      ),
    });
  }
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
