import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, type GridComponentOption, type LegendComponentOption, type TooltipComponentOption } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only the parts the figures page draws, so its chunk stays far smaller than the whole of echarts.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

/**
 * One ECharts canvas that follows its container's width (phone ↔ desktop). A few lines over echarts/core
 * instead of echarts-for-react, whose build imports `tslib` without declaring it as a dependency.
 */
export function Chart({ option, height, testId }: { option: ChartOption; height: number; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const latest = useRef(option);
  latest.current = option;
  // Options are rebuilt on every render; redraw only when their data (not their identity) changes.
  const key = JSON.stringify(option);

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

  return <div ref={el} data-testid={testId} style={{ width: '100%', height }} />;
}
