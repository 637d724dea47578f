import { App, Button, Card, Col, Empty, Popconfirm, Progress, Row, Segmented, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { useApplySuggestion, useHealth, type HealthReport } from './monitoringApi.ts';
import { severityColour } from './TrendChart.tsx';

type Period = '24h' | '7d' | '30d';
const periodMs: Record<Period, number> = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
type Chattering = HealthReport['chattering'][number];

/** EEMUA 191 per-operator guidance: within target green, up to twice amber, beyond red. */
const rateColour = (v: number, target: number) => (v <= target ? '#389e0d' : v <= 2 * target ? '#d48806' : '#cf1322');

/** Alarm health (ISA-18.2 / EEMUA 191): load per operator, floods, bad actors and their suggested fixes. */
export function HealthPage() {
  const { t } = useTranslation();
  const [period, setPeriod] = useState<Period>('7d');
  const [area, setArea] = useState<string | null>(null);
  // Rounded to the minute so the query key (and the cache) stays put between renders.
  const from = useMemo(() => dayjs().startOf('minute').subtract(periodMs[period], 'ms').toISOString(), [period]);
  const health = useHealth(from, area);
  const h = health.data;

  return (
    <>
      <PageHeader
        title={t('iot.health.title')}
        sub={t('iot.health.sub')}
        extra={
          <Space wrap>
            <div style={{ minWidth: 220 }}>
              <OrgUnitSelect value={area ?? undefined} onChange={(v: string | undefined) => setArea(v ?? null)} allowClear placeholder={t('iot.health.allAreas')} />
            </div>
            <Segmented<Period>
              value={period}
              onChange={setPeriod}
              options={[
                { value: '24h', label: t('iot.health.period.24h') },
                { value: '7d', label: t('iot.health.period.7d') },
                { value: '30d', label: t('iot.health.period.30d') },
              ]}
            />
          </Space>
        }
      />
      {health.error ? (
        <QueryError error={health.error} onRetry={() => void health.refetch()} />
      ) : !h ? (
        <Card loading />
      ) : (
        <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="iot-health">
          <Row gutter={[16, 16]}>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('iot.health.activations')} value={h.activations} />
                <Typography.Text type="secondary">{t('iot.health.operators', { count: h.operators })}</Typography.Text>
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('iot.health.per10Min')} value={h.rates.avgPer10Min} precision={2} valueStyle={{ color: rateColour(h.rates.peakPer10Min, h.settings.targetPer10Min) }} data-testid="health-per10" />
                <Typography.Text type="secondary">{t('iot.health.peak', { value: h.rates.peakPer10Min, target: h.settings.targetPer10Min })}</Typography.Text>
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('iot.health.perHour')} value={h.rates.avgPerHour} precision={2} valueStyle={{ color: rateColour(h.rates.peakPerHour, h.settings.targetPerHour) }} />
                <Typography.Text type="secondary">{t('iot.health.peak', { value: h.rates.peakPerHour, target: h.settings.targetPerHour })}</Typography.Text>
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('iot.health.floods')} value={h.floods.count} valueStyle={{ color: h.floods.count ? '#cf1322' : undefined }} data-testid="health-floods" />
                <Typography.Text type="secondary">{t('iot.health.inFlood', { pct: h.floods.pctTimeInFlood, count: h.settings.floodCount, minutes: h.settings.floodWindowMin })}</Typography.Text>
              </Card>
            </Col>
          </Row>
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('iot.health.priority')}>
                {h.priority.groups.map((g) => (
                  <div key={g.group} style={{ marginBottom: 8 }}>
                    <Space style={{ width: '100%', justifyContent: 'space-between' }}>
                      <Typography.Text>{t(`iot.health.group.${g.group as 'high' | 'medium' | 'low'}`)}</Typography.Text>
                      <Typography.Text type="secondary">{t('iot.health.pctVsTarget', { count: g.count, pct: g.pct, target: g.targetPct })}</Typography.Text>
                    </Space>
                    <Progress percent={g.pct} success={{ percent: Math.min(g.pct, g.targetPct) }} showInfo={false} size="small" />
                  </div>
                ))}
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('iot.health.others')}>
                <Space wrap size={24}>
                  <Statistic title={t('iot.health.chattering', { count: h.settings.chatterCount, seconds: h.settings.chatterWindowS })} value={h.chattering.length} />
                  <Statistic title={t('iot.health.fleeting', { seconds: h.settings.fleetingS })} value={h.fleeting.count} />
                  <Statistic title={t('iot.health.stale', { hours: h.settings.staleHours })} value={h.stale.count} />
                </Space>
              </Card>
            </Col>
          </Row>
          <ChatteringCard items={h.chattering} />
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('iot.health.top')}>
                <Table
                  size="small"
                  rowKey={(r) => `${r.pointId}:${r.ruleId}`}
                  pagination={false}
                  dataSource={h.topContributors}
                  locale={{ emptyText: <Empty description={t('iot.health.none')} /> }}
                  columns={[
                    { title: t('iot.monitor.point'), render: (_, r) => `${r.pointName ?? '—'} (${r.pointCode ?? '—'})` },
                    { title: t('iot.health.kind'), render: (_, r) => <Tag color={severityColour[r.severity]}>{t(`iot.kind.${r.kind as 'high'}`)}</Tag> },
                    { title: t('iot.health.activations'), dataIndex: 'activations', align: 'right' },
                    { title: '%', dataIndex: 'pct', align: 'right' },
                  ]}
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('iot.health.staleList', { hours: h.settings.staleHours })}>
                <Table
                  size="small"
                  rowKey="alarmId"
                  pagination={false}
                  dataSource={h.stale.items}
                  locale={{ emptyText: <Empty description={t('iot.health.none')} /> }}
                  columns={[
                    { title: t('iot.monitor.point'), render: (_, r) => `${r.pointName ?? '—'} (${r.pointCode ?? '—'})` },
                    { title: t('iot.monitor.raisedAt'), render: (_, r) => dayjs(r.raisedAt).format('MM-DD HH:mm') },
                    { title: t('iot.health.hours'), dataIndex: 'hours', align: 'right' },
                  ]}
                />
              </Card>
            </Col>
          </Row>
          <Typography.Paragraph type="secondary">{t('iot.health.definitions')}</Typography.Paragraph>
        </Space>
      )}
    </>
  );
}

