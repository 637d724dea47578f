import { FilterOutlined } from '@ant-design/icons';
import { Button, Card, Col, DatePicker, Flex, Form, Row, Segmented, Select, Statistic, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useCan } from '../../app/session.ts';
import { DataView, type DataColumn } from '../../shared/DataView.tsx';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { hazardLevels, useFigures, useHazardConfig, type FigureRow, type FiguresFilter, type FiguresGroupBy, type HazardLevel } from './api.ts';
import { Chart, type ChartOption } from './Chart.tsx';
import { formatHours, formatRate, useDictLabel } from './labels.ts';
import { LeaderboardCard } from './LeaderboardCard.tsx';

type Period = '30d' | '90d' | '12m' | 'year' | 'custom';
const DAY_FORMAT = 'YYYY-MM-DD';

function periodRange(p: Exclude<Period, 'custom'>): [Dayjs, Dayjs] {
  const today = dayjs();
  if (p === '30d') return [today.subtract(29, 'day'), today];
  if (p === '90d') return [today.subtract(89, 'day'), today];
  if (p === 'year') return [today.startOf('year'), today];
  return [today.subtract(11, 'month').startOf('month'), today];
}

// Palette shared by the charts: open blue, overdue red, closed green (the ledger's status colours).
const COLORS = { open: '#1f5fbf', overdue: '#cf1322', closed: '#389e0d', respond: '#d48806', close: '#1f5fbf', onTime: '#389e0d', rework: '#cf1322' };

/**
 * Hazard figures (issue 4): open / overdue, on-time rectification, mean time to respond and to close,
 * rework — for a period, per responsible department or per month — and the monthly points leaderboard.
 * Everything is narrowed by the reader's data scope on the server.
 */
