import { Badge, Card, Col, Empty, List, Row, Space, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useCan } from '../../app/session.ts';
import { AlarmActions } from './AlarmActions.tsx';
import { LinkageButton } from './LinkagePanel.tsx';
import { useOpenAlarms, usePoints, type Alarm, type Point } from './api.ts';
import { TrendDrawer } from './TrendDrawer.tsx';
import { useIotStream } from './useIotStream.ts';

const severityColor: Record<Alarm['severity'], string> = { critical: 'red', major: 'volcano', minor: 'orange', warning: 'gold' };
const stateColor: Record<Point['alarmState'], string> = { normal: 'green', active_unack: 'red', active_ack: 'orange', cleared_unack: 'blue' };

const fmt = (v: number | null, unit: string | null) => (v === null ? '—' : `${Math.round(v * 1000) / 1000}${unit ? ` ${unit}` : ''}`);

/** The monitoring screen: every point's live value and status, and the alarm console beside it. */
export function MonitorPage() {
  const { t } = useTranslation();
  const live = useIotStream();
  const points = usePoints();
  const alarms = useOpenAlarms();
  const canHandle = useCan().can('iot:alarm');
  const [trendOf, setTrendOf] = useState<string | null>(null);
  const trendPoint = points.data?.items.find((p) => p.id === trendOf) ?? null;

  return (
    <>
      <PageHeader title={t('iot.monitor.title')} sub={t('iot.monitor.sub')} extra={<Badge status={live ? 'processing' : 'default'} text={live ? t('iot.monitor.live') : t('iot.monitor.notLive')} data-testid="iot-live" />} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card title={t('iot.monitor.points')} size="small">
            {points.error ? (
              <QueryError error={points.error} onRetry={() => void points.refetch()} />
            ) : (
              <Table<Point>
                size="small"
                rowKey="id"
                loading={points.isLoading}
                dataSource={points.data?.items ?? []}
                pagination={{ pageSize: 50, hideOnSinglePage: true }}
                data-testid="iot-points"
                // A row opens the point's trend (thresholds drawn, alarm periods shaded).
                onRow={(p) => ({ onClick: () => setTrendOf(p.id), style: { cursor: 'pointer' }, 'data-testid': `point-row-${p.code}` })}
                columns={[
                  { title: t('iot.monitor.point'), render: (_, p) => <Space direction="vertical" size={0}><Typography.Text strong>{p.name}</Typography.Text><Typography.Text type="secondary">{p.code}</Typography.Text></Space> },
                  { title: t('iot.monitor.value'), align: 'right', render: (_, p) => <Typography.Text strong data-testid={`point-value-${p.code}`}>{fmt(p.lastValue, p.unit)}</Typography.Text> },
                  { title: t('iot.monitor.status'), render: (_, p) => <Space size={4} wrap><Tag color={stateColor[p.alarmState]}>{t(`iot.state.${p.alarmState}`)}</Tag>{p.deviceStatus === 'offline' ? <Tag>{t('iot.device.offline')}</Tag> : null}</Space> },
                  { title: t('iot.monitor.updated'), render: (_, p) => (p.lastTs ? dayjs(p.lastTs).format('HH:mm:ss') : '—') },
                ]}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title={t('iot.monitor.alarms')} size="small">
            {alarms.error ? (
              <QueryError error={alarms.error} onRetry={() => void alarms.refetch()} />
            ) : (
              <List<Alarm>
                loading={alarms.isLoading}
                dataSource={alarms.data?.items ?? []}
                locale={{ emptyText: <Empty description={t('iot.monitor.noAlarms')} /> }}
                data-testid="iot-alarms"
                renderItem={(a) => (
                  <List.Item key={a.id} data-testid={`alarm-${a.id}`}>
                    <Space direction="vertical" size={4} style={{ width: '100%' }}>
                      <Space wrap size={4}>
                        <Tag color={severityColor[a.severity]}>{t(`iot.severity.${a.severity}`)}</Tag>
                        <Typography.Text strong>
                          {a.pointName} · {t(`iot.kind.${a.kind}`)}
                        </Typography.Text>
                        <Tag data-testid={`alarm-state-${a.id}`}>{t(`iot.state.${a.state}`)}</Tag>
                        {a.shelvedUntil ? <Tag color="purple">{t('iot.monitor.shelvedUntil', { time: dayjs(a.shelvedUntil).format('MM-DD HH:mm') })}</Tag> : null}
                      </Space>
                      <Typography.Text type="secondary">
                        {t('iot.monitor.raisedAt')} {dayjs(a.raisedAt).format('MM-DD HH:mm:ss')} · {t('iot.monitor.value')} {fmt(a.lastValue, a.unit)} · {t('iot.monitor.limit')} {fmt(a.limit, a.kind === 'no_data' ? 's' : a.unit)} · {t('iot.monitor.peak')} {fmt(a.peakValue, a.unit)}
                      </Typography.Text>
                      <Space wrap size={4}>
                        {canHandle ? <AlarmActions alarm={a} /> : null}
                        <LinkageButton alarmId={a.id} />
                      </Space>
                    </Space>
                  </List.Item>
                )}
              />
            )}
          </Card>
        </Col>
      </Row>
      <TrendDrawer point={trendPoint} onClose={() => setTrendOf(null)} />
    </>
  );
}
