import { Card, Col, Row, Select, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { Chart, type ChartOption } from '../hazardAdmin/Chart.tsx';
import { useOverview, type Overview } from './planApi.ts';

type Row = Overview['items'][number];

/**
 * Training statistics (培训统计): per department, coverage against the required-training matrix (people
 * with every requirement met / people whose position needs something) and hours per month of the year.
 */
export function StatisticsPage() {
  const { t } = useTranslation();
  const [year, setYear] = useState(new Date().getFullYear());
  const overview = useOverview(year);
  const items = overview.data?.items ?? [];
  const years = Array.from({ length: 5 }, (_, i) => new Date().getFullYear() - i);
  const months = Array.from({ length: 12 }, (_, i) => `${i + 1}`);
  const coverage: ChartOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 16, top: 24, bottom: 64 },
    xAxis: { type: 'category', data: items.map((i) => i.orgUnitName), axisLabel: { rotate: 30, interval: 0 } },
    yAxis: { type: 'value', max: 100 },
    series: [{ type: 'bar', name: t('training.stats.coverage'), data: items.map((i) => ({ value: i.coverage, itemStyle: { color: i.coverage >= 90 ? '#52c41a' : i.coverage >= 70 ? '#faad14' : '#ff4d4f' } })), label: { show: true, position: 'top', formatter: '{c}%' } }],
  };
  const hours: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 40, right: 16, top: 24, bottom: 48 },
    xAxis: { type: 'category', data: months.map((m) => `${m}${t('training.stats.monthSuffix')}`) },
    yAxis: { type: 'value' },
    series: items.map((i) => ({ type: 'bar' as const, stack: 'hours', name: i.orgUnitName, data: i.monthlyHours })),
  };
  return (
    <>
      <PageHeader title={t('training.stats.title')} sub={t('training.stats.subtitle')} extra={<Select value={year} onChange={setYear} options={years.map((y) => ({ value: y, label: y }))} style={{ width: 100 }} data-testid="stats-year" />} />
      {overview.error ? <QueryError error={overview.error} onRetry={() => void overview.refetch()} /> : null}
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('training.stats.coverageChart')} loading={overview.isLoading}>
            <Chart option={coverage} height={300} testId="stats-coverage-chart" />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('training.stats.hoursChart')} loading={overview.isLoading}>
            <Chart option={hours} height={300} testId="stats-hours-chart" />
          </Card>
        </Col>
      </Row>
      <Table<Row>
        style={{ marginTop: 12 }}
        rowKey="orgUnitId"
        size="small"
        loading={overview.isLoading}
        dataSource={items}
        pagination={false}
        scroll={{ x: 640 }}
        data-testid="stats-table"
        columns={[
          { title: t('training.stats.department'), dataIndex: 'orgUnitName' },
          { title: t('training.stats.people'), dataIndex: 'people', width: 70 },
          { title: t('training.stats.required'), dataIndex: 'required', width: 80 },
          { title: t('training.stats.compliant'), dataIndex: 'compliant', width: 80 },
          { title: t('training.stats.coverage'), dataIndex: 'coverage', width: 80, sorter: (a, b) => a.coverage - b.coverage, render: (v: number) => <Typography.Text type={v < 70 ? 'danger' : undefined}>{v}%</Typography.Text> },
          { title: t('training.stats.trained'), dataIndex: 'trained', width: 80 },
          { title: t('training.stats.hours'), dataIndex: 'hours', width: 70 },
        ]}
      />
    </>
  );
}
