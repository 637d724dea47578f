import { LineChart, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent, type GridComponentOption, type MarkAreaComponentOption, type MarkLineComponentOption, type TooltipComponentOption } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import dayjs from 'dayjs';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Trend } from './monitoringApi.ts';

// Only what the trend draws, so the monitoring chunk stays small.
echarts.use([LineChart, GridComponent, TooltipComponent, MarkLineComponent, MarkAreaComponent, CanvasRenderer]);

type Option = echarts.ComposeOption<LineSeriesOption | GridComponentOption | TooltipComponentOption | MarkLineComponentOption | MarkAreaComponentOption>;

/** Severity colours of the alarm console (AntD red / volcano / orange / gold), so a line reads like its tag. */
export const severityColour: Record<string, string> = { critical: '#cf1322', major: '#d4380d', minor: '#d46b08', warning: '#d4b106' };
const kindShort: Record<string, string> = { high_high: 'HH', high: 'H', low: 'L', low_low: 'LL' };

export function trendOption(trend: Trend, unit: string, live: { ts: string; value: number } | null, labels: { value: string; min: string; max: string }): Option {
  const data: [number, number][] = trend.items.map((i) => [Date.parse(i.ts), i.value]);
  // The live value of the points list (5 s) extends the line between two reads of the series.
  if (live && (data.length === 0 || Date.parse(live.ts) > data[data.length - 1]![0])) data.push([Date.parse(live.ts), live.value]);
  const band = trend.bucketMs > 0 || trend.grain !== 'raw';
  const limits = trend.thresholds.map((th) => th.limit);
  const values = data.map((d) => d[1]);
  const lo = Math.min(...values, ...limits);
  const hi = Math.max(...values, ...limits);
  const pad = (hi - lo || 1) * 0.08;
  return {
    animation: false,
    grid: { left: 48, right: 56, top: 16, bottom: 28 },
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${typeof v === 'number' ? Math.round(v * 1000) / 1000 : String(v)} ${unit}` },
    xAxis: { type: 'time', min: Date.parse(trend.from), max: Date.parse(trend.to), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', min: Math.floor((lo - pad) * 100) / 100, max: Math.ceil((hi + pad) * 100) / 100, name: unit, nameGap: 8 },
    series: [
      {
        type: 'line',
        name: labels.value,
        data,
        showSymbol: data.length < 60,
        lineStyle: { width: 1.5, color: '#1677ff' },
        itemStyle: { color: '#1677ff' },
        markLine: {
          symbol: 'none',
          silent: true,
          data: trend.thresholds.map((th) => ({
            yAxis: th.limit,
            name: th.name,
            lineStyle: { color: severityColour[th.severity] ?? '#999', type: th.kind === 'high_high' || th.kind === 'low_low' ? 'solid' : 'dashed', width: 1.5 },
            label: { formatter: `${kindShort[th.kind] ?? th.kind} ${th.limit}`, color: severityColour[th.severity] ?? '#999', position: 'end' },
          })),
        },
        markArea: {
          silent: true,
          data: trend.alarms.map((a) => [
            { xAxis: Date.parse(a.start), itemStyle: { color: severityColour[a.severity] ?? '#f5222d', opacity: a.open ? 0.18 : 0.1 } },
            { xAxis: Date.parse(a.end) },
          ]),
        },
      },
      // Min and max of each bucket: a spike shorter than a bucket stays visible as the band's edge.
      ...(band
        ? ([
            { type: 'line', name: labels.min, data: trend.items.map((i) => [Date.parse(i.ts), i.min]), showSymbol: false, lineStyle: { width: 0.5, color: '#91caff' }, itemStyle: { color: '#91caff' } },
            { type: 'line', name: labels.max, data: trend.items.map((i) => [Date.parse(i.ts), i.max]), showSymbol: false, lineStyle: { width: 0.5, color: '#91caff' }, itemStyle: { color: '#91caff' } },
          ] satisfies LineSeriesOption[])
        : []),
    ],
  };
}

/** The trend of one point with its thresholds (H/HH/L/LL in their severity colours) and alarm periods shaded. */
export function TrendChart({ trend, unit, live, height = 280 }: { trend: Trend; unit: string; live: { ts: string; value: number } | null; height?: number }) {
  const { t } = useTranslation();
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const option = trendOption(trend, unit, live, { value: t('iot.trend.value'), min: t('iot.trend.min'), max: t('iot.trend.max') });
  const latest = useRef(option);
  latest.current = option;
  const key = JSON.stringify([trend.items.length, trend.items.at(-1), trend.thresholds, trend.alarms, live, trend.from]);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.setOption(latest.current, { notMerge: true });
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(el.current);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(latest.current, { notMerge: true, lazyUpdate: true });
  }, [key]);

  return (
    <div>
      <div ref={el} data-testid="iot-trend-chart" data-thresholds={trend.thresholds.map((th) => `${kindShort[th.kind] ?? th.kind}:${th.limit}`).join(',')} data-alarms={trend.alarms.length} style={{ width: '100%', height }} />
      <div style={{ fontSize: 12, color: '#8c8c8c' }}>{t('iot.trend.resolution', { grain: t(`iot.trend.grain.${trend.grain}`), count: trend.items.length, time: dayjs(trend.to).format('HH:mm:ss') })}</div>
    </div>
  );
}