export function HazardFiguresPage() {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const { can } = useCan();
  const config = useHazardConfig();
  const label = useDictLabel();
  const [period, setPeriod] = useState<Period>('12m');
  const [custom, setCustom] = useState<[Dayjs, Dayjs]>(() => periodRange('12m'));
  const [groupBy, setGroupBy] = useState<FiguresGroupBy>('department');
  const [level, setLevel] = useState<HazardLevel | undefined>();
  const [category, setCategory] = useState<string | undefined>();
  const [departmentId, setDepartmentId] = useState<string | undefined>();
  const [moreFilters, setMoreFilters] = useState(false);

  const [from, to] = period === 'custom' ? custom : periodRange(period);
  // The query key hashes by value, so a new object per render is the same query.
  const filter: FiguresFilter = { from: from.format(DAY_FORMAT), to: to.format(DAY_FORMAT), groupBy, level, category, departmentId };
  const figures = useFigures(filter);
  const units = { m: t('hazardAdmin.units.m'), h: t('hazardAdmin.units.h'), d: t('hazardAdmin.units.d') };
  const levelLabel = (l: HazardLevel) => label(config.data?.levels.find((x) => x.code === l), t(`hazardAdmin.levels.${l}`));

  const groups = figures.data?.groups ?? [];
  const groupName = (g: FigureRow) => g.label ?? (groupBy === 'department' ? t('hazardAdmin.figures.noDepartment') : (g.key ?? '—'));
  const total = figures.data?.total;

  // echarts-for-react compares options by value, so building them on each render redraws only on change.
  const names = groups.map(groupName);
  const countsOption = countsChart(names, groups, groupBy, t);
  const ratesOption = ratesChart(names, groups, groupBy, t);
  const hoursOption = hoursChart(names, groups, groupBy, t);
  // Department names are long: horizontal bars, one row per department, on every screen.
  const chartHeight = groupBy === 'department' ? Math.max(220, groups.length * (isPhone ? 44 : 36) + 90) : isPhone ? 260 : 300;

  const columns: DataColumn<FigureRow>[] = [
    { key: 'group', title: groupBy === 'department' ? t('hazardAdmin.figures.department') : t('hazardAdmin.figures.month'), render: groupName },
    { key: 'reported', title: t('hazardAdmin.figures.reported'), render: (r) => r.reported },
    { key: 'open', title: t('hazardAdmin.figures.open'), render: (r) => r.open },
    { key: 'overdue', title: t('hazardAdmin.figures.overdue'), render: (r) => (r.overdue > 0 ? <Typography.Text type="danger">{r.overdue}</Typography.Text> : 0) },
    { key: 'closed', title: t('hazardAdmin.figures.closed'), render: (r) => r.closed },
    { key: 'onTime', title: t('hazardAdmin.figures.onTimeRate'), render: (r) => formatRate(r.onTimeRate) },
    { key: 'respond', title: t('hazardAdmin.figures.meanRespond'), render: (r) => formatHours(r.meanHoursToRespond, units) },
    { key: 'close', title: t('hazardAdmin.figures.meanClose'), render: (r) => formatHours(r.meanHoursToClose, units) },
    { key: 'rework', title: t('hazardAdmin.figures.reworkRate'), render: (r) => formatRate(r.reworkRate) },
  ];

  const periodSelect = (
    <Select<Period>
      value={period}
      onChange={setPeriod}
      style={{ minWidth: 150, width: '100%' }}
      options={(['30d', '90d', '12m', 'year', 'custom'] as const).map((p) => ({ value: p, label: t(`hazardAdmin.figures.periods.${p}`) }))}
      data-testid="figures-period"
    />
  );
  const rangePicker = (
    <DatePicker.RangePicker
      value={custom}
      allowClear={false}
      onChange={(v) => {
        if (v?.[0] && v[1]) setCustom([v[0], v[1]]);
      }}
      style={{ width: isPhone ? '100%' : undefined }}
    />
  );
  const groupSwitch = (
    <Segmented<FiguresGroupBy>
      value={groupBy}
      onChange={setGroupBy}
      options={[
        { value: 'department', label: <span data-testid="figures-by-department">{t('hazardAdmin.figures.byDepartment')}</span> },
        { value: 'month', label: <span data-testid="figures-by-month">{t('hazardAdmin.figures.byMonth')}</span> },
      ]}
    />
  );
  const levelSelect = (
    <Select<HazardLevel>
      allowClear
      value={level}
      onChange={(v) => setLevel(v ?? undefined)}
      placeholder={t('hazardAdmin.figures.all')}
      style={{ minWidth: 120 }}
      options={hazardLevels.map((l) => ({ value: l, label: levelLabel(l) }))}
    />
  );
  const categorySelect = (
    <Select<string>
      allowClear
      value={category}
      onChange={(v) => setCategory(v ?? undefined)}
      placeholder={t('hazardAdmin.figures.all')}
      style={{ minWidth: 140 }}
      options={(config.data?.categories ?? []).map((c) => ({ value: c.code, label: label(c) }))}
    />
  );
  // The unit picker needs the org tree (org:read); contractors read figures without it.
  const departmentSelect = can('org:read') && <OrgUnitSelect allowClear value={departmentId} onChange={setDepartmentId} placeholder={t('hazardAdmin.figures.all')} testId="figures-department" />;

  if (figures.isError && !figures.data) return <QueryError error={figures.error} onRetry={() => void figures.refetch()} />;
  const stat = (key: string, title: string, value: string | number, danger = false) => (
    <Col xs={12} sm={8} lg={6} xxl={3} key={key}>
      <Card size="small" data-testid={`figure-${key}`}>
        <Statistic title={title} value={value} loading={figures.isLoading} styles={{ content: danger ? { color: COLORS.overdue } : undefined }} />
      </Card>
    </Col>
  );

  return (
    <div data-testid="hazard-figures-page">
      <PageHeader title={t('hazardAdmin.figures.title')} sub={t('hazardAdmin.figures.subtitle', { from: from.format(DAY_FORMAT), to: to.format(DAY_FORMAT) })} />
      <Card size="small" style={{ marginBottom: 16 }} data-testid="figures-filters">
        {isPhone ? (
          // A phone shows the two choices people change most; the rest opens on demand.
          <Flex vertical gap={12}>
            <Flex gap={8} align="center">
              <div style={{ flex: 1, minWidth: 0 }}>{periodSelect}</div>
              {groupSwitch}
            </Flex>
            {period === 'custom' ? rangePicker : null}
            <Button onClick={() => setMoreFilters(!moreFilters)} icon={<FilterOutlined />} data-testid="figures-more-filters">
              {t('hazardAdmin.figures.moreFilters', { count: [level, category, departmentId].filter(Boolean).length })}
            </Button>
            {moreFilters ? (
              <Form layout="vertical">
                <Form.Item label={t('hazardAdmin.figures.level')}>{levelSelect}</Form.Item>
                <Form.Item label={t('hazardAdmin.figures.category')} style={departmentSelect ? undefined : { marginBottom: 0 }}>
                  {categorySelect}
                </Form.Item>
                {departmentSelect ? (
                  <Form.Item label={t('hazardAdmin.figures.department')} style={{ marginBottom: 0 }}>
                    {departmentSelect}
                  </Form.Item>
                ) : null}
              </Form>
            ) : null}
          </Flex>
        ) : (
          <Form layout="inline" style={{ rowGap: 12 }}>
            <Form.Item label={t('hazardAdmin.figures.period')}>{periodSelect}</Form.Item>
            {period === 'custom' ? <Form.Item label={t('hazardAdmin.figures.range')}>{rangePicker}</Form.Item> : null}
            <Form.Item label={t('hazardAdmin.figures.groupBy')}>{groupSwitch}</Form.Item>
            <Form.Item label={t('hazardAdmin.figures.level')}>{levelSelect}</Form.Item>
            <Form.Item label={t('hazardAdmin.figures.category')}>{categorySelect}</Form.Item>
            {departmentSelect ? (
              <Form.Item label={t('hazardAdmin.figures.department')} style={{ minWidth: 220 }}>
                {departmentSelect}
              </Form.Item>
            ) : null}
          </Form>
        )}
      </Card>

      <Row gutter={[12, 12]} style={{ marginBottom: 16 }} data-testid="figures-totals">
        {stat('reported', t('hazardAdmin.figures.reported'), total?.reported ?? 0)}
        {stat('open', t('hazardAdmin.figures.open'), total?.open ?? 0)}
        {stat('overdue', t('hazardAdmin.figures.overdue'), total?.overdue ?? 0, (total?.overdue ?? 0) > 0)}
        {stat('closed', t('hazardAdmin.figures.closed'), total?.closed ?? 0)}
        {stat('onTime', t('hazardAdmin.figures.onTimeRate'), formatRate(total?.onTimeRate))}
        {stat('respond', t('hazardAdmin.figures.meanRespond'), formatHours(total?.meanHoursToRespond, units))}
        {stat('close', t('hazardAdmin.figures.meanClose'), formatHours(total?.meanHoursToClose, units))}
        {stat('rework', t('hazardAdmin.figures.reworkRate'), formatRate(total?.reworkRate))}
      </Row>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t('hazardAdmin.figures.countsChart')} size="small">
            {groups.length ? <Chart option={countsOption} height={chartHeight} testId="chart-counts" /> : <NoData />}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('hazardAdmin.figures.ratesChart')} size="small">
            {groups.length ? <Chart option={ratesOption} height={chartHeight} testId="chart-rates" /> : <NoData />}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('hazardAdmin.figures.hoursChart')} size="small">
            {groups.length ? <Chart option={hoursOption} height={chartHeight} testId="chart-hours" /> : <NoData />}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <LeaderboardCard />
        </Col>
        <Col xs={24}>
          <Card title={t('hazardAdmin.figures.table')} size="small">
            <DataView<FigureRow> rows={groups} rowKey={(r) => r.key ?? '__none__'} columns={columns} loading={figures.isLoading} testId="figures-list" />
          </Card>
        </Col>
      </Row>
    </div>
  );
}

