import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Empty, Flex, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { apiUrl } from '../../api/client.ts';
import { useCan, useSession } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useInductions, usePersonCertificates, type Certificate } from './api.ts';
import { CertificateForm } from './CertificateForm.tsx';
import { CertificateStatusTag, DaysLeft, lapsed } from './StatusTag.tsx';
import { TrainingRecordsCard } from './TrainingRecordsCard.tsx';

/** One person's certificates (一人一档, certificates part) and induction levels; `/training/my` for oneself. */
export function PersonCertificatesPage() {
  return <PersonCertificates mine={false} />;
}

export function MyCertificatesPage() {
  return <PersonCertificates mine />;
}

function PersonCertificates({ mine }: { mine: boolean }) {
  const { t } = useTranslation();
  const me = useSession();
  const { can } = useCan();
  const params = useParams();
  const personId = mine ? me.personId : (params.id ?? null);
  const certs = usePersonCertificates(personId, mine);
  const inductions = useInductions(personId);
  const [adding, setAdding] = useState(false);
  const items = certs.data?.items ?? [];
  const name = items[0]?.personName ?? (mine ? me.displayName : '');
  const bad = items.filter(lapsed);

  return (
    <>
      <PageHeader
        title={mine ? t('training.person.mineTitle') : t('training.person.title', { name })}
        extra={
          !mine && can('training:write') && personId ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
              {t('training.ledger.add')}
            </Button>
          ) : null
        }
      />
      {certs.isError ? <QueryError error={certs.error} onRetry={() => void certs.refetch()} /> : null}
      {bad.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('training.person.expiredWarning', { list: bad.map((c) => `${c.categoryLabel ?? c.typeName} ${c.number}`).join('、') })}
          data-testid="person-expired-warning"
        />
      ) : null}
      <Flex vertical gap={12}>
        {items.length === 0 && !certs.isLoading ? <Empty description={t('training.person.empty')} /> : null}
        {items.map((c) => (
          <CertificateCard key={c.id} cert={c} />
        ))}
        <Card size="small" title={t('training.person.inductions')}>
          {(inductions.data?.items ?? []).length === 0 ? (
            <Typography.Text type="secondary">{t('training.person.noInduction')}</Typography.Text>
          ) : (
            <Space wrap>
              {(inductions.data?.items ?? []).map((i) => (
                <Tag key={i.id} color={i.status === 'completed' ? 'green' : 'orange'}>
                  {t(`training.person.levels.${i.level}`)} · {t(`training.person.inductionStatus.${i.status}`)}
                  {i.status === 'pending' && i.dueOn ? ` · ${t('training.person.dueOn', { day: i.dueOn })}` : ''}
                </Tag>
              ))}
            </Space>
          )}
        </Card>
        <TrainingRecordsCard personId={personId} mine={mine} />
      </Flex>
      {adding && personId ? <CertificateForm open editing={null} personId={personId} onClose={() => setAdding(false)} /> : null}
    </>
  );
}

function CertificateCard({ cert: c }: { cert: Certificate }) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      title={c.categoryLabel ? `${c.typeName} · ${c.categoryLabel}` : c.typeName}
      extra={<CertificateStatusTag status={c.status} />}
      style={lapsed(c) ? { borderColor: '#ff4d4f' } : undefined}
      data-testid="person-cert"
    >
      <Descriptions size="small" column={{ xs: 1, sm: 2, md: 3 }}>
        <Descriptions.Item label={t('training.columns.number')}>{c.number}</Descriptions.Item>
        <Descriptions.Item label={t('training.columns.issuer')}>{c.issuer}</Descriptions.Item>
        <Descriptions.Item label={t('training.columns.issuedOn')}>{c.issuedOn}</Descriptions.Item>
        <Descriptions.Item label={t('training.columns.validUntil')}>
          {c.validUntil} (<DaysLeft cert={c} />)
        </Descriptions.Item>
        <Descriptions.Item label={t('training.columns.nextReviewOn')}>{c.nextReviewOn ?? '—'}</Descriptions.Item>
        {c.scanFileId ? (
          <Descriptions.Item label={t('training.person.scan')}>
            <a href={apiUrl(`/files/${c.scanFileId}`)} target="_blank" rel="noreferrer">
              {t('common.view')}
            </a>
          </Descriptions.Item>
        ) : null}
        {c.revokeReason ? <Descriptions.Item label={t('training.revoke.reason')}>{c.revokeReason}</Descriptions.Item> : null}
      </Descriptions>
    </Card>
  );
}
