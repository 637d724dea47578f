import { Badge, Card, Col, Empty, List, Row, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiUrl } from '../../api/client.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useLiveMap, useLiveMaps, type LiveMap } from './monitoringApi.ts';
import { TrendDrawer, type TrendTarget } from './TrendDrawer.tsx';
import { useIotStream } from './useIotStream.ts';

type LivePoint = LiveMap['areas'][number]['points'][number];

/** Marker colours by alarm state, the same meaning as the monitor's tags. */
const stateFill: Record<string, string> = { normal: '#52c41a', active_unack: '#f5222d', active_ack: '#fa8c16', cleared_unack: '#1677ff' };
const stateTag: Record<string, string> = { normal: 'green', active_unack: 'red', active_ack: 'orange', cleared_unack: 'blue' };
const fmt = (v: number | null, unit: string) => (v === null ? '—' : `${Math.round(v * 100) / 100}${unit ? ` ${unit}` : ''}`);

/** Live values on the site plan: every point at its area, coloured by its alarm state; a click opens its trend. */
export function LiveMapPage() {
  const { t } = useTranslation();
  const live = useIotStream();
  const maps = useLiveMaps();
  const [picked, setPicked] = useState<string | null>(null);
  const mapId = picked ?? maps.data?.items[0]?.id ?? null;
  const view = useLiveMap(mapId);
  const [trendOf, setTrendOf] = useState<string | null>(null);
  const open = (p: LivePoint) => setTrendOf(p.id);
  const v = view.data;
  // The drawer follows the live value of the plan (re-read every 5 s).
  const tp = v?.areas.flatMap((a) => a.points).find((p) => p.id === trendOf);
  const target: TrendTarget | null = tp ? { id: tp.id, name: tp.name, code: tp.code, unit: tp.unit, lastValue: tp.lastValue, lastTs: tp.lastTs } : null;
  const W = v?.map.width ?? 1;
  const H = v?.map.height ?? 1;
  const font = Math.max(12, Math.round(W / 80));

  return (
    <>
      <PageHeader
        title={t('iot.map.title')}
        sub={t('iot.map.sub')}
        extra={
          <Space wrap>
            <Badge status={live ? 'processing' : 'default'} text={live ? t('iot.monitor.live') : t('iot.monitor.notLive')} />
            <Select style={{ minWidth: 200 }} value={mapId ?? undefined} onChange={setPicked} options={(maps.data?.items ?? []).map((m) => ({ value: m.id, label: m.name }))} placeholder={t('iot.map.pick')} data-testid="iot-map-pick" />
          </Space>
        }
      />
      {maps.error ? (
        <QueryError error={maps.error} onRetry={() => void maps.refetch()} />
      ) : maps.data && maps.data.items.length === 0 ? (
        <Empty description={t('iot.map.noMaps')} />
      ) : view.error ? (
        <QueryError error={view.error} onRetry={() => void view.refetch()} />
      ) : !v ? (
        <Card loading />
      ) : (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={16}>
            <Card size="small" title={v.map.name} extra={v.unplaced ? <Typography.Text type="secondary">{t('iot.map.unplaced', { count: v.unplaced })}</Typography.Text> : null}>
              <svg viewBox={`0 0 ${W} ${H}`} style={{ width: '100%', height: 'auto', display: 'block', background: '#f5f5f5' }} data-testid="iot-live-map" role="img" aria-label={v.map.name}>
                {v.map.imageFileId ? <image href={apiUrl(`/files/${v.map.imageFileId}`)} x={0} y={0} width={W} height={H} preserveAspectRatio="none" /> : null}
                {v.areas.map((a) => (
                  <g key={a.id}>
                    <polygon points={a.polygon.map((p) => `${p[0]! * W},${p[1]! * H}`).join(' ')} fill={a.alarmState === 'normal' ? '#52c41a' : stateFill[a.alarmState]} fillOpacity={0.12} stroke="#595959" strokeWidth={Math.max(1, W / 600)} />
                    <text x={a.centroid[0]! * W} y={a.centroid[1]! * H - font * 2.2} textAnchor="middle" fontSize={font} fill="#262626">
                      {a.name}
                    </text>
                    {a.points.map((p) => (
                      <g key={p.id} onClick={() => open(p)} style={{ cursor: 'pointer' }} data-testid={`map-point-${p.code}`} data-state={p.alarmState}>
                        <circle cx={p.x * W} cy={p.y * H} r={font * 0.8} fill={stateFill[p.alarmState] ?? '#8c8c8c'} stroke="#fff" strokeWidth={2}>
                          {p.alarmState === 'active_unack' ? <animate attributeName="r" values={`${font * 0.8};${font * 1.1};${font * 0.8}`} dur="1.2s" repeatCount="indefinite" /> : null}
                        </circle>
                        <text x={p.x * W} y={p.y * H + font * 2} textAnchor="middle" fontSize={font * 0.85} fill="#000" stroke="#fff" strokeWidth={3} paintOrder="stroke">
                          {fmt(p.lastValue, p.unit)}
                        </text>
                        <title>{`${p.name} (${p.code}) ${fmt(p.lastValue, p.unit)}`}</title>
                      </g>
                    ))}
                  </g>
                ))}
              </svg>
            </Card>
          </Col>
          <Col xs={24} xl={8}>
            <Card size="small" title={t('iot.map.byArea')}>
              <List
                dataSource={v.areas.filter((a) => a.points.length > 0)}
                locale={{ emptyText: <Empty description={t('iot.map.noPoints')} /> }}
                data-testid="iot-area-list"
                renderItem={(a) => (
                  <List.Item key={a.id}>
                    <Space direction="vertical" size={4} style={{ width: '100%' }}>
                      <Space>
                        <Typography.Text strong>{a.name}</Typography.Text>
                        <Tag color={stateTag[a.alarmState]}>{t(`iot.state.${a.alarmState as 'normal'}`)}</Tag>
                      </Space>
                      {a.points.map((p) => (
                        <Space key={p.id} style={{ width: '100%', justifyContent: 'space-between', cursor: 'pointer' }} onClick={() => open(p)}>
                          <Typography.Text>
                            {p.name} <Typography.Text type="secondary">{p.code}</Typography.Text>
                          </Typography.Text>
                          <Space size={4}>
                            <Typography.Text strong>{fmt(p.lastValue, p.unit)}</Typography.Text>
                            {p.alarmState !== 'normal' ? <Tag color={stateTag[p.alarmState]}>{t(`iot.state.${p.alarmState as 'normal'}`)}</Tag> : null}
                            {p.deviceStatus === 'offline' ? <Tag>{t('iot.device.offline')}</Tag> : null}
                          </Space>
                        </Space>
                      ))}
                    </Space>
                  </List.Item>
                )}
              />
            </Card>
          </Col>
        </Row>
      )}
      <TrendDrawer point={target} onClose={() => setTrendOf(null)} />
    </>
  );
}