function NoData() {
  const { t } = useTranslation();
  return (
    <Flex justify="center" style={{ padding: 32 }}>
      <Typography.Text type="secondary">{t('hazardAdmin.figures.noData')}</Typography.Text>
    </Flex>
  );
}

type T = TFunction<'translation'>;

/** Category axis and value axis, swapped for departments (horizontal bars). */
function axes(names: string[], groupBy: FiguresGroupBy, value: { max?: number; formatter?: string }) {
  const category = { type: 'category' as const, data: names, axisLabel: { width: 110, overflow: 'truncate' as const, interval: 0 }, inverse: groupBy === 'department' };
  // Keys left out rather than set to undefined: echarts lets an explicit undefined replace its defaults.
  const val = { type: 'value' as const, minInterval: 1, ...(value.max !== undefined ? { max: value.max } : {}), ...(value.formatter ? { axisLabel: { formatter: value.formatter } } : {}) };
  return groupBy === 'department' ? { yAxis: category, xAxis: val } : { xAxis: category, yAxis: val };
}

const base = (legend: string[]): ChartOption => ({
  tooltip: { trigger: 'axis', confine: true },
  legend: { data: legend, top: 0, type: 'plain' },
  grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
});

function countsChart(names: string[], rows: FigureRow[], groupBy: FiguresGroupBy, t: T): ChartOption {
  const series = [
    { name: t('hazardAdmin.figures.open'), data: rows.map((r) => r.open), color: COLORS.open },
    { name: t('hazardAdmin.figures.overdue'), data: rows.map((r) => r.overdue), color: COLORS.overdue },
    { name: t('hazardAdmin.figures.closed'), data: rows.map((r) => r.closed), color: COLORS.closed },
  ];
  return {
    ...base(series.map((s) => s.name)),
    ...axes(names, groupBy, {}),
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, itemStyle: { color: s.color }, barMaxWidth: 18 })),
  };
}

