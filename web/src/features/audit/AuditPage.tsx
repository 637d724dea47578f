import { Button, Card, Col, DatePicker, Form, Input, Row, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { DataView, type DataColumn } from '../../shared/DataView.tsx';
import { dash, formatTimeSeconds } from '../../shared/format.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useAudit, type AuditEntry, type AuditFilter } from './api.ts';
import { JsonDiff } from './JsonDiff.tsx';
import { VerifyChainButton } from './VerifyChain.tsx';

interface FilterValues {
  entityType?: string;
  entityId?: string;
  action?: string;
  actorUserId?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toFilter(v: FilterValues): AuditFilter {
  const [from, to] = v.range ?? [null, null];
  return {
    entityType: v.entityType?.trim() || undefined,
    entityId: v.entityId?.trim() || undefined,
    action: v.action?.trim() || undefined,
    actorUserId: v.actorUserId?.trim() || undefined,
    from: from ? from.startOf('day').toISOString() : undefined,
    to: to ? to.endOf('day').toISOString() : undefined,
  };
}

/** The append-only, hash-chained audit log: who changed what, when, from where, before and after. */
export function AuditPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const [form] = Form.useForm<FilterValues>();
  const [filter, setFilter] = useState<AuditFilter>({});
  const [verifyResult, setVerifyResult] = useState<ReactNode>(null);
  const audit = useAudit(filter);
  const rows = useMemo(() => audit.data?.pages.flatMap((p) => p.items) ?? [], [audit.data]);

  // Clicking a value narrows the list to it: the quickest way to follow one record or one person.
  const narrow = (patch: Partial<FilterValues>) => {
    form.setFieldsValue(patch);
    setFilter(toFilter(form.getFieldsValue()));
  };

  const columns: DataColumn<AuditEntry>[] = [
    { key: 'seq', title: '#', render: (e) => e.seq, width: 70, hideOnCard: true },
    { key: 'at', title: t('audit.at'), render: (e) => formatTimeSeconds(e.at) },
    {
      key: 'actor',
      title: t('audit.actor'),
      render: (e) => (e.actorUserId ? <Typography.Link onClick={() => narrow({ actorUserId: e.actorUserId ?? undefined })}>{dash(e.actorName)}</Typography.Link> : <Tag>{t('audit.system')}</Tag>),
    },
    { key: 'action', title: t('audit.action'), render: (e) => <Typography.Text code>{e.action}</Typography.Text>, hideOnCard: true },
    {
      key: 'entity',
      title: t('audit.entity'),
      render: (e) => (
        <span>
          <Typography.Link onClick={() => narrow({ entityType: e.entityType })}>{e.entityType}</Typography.Link>
          {e.entityId ? (
            <Typography.Link onClick={() => narrow({ entityType: e.entityType, entityId: e.entityId ?? undefined })} style={{ marginInlineStart: 6, fontSize: 12 }}>
              {e.entityId.slice(0, 8)}…
            </Typography.Link>
          ) : null}
        </span>
      ),
    },
    { key: 'ip', title: t('audit.ip'), render: (e) => dash(e.ip) },
  ];

  return (
    <div data-testid="audit-page">
      <PageHeader title={t('audit.title')} sub={t('audit.subtitle')} extra={can('audit:verify') ? <VerifyChainButton onResult={setVerifyResult} /> : null} />
      {verifyResult ? <div style={{ marginBottom: 16 }}>{verifyResult}</div> : null}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form form={form} layout="vertical" onFinish={(v) => setFilter(toFilter(v))} data-testid="audit-filters">
          <Row gutter={12}>
            <Col xs={12} md={6} xl={4}>
              <Form.Item name="entityType" label={t('audit.entityType')}>
                <Input allowClear maxLength={100} placeholder="person" />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={5}>
              <Form.Item name="entityId" label={t('audit.entityId')}>
                <Input allowClear maxLength={100} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={4}>
              <Form.Item name="action" label={t('audit.actionPrefix')}>
                <Input allowClear maxLength={100} placeholder="org_unit." />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={5}>
              <Form.Item name="actorUserId" label={t('audit.actorId')} rules={[{ pattern: uuid, message: t('validation.uuid') }]}>
                <Input allowClear maxLength={36} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} xl={6}>
              <Form.Item name="range" label={t('audit.range')}>
                <DatePicker.RangePicker style={{ width: '100%' }} allowEmpty={[true, true]} />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={8} justify="end">
            <Col>
              <Button
                onClick={() => {
                  form.resetFields();
                  setFilter({});
                }}
              >
                {t('common.reset')}
              </Button>
            </Col>
            <Col>
              <Button type="primary" htmlType="submit" data-testid="audit-search">
                {t('common.search')}
              </Button>
            </Col>
          </Row>
        </Form>
      </Card>
      {audit.isError ? (
        <QueryError error={audit.error} onRetry={() => void audit.refetch()} />
      ) : (
        <DataView
          testId="audit-list"
          rows={rows}
          rowKey={(e) => e.id}
          columns={columns}
          loading={audit.isLoading}
          cardTitle={(e) => (
            <span>
              #{e.seq} <Typography.Text code>{e.action}</Typography.Text>
            </span>
          )}
          expand={(e) => <JsonDiff before={e.before} after={e.after} />}
          hasMore={audit.hasNextPage}
          loadingMore={audit.isFetchingNextPage}
          onLoadMore={() => void audit.fetchNextPage()}
        />
      )}
    </div>
  );
}
