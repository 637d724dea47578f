import { CloudUploadOutlined, DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RowError } from '../../api/client.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import type { ImportOutcome } from '../../shared/excelImport.ts';
import { importTemplateUrl, useImportHazards, type HazardImportResult } from './api.ts';

// The server refuses larger workbooks (src/modules/hazards/excel.ts MAX_IMPORT_BYTES).
const MAX_MB = 5;

/** Historical hazards from Excel: template → dry run (row-by-row report) → import, all or nothing. */
export function HazardImportPage() {
  const { t } = useTranslation();
  const onError = useApiError();
  const run = useImportHazards();
  const [file, setFile] = useState<File | null>(null);
  const [check, setCheck] = useState<ImportOutcome<HazardImportResult> | null>(null);
  const [done, setDone] = useState<ImportOutcome<HazardImportResult> | null>(null);

  const start = (dryRun: boolean) => {
    if (!file) return;
    run.mutate(
      { file, dryRun },
      {
        onSuccess: (o) => (dryRun || o.kind === 'rows' ? setCheck(o) : setDone(o)),
        onError: (e) => onError(e),
      },
    );
  };

  return (
    <div data-testid="hazard-import-page">
      <PageHeader title={t('hazards.import.title')} sub={t('hazards.import.subtitle')} />
      <Flex vertical gap={16}>
        <Card size="small" title={t('hazards.import.template')}>
          <Typography.Paragraph>{t('hazards.import.templateHelp')}</Typography.Paragraph>
          <Button icon={<DownloadOutlined />} href={importTemplateUrl} download data-testid="hazard-import-template">
            {t('hazards.import.download')}
          </Button>
        </Card>
        <Card size="small" title={t('hazards.import.upload')}>
          <div data-testid="hazard-import-upload">
            <Upload.Dragger
              accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              maxCount={1}
              fileList={file ? [{ uid: 'f', name: file.name, status: 'done', size: file.size }] : []}
              beforeUpload={(f) => {
                if (f.size > MAX_MB * 1024 * 1024) {
                  onError(new Error(t('hazards.import.tooLarge', { mb: MAX_MB })));
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
              <p className="ant-upload-text">{t('hazards.import.drop')}</p>
            </Upload.Dragger>
          </div>
          <Flex wrap gap={8} style={{ marginTop: 16 }}>
            <Button onClick={() => start(true)} disabled={!file || done !== null} loading={run.isPending && run.variables?.dryRun} data-testid="hazard-import-dry-run">
              {t('hazards.import.dryRun')}
            </Button>
            <Button type="primary" icon={<CloudUploadOutlined />} onClick={() => start(false)} disabled={check?.kind !== 'ok' || done !== null} loading={run.isPending && !run.variables?.dryRun} data-testid="hazard-import-run">
              {t('hazards.import.run')}
            </Button>
          </Flex>
        </Card>
        {done?.kind === 'ok' ? (
          <Alert type="success" showIcon data-testid="hazard-import-done" title={t('hazards.import.done', { count: done.result.created })} description={done.result.numbers.slice(0, 50).join('、')} />
        ) : check?.kind === 'ok' ? (
          <Alert type="info" showIcon data-testid="hazard-import-checked" title={t('hazards.import.checked', { count: check.result.created })} />
        ) : null}
        {check?.kind === 'rows' ? <RowErrors errors={check.rowErrors} detail={check.detail} /> : null}
      </Flex>
    </div>
  );
}

function RowErrors({ errors, detail }: { errors: RowError[]; detail: string }) {
  const { t } = useTranslation();
  return (
    <Card size="small" title={t('hazards.import.rowErrors', { count: errors.length })} data-testid="hazard-import-row-errors">
      <Alert type="error" showIcon title={detail} style={{ marginBottom: 12 }} />
      <Table<RowError>
        size="small"
        rowKey={(e) => `${e.sheet}:${e.row}:${e.field}:${e.message}`}
        dataSource={errors}
        pagination={errors.length > 50 ? { pageSize: 50 } : false}
        scroll={{ x: 'max-content' }}
        columns={[
          { key: 'row', title: t('import.row'), dataIndex: 'row', width: 70 },
          { key: 'field', title: t('import.field'), dataIndex: 'field' },
          { key: 'message', title: t('import.message'), dataIndex: 'message' },
        ]}
      />
    </Card>
  );
}
