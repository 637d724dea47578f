import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Flex, Input, Select, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCan } from '../../app/session.ts';
import { DataView } from '../../shared/DataView.tsx';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { certificateStatuses, useCertificateCount, useCertificates, useTrainingConfig, type Certificate, type CertificateFilter } from './api.ts';
import { CertificateForm } from './CertificateForm.tsx';
import { RevokeDialog } from './RevokeDialog.tsx';
import { CertificateStatusTag, DaysLeft, lapsed } from './StatusTag.tsx';

/**
 * The certificate register (证书台账): every certificate in my data scope, soonest expiry first, filtered by
 * type, status, department and "expiring within 30 days"; expired and overdue ones are flagged in red.
 */
export function CertificatesPage() {
  const { t, i18n } = useTranslation();
  const { can } = useCan();
  const config = useTrainingConfig();
  const [filter, setFilter] = useState<CertificateFilter>({});
  const patch = (p: Partial<CertificateFilter>) => setFilter((f) => ({ ...f, ...p }));
  const list = useCertificates(filter);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const expired = useCertificateCount({ status: 'expired' });
  const overdue = useCertificateCount({ status: 'review_due' });
  const lapsedCount = (expired.data?.count ?? 0) + (overdue.data?.count ?? 0);
  const [editing, setEditing] = useState<Certificate | 'new' | null>(null);
  const [revoking, setRevoking] = useState<Certificate | null>(null);
  const canWrite = can('training:write');
  const en = i18n.language === 'en';

  return (
    <>
      <PageHeader
        title={t('training.ledger.title')}
        sub={t('training.ledger.subtitle')}
        extra={
          canWrite ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="cert-add">
              {t('training.ledger.add')}
            </Button>
          ) : null
        }
      />
      {lapsedCount > 0 ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('training.ledger.expiredAlert', { count: lapsedCount })}
          action={
            <Button size="small" onClick={() => patch({ status: 'expired', expiringWithinDays: undefined })}>
              {t('training.status.expired')}
            </Button>
          }
          data-testid="cert-expired-alert"
        />
      ) : null}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Flex wrap gap={12} align="center">
          <Input.Search allowClear placeholder={t('training.ledger.searchPlaceholder')} style={{ width: 240 }} onSearch={(q) => patch({ q: q.trim() || undefined })} data-testid="cert-search" />
          <Select
            allowClear
            style={{ width: 200 }}
            placeholder={t('training.ledger.allTypes')}
            value={filter.typeId}
            onChange={(v: string | undefined) => patch({ typeId: v })}
            options={(config.data?.types ?? []).map((x) => ({ value: x.id, label: en ? x.nameEn : x.nameZh }))}
          />
          <Select
            allowClear
            style={{ width: 160 }}
            placeholder={t('training.ledger.allStatuses')}
            value={filter.status}
            onChange={(v: Certificate['status'] | undefined) => patch({ status: v })}
            options={certificateStatuses.map((s) => ({ value: s, label: t(`training.status.${s}`) }))}
            data-testid="cert-status-filter"
          />
          <div style={{ width: 220 }}>
            <OrgUnitSelect allowClear placeholder={t('training.ledger.department')} value={filter.departmentId} onChange={(v) => patch({ departmentId: v ?? undefined })} />
          </div>
          <Checkbox checked={filter.expiringWithinDays === 30} onChange={(e) => patch({ expiringWithinDays: e.target.checked ? 30 : undefined })} data-testid="cert-expiring">
            {t('training.ledger.expiringSoon')}
          </Checkbox>
        </Flex>
      </Card>
      {list.isError ? <QueryError error={list.error} onRetry={() => void list.refetch()} /> : null}
      <DataView<Certificate>
        testId="cert-ledger"
        rows={rows}
        rowKey={(c) => c.id}
        loading={list.isLoading}
        hasMore={list.hasNextPage}
        loadingMore={list.isFetchingNextPage}
        onLoadMore={() => void list.fetchNextPage()}
        cardTitle={(c) => `${c.personName} · ${c.categoryLabel ?? c.typeName}`}
        columns={[
          {
            key: 'person',
            title: t('training.columns.person'),
            render: (c) => (
              <Link to={`/training/people/${c.personId}`}>
                {c.personName} <Typography.Text type="secondary">{c.employeeNo}</Typography.Text>
              </Link>
            ),
          },
          { key: 'type', title: t('training.columns.type'), render: (c) => (c.categoryLabel ? `${c.typeName} · ${c.categoryLabel}` : c.typeName) },
          { key: 'number', title: t('training.columns.number'), render: (c) => c.number },
          { key: 'unit', title: t('training.ledger.department'), render: (c) => c.orgUnitName ?? '—' },
          {
            key: 'validUntil',
            title: t('training.columns.validUntil'),
            render: (c) => <Typography.Text type={lapsed(c) ? 'danger' : undefined}>{c.validUntil}</Typography.Text>,
          },
          { key: 'review', title: t('training.columns.nextReviewOn'), render: (c) => <Typography.Text type={c.status === 'review_due' ? 'danger' : undefined}>{c.nextReviewOn ?? '—'}</Typography.Text> },
          { key: 'left', title: t('training.columns.daysLeft'), render: (c) => <DaysLeft cert={c} /> },
          { key: 'status', title: t('training.columns.status'), render: (c) => <CertificateStatusTag status={c.status} /> },
        ]}
        actions={
          canWrite
            ? (c) =>
                c.status === 'revoked' ? null : (
                  <>
                    <Button size="small" onClick={() => setEditing(c)}>
                      {t('common.edit')}
                    </Button>
                    <Button size="small" danger onClick={() => setRevoking(c)}>
                      {t('training.revoke.action')}
                    </Button>
                  </>
                )
            : undefined
        }
      />
      {editing ? <CertificateForm open editing={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
      {revoking ? <RevokeDialog cert={revoking} onClose={() => setRevoking(null)} /> : null}
    </>
  );
}
