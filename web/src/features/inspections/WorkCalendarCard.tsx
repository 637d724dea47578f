import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, DatePicker, Flex, Input, InputNumber, Select, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, request } from '../../api/client.ts';
import { useCan } from '../../app/session.ts';
import { useApiError } from '../../shared/useApiError.ts';
import type { CalendarDayT, WorkCalendarT } from '../../../../src/modules/inspections/routes.ts';

type Kind = CalendarDayT['kind'];

/**
 * 工作日历: the company's public holidays on weekdays and make-up work days (调休) on weekends for one year.
 * Plans on work days only follow it from the next generation on. Editing needs inspection:calendar.
 */
export function WorkCalendarCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useCan();
  const onError = useApiError();
  const qc = useQueryClient();
  const [year, setYear] = useState(() => new Date().getFullYear());
  const [day, setDay] = useState<Dayjs | null>(null);
  const [kind, setKind] = useState<Kind>('holiday');
  const [name, setName] = useState('');
  const q = useQuery({ queryKey: ['inspections', 'work-calendar', year], queryFn: () => api.get<WorkCalendarT>('/inspections/work-calendar', { year }) });
  const done = () => qc.invalidateQueries({ queryKey: ['inspections', 'work-calendar'] });
  const put = useMutation({ mutationFn: (v: { day: string; kind: Kind; name: string }) => request<CalendarDayT>('PUT', `/inspections/work-calendar/${v.day}`, { body: { kind: v.kind, name: v.name } }), onSuccess: done });
  const remove = useMutation({ mutationFn: (d: string) => api.delete(`/inspections/work-calendar/${d}`), onSuccess: done });
  const editor = can('inspection:calendar');

  return (
    <Card
      title={t('inspections.calendar.title')}
      extra={
        <Flex gap={8} align="center">
          <Typography.Text type="secondary">{t('inspections.calendar.year')}</Typography.Text>
          <InputNumber value={year} min={2000} max={2100} onChange={(v) => v && setYear(v)} style={{ width: 96 }} data-testid="work-calendar-year" />
        </Flex>
      }
      data-testid="work-calendar"
    >
      <Typography.Paragraph type="secondary">{t('inspections.calendar.help')}</Typography.Paragraph>
      {editor ? (
        <Flex gap={8} wrap style={{ marginBottom: 12 }}>
          <DatePicker value={day} onChange={setDay} data-testid="work-calendar-day" />
          <Select<Kind> value={kind} onChange={setKind} style={{ width: 160 }} options={(['holiday', 'workday'] as const).map((k) => ({ value: k, label: t(`inspections.calendar.${k}`) }))} />
          <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={50} placeholder={t('inspections.calendar.name')} style={{ width: 180 }} data-testid="work-calendar-name" />
          <Button
            icon={<PlusOutlined />}
            disabled={!day || !name.trim()}
            loading={put.isPending}
            onClick={() =>
              day &&
              put.mutate(
                { day: day.format('YYYY-MM-DD'), kind, name: name.trim() },
                {
                  onSuccess: () => {
                    setDay(null);
                    setName('');
                    void message.success(t('risks.form.saved'));
                  },
                  onError: (e) => onError(e),
                },
              )
            }
            data-testid="work-calendar-add"
          >
            {t('inspections.calendar.add')}
          </Button>
        </Flex>
      ) : null}
      <Table
        rowKey="day"
        size="small"
        loading={q.isPending}
        dataSource={q.data?.days ?? []}
        pagination={false}
        scroll={{ y: 320 }}
        locale={{ emptyText: t('inspections.calendar.none') }}
        columns={[
          { title: t('inspections.calendar.day'), dataIndex: 'day', width: 130 },
          { title: t('inspections.calendar.kind'), dataIndex: 'kind', width: 160, render: (k: Kind) => <Tag color={k === 'holiday' ? 'red' : 'blue'}>{t(`inspections.calendar.${k}`)}</Tag> },
          { title: t('inspections.calendar.name'), dataIndex: 'name' },
          ...(editor
            ? [{ title: '', width: 60, render: (_: unknown, r: CalendarDayT) => <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('inspections.calendar.remove')} onClick={() => remove.mutate(r.day, { onError: (e) => onError(e) })} /> }]
            : []),
        ]}
      />
    </Card>
  );
}
