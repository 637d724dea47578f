import { Calendar, Card, DatePicker, Flex, Progress, Table, Tabs, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useCalendar, useRates, type RateRow } from './api.ts';

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);

function RateTable({ rows, testId }: { rows: RateRow[]; testId: string }) {
  const { t } = useTranslation();
  return (
    <Table
      rowKey={(r) => r.key ?? 'none'}
      size="small"
      pagination={false}
      dataSource={rows}
      columns={[
        { title: t('inspections.oversight.name'), dataIndex: 'name', render: (v: string | null) => v ?? t('inspections.oversight.none') },
        { title: t('inspections.oversight.total'), dataIndex: 'total' },
        { title: t('inspections.status.done'), dataIndex: 'done' },
        { title: t('inspections.status.missed'), dataIndex: 'missed', render: (v: number) => (v ? <Typography.Text type="danger">{v}</Typography.Text> : v) },
        { title: t('inspections.oversight.completion'), dataIndex: 'completionRate', render: (v: number | null) => (v === null ? '—' : <Progress percent={Math.round(v * 100)} size="small" status={v < 0.9 ? 'exception' : 'success'} />) },
        { title: t('inspections.oversight.onTime'), dataIndex: 'onTimeRate', render: pct },
      ]}
      data-testid={testId}
    />
  );
}

/** Oversight: completion and on-time rates by department, person and route, and the check calendar. */
export function OversightPage() {
  const { t } = useTranslation();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(30, 'day'), dayjs()]);
  const [month, setMonth] = useState(dayjs());
  const rates = useRates(range[0].format('YYYY-MM-DD'), range[1].format('YYYY-MM-DD'));
  const cal = useCalendar(month.format('YYYY-MM'));
  const byDay = new Map((cal.data?.days ?? []).map((d) => [d.day, d]));
  return (
    <Flex vertical gap={16}>
      <PageHeader title={t('inspections.oversight.title')} extra={<DatePicker.RangePicker value={range} allowClear={false} onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])} />} />
      {rates.isError ? <QueryError error={rates.error} onRetry={() => void rates.refetch()} /> : null}
      {rates.data ? (
        <Card>
          <Flex gap={32} wrap data-testid="rates-overall">
            <Flex vertical>
              <Typography.Text type="secondary">{t('inspections.oversight.completion')}</Typography.Text>
              <Typography.Title level={3} style={{ margin: 0 }}>
                {pct(rates.data.overall.completionRate)}
              </Typography.Title>
            </Flex>
            <Flex vertical>
              <Typography.Text type="secondary">{t('inspections.oversight.onTime')}</Typography.Text>
              <Typography.Title level={3} style={{ margin: 0 }}>
                {pct(rates.data.overall.onTimeRate)}
              </Typography.Title>
            </Flex>
            <Flex vertical>
              <Typography.Text type="secondary">{t('inspections.oversight.total')}</Typography.Text>
              <Typography.Title level={3} style={{ margin: 0 }}>
                {rates.data.overall.total}
              </Typography.Title>
            </Flex>
          </Flex>
          <Tabs
            items={[
              { key: 'dept', label: t('inspections.oversight.byDepartment'), children: <RateTable rows={rates.data.byDepartment} testId="rates-dept" /> },
              { key: 'person', label: t('inspections.oversight.byPerson'), children: <RateTable rows={rates.data.byPerson} testId="rates-person" /> },
              { key: 'route', label: t('inspections.oversight.byRoute'), children: <RateTable rows={rates.data.byRoute} testId="rates-route" /> },
            ]}
          />
        </Card>
      ) : null}
      <Card title={t('inspections.oversight.calendar')}>
        <Calendar
          value={month}
          onPanelChange={(d) => setMonth(d)}
          onSelect={(d) => setMonth(d)}
          fullscreen
          cellRender={(d, info) => {
            if (info.type !== 'date') return info.originNode;
            const x = byDay.get(d.format('YYYY-MM-DD'));
            if (!x || x.total === 0) return null;
            return (
              <Flex vertical gap={2} data-testid={`cal-${d.format('YYYY-MM-DD')}`}>
                <Tag color="blue">{t('inspections.oversight.planned', { count: x.total })}</Tag>
                {x.done ? <Tag color="green">{t('inspections.oversight.doneN', { count: x.done })}</Tag> : null}
                {x.missed ? <Tag color="red">{t('inspections.oversight.missedN', { count: x.missed })}</Tag> : null}
              </Flex>
            );
          }}
          data-testid="inspection-calendar"
        />
      </Card>
    </Flex>
  );
}
