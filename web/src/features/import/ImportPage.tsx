import { CloudUploadOutlined, DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Flex, Steps, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RowError } from '../../api/client.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { templateUrl, useImportPeople, type ImportOutcome, type ImportResult } from './api.ts';

// The server refuses larger workbooks (src/platform/org/importExcel.ts MAX_IMPORT_BYTES).
const MAX_MB = 5;

/**
 * Template → upload → dry run → import. The real import is offered only after a clean dry run of the
 * same file, so a bad sheet is fixed before anything is written (the server also writes all or nothing).
 */
export function ImportPage() {
  const { t } = useTranslation();
  const onError = useApiError();
  const run = useImportPeople();
  const [file, setFile] = useState<File | null>(null);
  const [check, setCheck] = useState<ImportOutcome | null>(null);
  const [done, setDone] = useState<ImportResult | null>(null);

  const step = done ? 3 : check?.kind === 'ok' ? 2 : file ? 1 : 0;

  const start = (dryRun: boolean) => {
    if (!file) return;
    run.mutate(
      { file, dryRun },
      {
        onSuccess: (outcome) => {
          if (dryRun) setCheck(outcome);
          else if (outcome.kind === 'ok') setDone(outcome.result);
          else setCheck(outcome);
        },
        onError: (e) => onError(e),
      },
    );
  };

  return (
    <div data-testid="import-page">
      <PageHeader title={t('import.title')} sub={t('import.subtitle')} />
      <Steps
        current={step}
        style={{ marginBottom: 24 }}
        responsive
        items={[{ title: t('import.stepTemplate') }, { title: t('import.stepCheck') }, { title: t('import.stepImport') }, { title: t('import.stepDone') }]}
      />
      <Flex vertical gap={16}>
        <Card title={t('import.templateTitle')} size="small">
          <Typography.Paragraph>{t('import.templateHelp')}</Typography.Paragraph>
          <Button icon={<DownloadOutlined />} href={templateUrl} download data-testid="import-template">
            {t('import.download')}
          </Button>
        </Card>
        <Card title={t('import.uploadTitle')} size="small">
          <div data-testid="import-upload">
          <Upload.Dragger
            accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            maxCount={1}
            multiple={false}
            fileList={file ? [{ uid: 'f', name: file.name, status: 'done', size: file.size }] : []}
            beforeUpload={(f) => {
              // Keep the file in the page; it is sent by the buttons below, never on drop.
              if (f.size > MAX_MB * 1024 * 1024) {
                onError(new Error(t('import.tooLarge', { mb: MAX_MB })));
                return Upload.LIST_IGNORE;
              }
              setFile(f);
              setCheck(null);
              setDone(null);
              return false;
            }}
            onRemove={() => {
              setFile(null);
              setCheck(null);
              setDone(null);
            }}
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{t('import.dropHere')}</p>
            <p className="ant-upload-hint">{t('import.dropHint')}</p>
          </Upload.Dragger>
          </div>
          <Flex wrap gap={8} style={{ marginTop: 16 }}>
            <Button onClick={() => start(true)} disabled={!file || done !== null} loading={run.isPending && run.variables?.dryRun} data-testid="import-dry-run">
              {t('import.dryRun')}
            </Button>
            <Button type="primary" icon={<CloudUploadOutlined />} onClick={() => start(false)} disabled={check?.kind !== 'ok' || done !== null} loading={run.isPending && !run.variables?.dryRun} data-testid="import-run">
              {t('import.run')}
            </Button>
          </Flex>
        </Card>
        {done ? <Counts title={t('import.doneTitle')} type="success" result={done} /> : check?.kind === 'ok' ? <Counts title={t('import.checkOk')} type="info" result={check.result} /> : null}
        {check?.kind === 'rows' ? <RowErrors errors={check.rowErrors} detail={check.detail} /> : null}
      </Flex>
    </div>
  );
}

function Counts({ title, type, result }: { title: string; type: 'success' | 'info'; result: ImportResult }) {
  const { t } = useTranslation();
  return (
    <Alert
      type={type}
      showIcon
      title={title}
      data-testid="import-counts"
      description={
        <Descriptions size="small" column={{ xs: 1, sm: 3 }} style={{ marginTop: 8 }}>
          <Descriptions.Item label={t('import.orgUnits')}>{t('import.createdUpdated', { created: result.created.orgUnits, updated: result.updated.orgUnits, unchanged: result.unchanged?.orgUnits ?? 0 })}</Descriptions.Item>
          <Descriptions.Item label={t('import.positions')}>{t('import.createdUpdated', { created: result.created.positions, updated: result.updated.positions, unchanged: result.unchanged?.positions ?? 0 })}</Descriptions.Item>
          <Descriptions.Item label={t('import.people')}>{t('import.createdUpdated', { created: result.created.people, updated: result.updated.people, unchanged: result.unchanged?.people ?? 0 })}</Descriptions.Item>
        </Descriptions>
      }
    />
  );
}

function RowErrors({ errors, detail }: { errors: RowError[]; detail: string }) {
  const { t } = useTranslation();
  return (
    <Card size="small" title={t('import.rowErrorsTitle', { count: errors.length })} data-testid="import-row-errors">
      <Alert type="error" showIcon title={detail} style={{ marginBottom: 12 }} />
      <Table<RowError>
        size="small"
        rowKey={(e) => `${e.sheet}:${e.row}:${e.field}:${e.message}`}
        dataSource={errors}
        pagination={errors.length > 50 ? { pageSize: 50 } : false}
        scroll={{ x: 'max-content' }}
        columns={[
          { key: 'sheet', title: t('import.sheet'), dataIndex: 'sheet' },
          { key: 'row', title: t('import.row'), dataIndex: 'row', width: 70 },
          { key: 'field', title: t('import.field'), dataIndex: 'field' },
          { key: 'message', title: t('import.message'), dataIndex: 'message' },
        ]}
      />
    </Card>
  );
}
