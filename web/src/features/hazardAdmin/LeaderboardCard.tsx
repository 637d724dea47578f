import { TrophyOutlined } from '@ant-design/icons';
import { Card, DatePicker, Flex, Segmented, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DataView, type DataColumn } from '../../shared/DataView.tsx';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { useLeaderboard, type Leaderboard } from './api.ts';
import { Chart, type ChartOption } from './Chart.tsx';

type DeptRow = Leaderboard['departments'][number];
type PersonRow = Leaderboard['people'][number];

const MEDALS = ['#d4a106', '#8c8c8c', '#ad6800'];

/** Points per department for one month (issue 4: points for valid reports and verified fixes). */
export function LeaderboardCard() {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const [month, setMonth] = useState<Dayjs>(() => dayjs().startOf('month'));
  const [view, setView] = useState<'departments' | 'people'>('departments');
  const board = useLeaderboard(month.format('YYYY-MM'));
  const departments = board.data?.departments ?? [];
  const people = board.data?.people ?? [];
  const deptName = (d: DeptRow) => d.name ?? t('hazardAdmin.figures.noDepartment');
  const rank = (i: number) => (i < 3 ? <TrophyOutlined style={{ color: MEDALS[i] }} /> : <Typography.Text type="secondary">{i + 1}</Typography.Text>);

  const option: ChartOption = {
    tooltip: { trigger: 'axis', confine: true },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    yAxis: { type: 'category', data: departments.map(deptName), inverse: true, axisLabel: { width: 110, overflow: 'truncate', interval: 0 } },
    xAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: t('hazardAdmin.leaderboard.points'), data: departments.map((d) => d.points), itemStyle: { color: '#d48806' }, barMaxWidth: 18, label: { show: true, position: 'right' } }],
  };

  const deptColumns: DataColumn<DeptRow & { rank: number }>[] = [
    { key: 'name', title: t('hazardAdmin.figures.department'), render: (d) => <Flex gap={8} align="center">{rank(d.rank)}<span>{deptName(d)}</span></Flex> },
    { key: 'points', title: t('hazardAdmin.leaderboard.points'), render: (d) => <Typography.Text strong>{d.points}</Typography.Text> },
    { key: 'people', title: t('hazardAdmin.leaderboard.people'), render: (d) => d.people },
  ];
  const personColumns: DataColumn<PersonRow & { rank: number }>[] = [
    { key: 'name', title: t('hazardAdmin.leaderboard.person'), render: (p) => <Flex gap={8} align="center">{rank(p.rank)}<span>{p.name}</span></Flex> },
    { key: 'dept', title: t('hazardAdmin.figures.department'), render: (p) => p.departmentName ?? '—' },
    { key: 'points', title: t('hazardAdmin.leaderboard.points'), render: (p) => <Typography.Text strong>{p.points}</Typography.Text> },
    { key: 'reports', title: t('hazardAdmin.leaderboard.validReports'), render: (p) => p.validReports },
    { key: 'fixes', title: t('hazardAdmin.leaderboard.verifiedFixes'), render: (p) => p.verifiedFixes },
  ];

  return (
    <Card
      size="small"
      title={t('hazardAdmin.leaderboard.title')}
      data-testid="leaderboard"
      extra={
        <DatePicker
          picker="month"
          value={month}
          allowClear={false}
          disabledDate={(d) => d.isAfter(dayjs(), 'month')}
          onChange={(v) => v && setMonth(v.startOf('month'))}
          style={{ width: isPhone ? 130 : 140 }}
          data-testid="leaderboard-month"
        />
      }
    >
      <Flex vertical gap={12}>
        <Segmented
          value={view}
          onChange={setView}
          options={[
            { value: 'departments', label: t('hazardAdmin.leaderboard.byDepartment') },
            { value: 'people', label: t('hazardAdmin.leaderboard.byPerson') },
          ]}
        />
        {view === 'departments' ? (
          <>
            {departments.length ? <Chart option={option} height={Math.max(160, departments.length * 40 + 40)} testId="chart-leaderboard" /> : null}
            <DataView rows={departments.map((d, i) => ({ ...d, rank: i }))} rowKey={(d) => d.departmentId ?? '__none__'} columns={deptColumns} loading={board.isLoading} testId="leaderboard-departments" />
          </>
        ) : (
          <DataView rows={people.map((p, i) => ({ ...p, rank: i }))} rowKey={(p) => p.userId} columns={personColumns} loading={board.isLoading} testId="leaderboard-people" />
        )}
      </Flex>
    </Card>
  );
}