function ratesChart(names: string[], rows: FigureRow[], groupBy: FiguresGroupBy, t: T): ChartOption {
  const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
  const series = [
    { name: t('hazardAdmin.figures.onTimeRate'), data: rows.map((r) => pct(r.onTimeRate)), color: COLORS.onTime },
    { name: t('hazardAdmin.figures.reworkRate'), data: rows.map((r) => pct(r.reworkRate)), color: COLORS.rework },
  ];
  return {
    ...base(series.map((s) => s.name)),
    tooltip: { trigger: 'axis', confine: true, valueFormatter: (v) => (typeof v === 'number' ? `${v}%` : '—') },
    ...axes(names, groupBy, { max: 100, formatter: '{value}%' }),
    series: series.map((s) =>
      groupBy === 'month'
        ? { type: 'line', name: s.name, data: s.data, itemStyle: { color: s.color }, connectNulls: true, symbolSize: 8 }
        : { type: 'bar', name: s.name, data: s.data, itemStyle: { color: s.color }, barMaxWidth: 18 },
    ),
  };
}

function hoursChart(names: string[], rows: FigureRow[], groupBy: FiguresGroupBy, t: T): ChartOption {
  const series = [
    { name: t('hazardAdmin.figures.meanRespond'), data: rows.map((r) => r.meanHoursToRespond), color: COLORS.respond },
    { name: t('hazardAdmin.figures.meanClose'), data: rows.map((r) => r.meanHoursToClose), color: COLORS.close },
  ];
  const h = t('hazardAdmin.units.h');
  return {
    ...base(series.map((s) => s.name)),
    tooltip: { trigger: 'axis', confine: true, valueFormatter: (v) => (typeof v === 'number' ? `${Math.round(v * 10) / 10} ${h}` : '—') },
    // The unit is in the card title; "10 小时" on every tick would crowd a phone's axis.
    ...axes(names, groupBy, {}),
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, itemStyle: { color: s.color }, barMaxWidth: 18 })),
  };
}
