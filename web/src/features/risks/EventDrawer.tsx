import { Alert, Button, Card, Descriptions, Drawer, Empty, Flex, Space, Spin, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { QueryError } from '../../shared/QueryError.tsx';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { useRiskEvent, type EventDetailT } from './api.ts';
import { AssessDialog } from './AssessDialog.tsx';
import { LevelTag } from './labels.tsx';

type Assessment = EventDetailT['assessments'][number];

const day = (iso: string | null) => (iso ? dayjs(iso).format('YYYY-MM-DD') : '—');

/** One risk event: where it is, its current risk, its control measures and its assessments. */
export function EventDrawer({ eventId, onClose }: { eventId: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { can } = useCan();
  const q = useRiskEvent(eventId);
  const isPhone = useIsPhone();
  const [assessing, setAssessing] = useState(false);
  const e = q.data;
  const due = e?.reassessDueAt ? dayjs(e.reassessDueAt).isBefore(dayjs()) : false;
  return (
    <Drawer
      open={eventId !== null}
      onClose={onClose}
      size={isPhone ? '100%' : 720}
      title={e?.name ?? ' '}
      data-testid="risk-event-drawer"
      extra={
        e && can('risk:assess') && !e.archivedAt ? (
          <Button type="primary" onClick={() => setAssessing(true)} data-testid="risk-assess-open">
            {t('risks.event.assess')}
          </Button>
        ) : null
      }
    >
      {q.isLoading ? (
        <Spin />
      ) : q.error ? (
        <QueryError error={q.error} onRetry={() => void q.refetch()} />
      ) : e ? (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('risks.event.current')}>
              <Space wrap>
                <LevelTag level={e.currentLevel} colour={e.currentColour} score={e.currentScore} />
                {e.currentKind ? <Tag>{t(`risks.kind.${e.currentKind}`)}</Tag> : null}
                {due ? <Tag color="warning">{t('risks.register.due')}</Tag> : null}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('risks.event.controlLevels')}>{e.currentControlLevels.map((c) => t(`risks.controlLevel.${c}`)).join('、') || '—'}</Descriptions.Item>
            <Descriptions.Item label={t('risks.event.responsible')}>{e.unit?.orgUnitName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('risks.event.person')}>{e.unit?.responsiblePersonName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('risks.event.consequences')}>{e.consequences ?? '—'}</Descriptions.Item>
            {e.description ? <Descriptions.Item label={t('risks.event.description')}>{e.description}</Descriptions.Item> : null}
            <Descriptions.Item label={t('risks.event.assessedAt')}>{day(e.assessedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('risks.event.dueAt')}>{day(e.reassessDueAt)}</Descriptions.Item>
          </Descriptions>
          {e.openRequests.length > 0 ? (
            <Alert type="warning" showIcon title={t('risks.event.requests')} description={e.openRequests.map((r) => `${day(r.requestedAt)} ${r.reason}`).join('；')} />
          ) : null}
          <div>
            <Typography.Title level={5}>{t('risks.event.measures')}</Typography.Title>
            {e.measures.filter((m) => !m.archivedAt).length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> : null}
            <Flex vertical gap={8}>
              {e.measures
                .filter((m) => !m.archivedAt)
                .map((m) => (
                  <Card key={m.id} size="small" data-testid="risk-measure">
                    <Space orientation="vertical" size={2}>
                      <Typography.Text>{m.description}</Typography.Text>
                      <Typography.Text type="secondary">
                        {t('risks.event.check')}：{m.troubleshootContent} · {t('risks.event.cycle', { n: m.checkCycle, unit: t(`risks.cycleUnit.${m.checkCycleUnit}`), days: t(`risks.workDay.${m.workDayType}`) })}
                      </Typography.Text>
                      <Typography.Text type="secondary">
                        {t('risks.event.measureOwner')}：{[m.orgUnitName, m.responsiblePositionName, m.responsiblePersonName].filter(Boolean).join(' / ') || '—'}
                      </Typography.Text>
                    </Space>
                  </Card>
                ))}
            </Flex>
          </div>
          <div>
            <Typography.Title level={5}>{t('risks.event.history')}</Typography.Title>
            <Table<Assessment>
              size="small"
              rowKey="id"
              dataSource={e.assessments}
              pagination={false}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: t('risks.event.noAssessment') }}
              columns={[
                { key: 'at', title: t('risks.event.assessedAt'), render: (_: unknown, a) => day(a.assessedAt) },
                { key: 'kind', title: t('risks.assess.kind'), render: (_: unknown, a) => t(`risks.kind.${a.kind}`) },
                { key: 'factors', title: t('risks.config.factors'), render: (_: unknown, a) => `${a.methodCode.toUpperCase()} ${a.factors.map((f) => `${f.key}=${f.value}`).join(' ')}` },
                { key: 'level', title: t('risks.event.score'), render: (_: unknown, a) => <LevelTag level={a.level} colour={a.colour} score={a.score} /> },
                { key: 'by', title: t('risks.event.by'), render: (_: unknown, a) => a.assessedByName ?? '—' },
              ]}
            />
          </div>
          <AssessDialog event={e} open={assessing} onClose={() => setAssessing(false)} />
        </Space>
      ) : null}
    </Drawer>
  );
}

