import { Drawer, Empty, Segmented, Space, Spin, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryError } from '../../shared/QueryError.tsx';
import { useTrend, type TrendRange } from './monitoringApi.ts';
import { severityColour, TrendChart } from './TrendChart.tsx';

export interface TrendTarget {
  id: string;
  name: string;
  code: string;
  unit: string;
  lastValue: number | null;
  lastTs: string | null;
}

/** The trend of one point in a drawer (from the monitor's point list and from the live map). */
export function TrendDrawer({ point, onClose }: { point: TrendTarget | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [range, setRange] = useState<TrendRange>('1h');
  const trend = useTrend(point?.id ?? null, range);
  const live = point && point.lastValue !== null && point.lastTs ? { ts: point.lastTs, value: point.lastValue } : null;
  return (
    <Drawer open={point !== null} onClose={onClose} width={Math.min(860, typeof window === 'undefined' ? 860 : window.innerWidth)} title={point ? `${point.name}（${point.code}）` : ''} destroyOnHidden>
      <Space direction="vertical" style={{ width: '100%' }} size={12} data-testid="iot-trend">
        <Segmented<TrendRange>
          value={range}
          onChange={setRange}
          options={[
            { value: '1h', label: t('iot.trend.range.1h') },
            { value: '24h', label: t('iot.trend.range.24h') },
            { value: '7d', label: t('iot.trend.range.7d') },
          ]}
          data-testid="iot-trend-range"
        />
        {trend.error ? (
          <QueryError error={trend.error} onRetry={() => void trend.refetch()} />
        ) : !trend.data ? (
          <Spin />
        ) : trend.data.items.length === 0 && !live ? (
          <Empty description={t('iot.trend.empty')} />
        ) : (
          <TrendChart trend={trend.data} unit={point?.unit ?? ''} live={range === '7d' ? null : live} />
        )}
        {trend.data?.thresholds.length ? (
          <Space wrap size={4}>
            <Typography.Text type="secondary">{t('iot.trend.thresholds')}</Typography.Text>
            {trend.data.thresholds.map((th) => (
              <Tag key={th.ruleId} color={severityColour[th.severity]}>
                {t(`iot.kind.${th.kind}`)} {th.limit}
                {th.deadband ? ` (±${th.deadband})` : ''}
              </Tag>
            ))}
          </Space>
        ) : null}
      </Space>
    </Drawer>
  );
}
