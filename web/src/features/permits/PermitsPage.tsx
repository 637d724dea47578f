import { PlusOutlined, WarningOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Empty, Flex, Select, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { formatTime } from '../../shared/format.ts';
import { usePermits, useSite, type PermitStatus, type PermitSummary } from './api.ts';
import { PermitStatusTag } from './StatusTag.tsx';

const statuses: PermitStatus[] = ['draft', 'gas_tested', 'approving', 'approved', 'active', 'suspended', 'closing', 'closed', 'cancelled', 'expired'];

function Warnings({ p }: { p: PermitSummary }) {
  if (p.warnings.length === 0) return null;
  return (
    <Flex vertical gap={4}>
      {p.warnings.map((w, i) => (
        <Typography.Text key={i} type="warning" data-testid="permit-warning">
          <WarningOutlined /> {w.message}
        </Typography.Text>
      ))}
    </Flex>
  );
}

function ListTab() {
  const { t } = useTranslation();
  const [status, setStatus] = useState('');
  const q = usePermits(status);
  if (q.error) return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  return (
    <Flex vertical gap={12}>
      <Select style={{ width: 200 }} value={status} onChange={setStatus} options={[{ value: '', label: t('permits.list.allStatuses') }, ...statuses.map((s) => ({ value: s, label: t(`permits.status.${s}`) }))]} />
      <Table<PermitSummary>
        rowKey="id"
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        pagination={{ pageSize: 20 }}
        scroll={{ x: 900 }}
        data-testid="permit-table"
        columns={[
          { title: t('permits.list.number'), dataIndex: 'number', render: (v: string, p) => <Link to={`/permits/${p.id}`}>{v}</Link> },
          { title: t('permits.list.type'), render: (_: unknown, p) => `${p.typeName}${p.grade === 'none' ? '' : ` · ${p.gradeName}`}` },
          { title: t('permits.list.area'), render: (_: unknown, p) => `${p.areaName ?? ''} ${p.location}` },
          { title: t('permits.list.window'), render: (_: unknown, p) => `${formatTime(p.validFrom)} – ${formatTime(p.validUntil)}` },
          { title: t('permits.list.guardian'), dataIndex: 'guardianName' },
          { title: t('permits.list.status'), render: (_: unknown, p) => <PermitStatusTag status={p.status} /> },
          { title: t('permits.list.warnings'), render: (_: unknown, p) => <Warnings p={p} /> },
        ]}
      />
    </Flex>
  );
}

/** Live permits by area: what is going on where, and which combinations or guardians need attention. */
function SiteTab() {
  const { t } = useTranslation();
  const q = useSite();
  if (q.error) return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  const areas = q.data?.areas ?? [];
  return (
    <Flex vertical gap={12} data-testid="permit-site">
      {q.data && q.data.warnings > 0 ? <Alert type="warning" showIcon title={t('permits.list.siteWarnings', { count: q.data.warnings })} /> : null}
      {!q.isLoading && areas.length === 0 ? <Empty description={t('permits.list.siteEmpty')} /> : null}
      <Flex wrap gap={12}>
        {areas.map((a) => (
          <Card key={a.orgUnitId ?? '-'} size="small" title={a.areaName ?? '—'} style={{ width: 360 }} data-testid="permit-site-area">
            <Flex vertical gap={8}>
              {a.permits.map((p) => (
                <Flex key={p.id} vertical gap={2}>
                  <Flex gap={8} align="center" wrap>
                    <Link to={`/permits/${p.id}`}>{p.number}</Link>
                    <Tag>{p.typeName}</Tag>
                    <PermitStatusTag status={p.status} />
                  </Flex>
                  <Typography.Text type="secondary">
                    {p.location} · {t('permits.list.guardian')}：{p.guardianName} · {formatTime(p.validUntil)}
                  </Typography.Text>
                  <Warnings p={p} />
                </Flex>
              ))}
            </Flex>
          </Card>
        ))}
      </Flex>
    </Flex>
  );
}

export function PermitsPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const navigate = useNavigate();
  return (
    <Flex vertical gap={16}>
      <PageHeader
        title={t('permits.list.title')}
        sub={t('permits.list.subtitle')}
        extra={
          can('permit:apply') ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/permits/apply')} data-testid="permit-apply">
              {t('permits.list.apply')}
            </Button>
          ) : null
        }
      />
      <Tabs
        items={[
          { key: 'list', label: t('permits.list.tabList'), children: <ListTab /> },
          { key: 'site', label: t('permits.list.tabSite'), children: <SiteTab /> },
        ]}
      />
    </Flex>
  );
}
