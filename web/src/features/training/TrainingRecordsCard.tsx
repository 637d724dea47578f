import { FilePdfOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Table, Typography } from 'antd';
import { apiUrl } from '../../api/client.ts';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../shared/format.ts';
import { useTrainingFile, type PersonFile } from './examApi.ts';

type Row = PersonFile['items'][number];

/** The training history of a person (一人一档): time, content, hours, trainer, result, with total hours. */
export function TrainingRecordsCard({ personId, mine }: { personId: string | null; mine: boolean }) {
  const { t } = useTranslation();
  const file = useTrainingFile(personId, mine);
  const items = file.data?.items ?? [];
  return (
    <Card size="small" title={t('training.records.title')} extra={
        <Flex gap={8} align="center">
          <Typography.Text data-testid="records-hours">{t('training.records.total', { hours: file.data?.totalHours ?? 0 })}</Typography.Text>
          {file.data ? (
            <Button size="small" icon={<FilePdfOutlined />} href={apiUrl(`/training/people/${file.data.person.id}/records.pdf`)} target="_blank" data-testid="records-pdf">
              PDF
            </Button>
          ) : null}
        </Flex>
      } data-testid="training-records">
      <Table<Row>
        size="small"
        rowKey={(r) => `${r.kind}:${r.refId}:${r.at}`}
        dataSource={items}
        loading={file.isLoading}
        pagination={items.length > 20 ? { pageSize: 20 } : false}
        scroll={{ x: 560 }}
        locale={{ emptyText: t('training.records.empty') }}
        columns={[
          { title: t('training.records.at'), dataIndex: 'at', width: 150, render: (v: string) => formatTime(v) },
          { title: t('training.records.content'), dataIndex: 'content' },
          { title: t('training.records.hours'), dataIndex: 'hours', width: 60 },
          { title: t('training.records.trainer'), dataIndex: 'trainer', width: 90, render: (v: string | null) => v ?? '—' },
          { title: t('training.records.result'), dataIndex: 'result', width: 110, render: (v: string | null) => v ?? '—' },
        ]}
      />
    </Card>
  );
}
