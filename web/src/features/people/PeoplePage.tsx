import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Input, Row, Select, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { DataView, type DataColumn } from '../../shared/DataView.tsx';
import { dash } from '../../shared/format.ts';
import { usePersonKindLabel, usePersonStatusLabel } from '../../shared/labels.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { usePeople, type PeopleFilter, type Person, type PersonKind, type PersonStatus } from './api.ts';
import { PersonDrawer } from './PersonDrawer.tsx';

/** People: employees and contractor workers, narrowed to the user's data scope by the server. */
export function PeoplePage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const kindLabel = usePersonKindLabel();
  const statusLabel = usePersonStatusLabel();
  const [filter, setFilter] = useState<PeopleFilter>({ status: 'active' });
  const [editing, setEditing] = useState<Person | 'new' | null>(null);
  const people = usePeople(filter);
  const rows = useMemo(() => people.data?.pages.flatMap((p) => p.items) ?? [], [people.data]);
  const writable = can('people:write');

  const columns: DataColumn<Person>[] = [
    {
      key: 'name',
      title: t('people.name'),
      hideOnCard: true,
      render: (p) => (
        <span>
          <Typography.Text strong>{p.name}</Typography.Text>
          {p.status === 'left' ? <Tag style={{ marginInlineStart: 6 }}>{statusLabel('left')}</Tag> : null}
        </span>
      ),
    },
    { key: 'employeeNo', title: t('people.employeeNo'), render: (p) => p.employeeNo },
    { key: 'org', title: t('people.orgUnit'), render: (p) => dash(p.orgUnitName) },
    { key: 'position', title: t('people.position'), render: (p) => dash(p.positionName) },
    {
      key: 'kind',
      title: t('people.kind'),
      render: (p) =>
        p.kind === 'contractor' ? (
          <span>
            <Tag color="orange">{kindLabel('contractor')}</Tag>
            {p.contractorUnitName ?? ''}
          </span>
        ) : (
          <Tag>{kindLabel(p.kind)}</Tag>
        ),
    },
    { key: 'phone', title: t('people.phone'), render: (p) => (p.phone ? <a href={`tel:${p.phone}`}>{p.phone}</a> : '—') },
    { key: 'account', title: t('people.account'), render: (p) => dash(p.username) },
  ];

  return (
    <div data-testid="people-page">
      <PageHeader
        title={t('people.title')}
        extra={
          writable ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="person-new">
              {t('people.new')}
            </Button>
          ) : null
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Row gutter={[12, 12]}>
          <Col xs={24} md={8}>
            <Input.Search allowClear placeholder={t('people.searchPlaceholder')} onSearch={(q) => setFilter((f) => ({ ...f, q: q.trim() || undefined }))} data-testid="people-search" enterButton />
          </Col>
          <Col xs={24} md={8}>
            <OrgUnitSelect allowClear placeholder={t('people.orgFilter')} value={filter.orgUnitId} onChange={(orgUnitId) => setFilter((f) => ({ ...f, orgUnitId }))} testId="people-org-filter" />
          </Col>
          <Col xs={12} md={4}>
            <Select<PersonKind>
              allowClear
              style={{ width: '100%' }}
              placeholder={t('people.kind')}
              value={filter.kind}
              onChange={(kind) => setFilter((f) => ({ ...f, kind }))}
              options={(['employee', 'contractor'] as const).map((k) => ({ value: k, label: kindLabel(k) }))}
            />
          </Col>
          <Col xs={12} md={4}>
            <Select<PersonStatus>
              allowClear
              style={{ width: '100%' }}
              placeholder={t('people.status')}
              value={filter.status}
              onChange={(status) => setFilter((f) => ({ ...f, status }))}
              options={(['active', 'left'] as const).map((s) => ({ value: s, label: statusLabel(s) }))}
            />
          </Col>
        </Row>
      </Card>
      {people.isError ? (
        <QueryError error={people.error} onRetry={() => void people.refetch()} />
      ) : (
        <DataView
          testId="people-list"
          rows={rows}
          rowKey={(p) => p.id}
          columns={columns}
          loading={people.isLoading}
          cardTitle={(p) => columns[0]?.render(p)}
          actions={writable ? (p) => <Button icon={<EditOutlined />} onClick={() => setEditing(p)}>{t('common.edit')}</Button> : undefined}
          hasMore={people.hasNextPage}
          loadingMore={people.isFetchingNextPage}
          onLoadMore={() => void people.fetchNextPage()}
        />
      )}
      <PersonDrawer person={editing} onClose={() => setEditing(null)} />
    </div>
  );
}