/** Chattering points with the deadband / on-delay their history suggests, applied only by a person. */
function ChatteringCard({ items }: { items: Chattering[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const onError = useApiError();
  const apply = useApplySuggestion();
  const canConfigure = useCan().can('iot:configure');
  const run = (c: Chattering, patch: { deadband: number } | { onDelayS: number }) =>
    apply.mutate({ ruleId: c.ruleId, version: c.rule!.version, patch }, { onSuccess: () => void message.success(t('iot.health.applied')), onError: (e) => onError(e) });
  return (
    <Card size="small" title={t('iot.health.chatteringList')}>
      <Table<Chattering>
        size="small"
        rowKey={(r) => `${r.pointId}:${r.ruleId}`}
        pagination={false}
        dataSource={items}
        data-testid="health-chattering"
        locale={{ emptyText: <Empty description={t('iot.health.noChattering')} /> }}
        scroll={{ x: true }}
        columns={[
          { title: t('iot.monitor.point'), render: (_, r) => `${r.pointName ?? '—'} (${r.pointCode ?? '—'})` },
          { title: t('iot.health.rule'), render: (_, r) => (r.rule ? `${t(`iot.kind.${r.kind as 'high'}`)} ${r.rule.limit ?? ''} · ${t('iot.health.deadband')} ${r.rule.deadband} · ${t('iot.health.onDelay')} ${r.rule.onDelayS}s` : '—') },
          { title: t('iot.health.activations'), render: (_, r) => `${r.activations} (${t('iot.health.maxInWindow', { count: r.maxInWindow })})` },
          {
            title: t('iot.health.suggestion'),
            render: (_, r) => {
              const s = r.suggestion;
              if (!s || !r.rule) return '—';
              const confirmText = r.rule.perPoint ? t('iot.health.confirm') : t('iot.health.confirmType');
              const button = (label: string, patch: { deadband: number } | { onDelayS: number }, recommended: boolean, testId: string) => (
                <Popconfirm title={confirmText} onConfirm={() => run(r, patch)} okText={t('iot.health.apply')} disabled={!canConfigure}>
                  <Tooltip title={canConfigure ? null : t('iot.health.needConfigure')}>
                    <Button size="small" type={recommended ? 'primary' : 'default'} disabled={!canConfigure} loading={apply.isPending && apply.variables?.ruleId === r.ruleId} data-testid={testId}>
                      {label}
                    </Button>
                  </Tooltip>
                </Popconfirm>
              );
              return (
                <Space wrap size={4}>
                  {s.deadband !== null ? button(t('iot.health.applyDeadband', { value: s.deadband }), { deadband: s.deadband }, s.recommended === 'deadband', `apply-deadband-${r.pointCode ?? r.pointId}`) : null}
                  {s.onDelayS !== null ? button(t('iot.health.applyOnDelay', { value: s.onDelayS }), { onDelayS: s.onDelayS }, s.recommended === 'onDelay', `apply-ondelay-${r.pointCode ?? r.pointId}`) : null}
                </Space>
              );
            },
          },
        ]}
      />
    </Card>
  );
}
