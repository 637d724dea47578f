import { Button, Card, Empty, Flex, Table, Typography, type TableColumnsType } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsPhone } from './useIsPhone.ts';

export interface DataColumn<T> {
  key: string;
  title: ReactNode;
  render: (row: T) => ReactNode;
  width?: number;
  /** Not repeated in the card body on phones (e.g. it is already the card title). */
  hideOnCard?: boolean;
  ellipsis?: boolean;
}

export interface DataViewProps<T> {
  rows: readonly T[];
  rowKey: (row: T) => string;
  columns: DataColumn<T>[];
  loading?: boolean;
  /** Phone card title; defaults to the first column. */
  cardTitle?: (row: T) => ReactNode;
  actions?: (row: T) => ReactNode;
  /** Extra detail under a row (table: expandable row; phone: a toggle in the card). */
  expand?: (row: T) => ReactNode;
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
  testId?: string;
}

/**
 * A table on desktop and a list of cards on a phone: tables do not fit 390 px and sideways scrolling with
 * gloves on is miserable. Cursor lists get a "load more" button instead of page numbers.
 */
export function DataView<T>(props: DataViewProps<T>) {
  const isPhone = useIsPhone();
  return (
    <div data-testid={props.testId}>
      {isPhone ? <CardList {...props} /> : <DesktopTable {...props} />}
      <LoadMore {...props} />
    </div>
  );
}

function DesktopTable<T>({ rows, rowKey, columns, loading, actions, expand }: DataViewProps<T>) {
  const { t } = useTranslation();
  const cols: TableColumnsType<T> = columns.map((c) => ({
    key: c.key,
    title: c.title,
    width: c.width,
    ellipsis: c.ellipsis,
    render: (_: unknown, row: T) => c.render(row),
  }));
  if (actions)
    cols.push({
      key: '__actions',
      title: t('common.actions'),
      render: (_: unknown, row: T) => (
        <Flex gap={8} wrap={false}>
          {actions(row)}
        </Flex>
      ),
    });
  return (
    <Table<T>
      rowKey={rowKey}
      columns={cols}
      dataSource={rows as T[]}
      loading={loading}
      pagination={false}
      size="middle"
      scroll={{ x: 'max-content' }}
      expandable={expand ? { expandedRowRender: (row) => expand(row) } : undefined}
    />
  );
}

function CardList<T>({ rows, rowKey, columns, loading, actions, expand, cardTitle }: DataViewProps<T>) {
  const { t } = useTranslation();
  if (!loading && rows.length === 0) return <Empty description={t('common.empty')} />;
  const first = columns[0];
  return (
    <Flex vertical gap={12} data-testid="card-list">
      {loading && rows.length === 0 ? <Card loading /> : null}
      {rows.map((row) => (
        <Card key={rowKey(row)} size="small" title={cardTitle ? cardTitle(row) : first?.render(row)} data-testid="data-card">
          <dl style={{ display: 'grid', gridTemplateColumns: 'minmax(72px, max-content) 1fr', gap: '6px 12px', margin: 0 }}>
            {columns
              .filter((c, i) => !c.hideOnCard && (cardTitle !== undefined || i > 0))
              .map((c) => (
                <CardField key={c.key} label={c.title} value={c.render(row)} />
              ))}
          </dl>
          {expand ? <CardExpand>{expand(row)}</CardExpand> : null}
          {actions ? (
            <Flex wrap gap={8} style={{ marginTop: 12 }}>
              {actions(row)}
            </Flex>
          ) : null}
        </Card>
      ))}
    </Flex>
  );
}

function CardField({ label, value }: { label: ReactNode; value: ReactNode }) {
  return (
    <>
      <dt>
        <Typography.Text type="secondary">{label}</Typography.Text>
      </dt>
      <dd style={{ margin: 0, minWidth: 0, overflowWrap: 'anywhere' }}>{value}</dd>
    </>
  );
}

function CardExpand({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <div style={{ marginTop: 8 }}>
      <Button type="link" onClick={() => setOpen(!open)} style={{ paddingInline: 0 }}>
        {open ? t('common.hideDetails') : t('common.showDetails')}
      </Button>
      {open ? <div style={{ overflowX: 'auto' }}>{children}</div> : null}
    </div>
  );
}

function LoadMore<T>({ rows, hasMore, loadingMore, onLoadMore }: DataViewProps<T>) {
  const { t } = useTranslation();
  if (!onLoadMore) return null;
  return (
    <Flex justify="center" style={{ marginTop: 16 }}>
      {hasMore ? (
        <Button onClick={onLoadMore} loading={loadingMore} data-testid="load-more">
          {t('common.loadMore')}
        </Button>
      ) : rows.length > 0 ? (
        <Typography.Text type="secondary">{t('common.allLoaded', { count: rows.length })}</Typography.Text>
      ) : null}
    </Flex>
  );
}
