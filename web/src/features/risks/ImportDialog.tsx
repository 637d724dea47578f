import { CloudUploadOutlined, DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Modal, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RowError } from '../../api/client.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { templateUrl, useImportRisks, type RiskImportOutcome } from './api.ts';

// The server refuses larger workbooks (src/modules/risks/excel.ts MAX_IMPORT_BYTES).
const MAX_MB = 5;

/** Import of the register: template → check (row-by-row report) → import, all or nothing. */
export function ImportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const onError = useApiError();
  const run = useImportRisks();
  const [file, setFile] = useState<File | null>(null);
  const [check, setCheck] = useState<RiskImportOutcome | null>(null);
  const [done, setDone] = useState<RiskImportOutcome | null>(null);
  const reset = () => {
    setCheck(null);
    setDone(null);
  };
  const start = (dryRun: boolean) => {
    if (!file) return;
    run.mutate({ file, dryRun }, { onSuccess: (o) => (dryRun || o.kind === 'rows' ? setCheck(o) : setDone(o)), onError: (e) => onError(e) });
  };
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('risks.import.title')} width={720} destroyOnHidden>
      <Flex vertical gap={12} data-testid="risk-import">
        <Typography.Paragraph type="secondary">{t('risks.import.help')}</Typography.Paragraph>
        <div>
          <Button icon={<DownloadOutlined />} href={templateUrl} download>
            {t('risks.import.template')}
          </Button>
        </div>
        <Upload.Dragger
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          maxCount={1}
          fileList={file ? [{ uid: 'f', name: file.name, status: 'done', size: file.size }] : []}
          beforeUpload={(f) => {
            if (f.size > MAX_MB * 1024 * 1024) return Upload.LIST_IGNORE;
            setFile(f);
            reset();
            return false;
          }}
          onRemove={() => {
            setFile(null);
            reset();
          }}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('risks.import.drop')}</p>
        </Upload.Dragger>
        <Flex gap={8}>
          <Button onClick={() => start(true)} disabled={!file || done !== null} loading={run.isPending && run.variables?.dryRun}>
            {t('risks.import.dryRun')}
          </Button>
          <Button type="primary" icon={<CloudUploadOutlined />} onClick={() => start(false)} disabled={check?.kind !== 'ok' || done !== null} loading={run.isPending && !run.variables?.dryRun}>
            {t('risks.import.run')}
          </Button>
        </Flex>
        {done?.kind === 'ok' ? (
          <Alert type="success" showIcon title={t('risks.import.done', { ...done.result.created, unchanged: done.result.unchanged })} />
        ) : check?.kind === 'ok' ? (
          <Alert type="info" showIcon title={t('risks.import.checked', { rows: check.result.rows })} />
        ) : null}
        {check?.kind === 'rows' ? (
          <>
            <Alert type="error" showIcon title={t('risks.import.rowErrors', { count: check.rowErrors.length })} description={check.detail} />
            <Table<RowError>
              size="small"
              rowKey={(e) => `${e.row}:${e.field}:${e.message}`}
              dataSource={check.rowErrors}
              pagination={check.rowErrors.length > 20 ? { pageSize: 20 } : false}
              columns={[
                { key: 'row', title: t('import.row'), dataIndex: 'row', width: 70 },
                { key: 'field', title: t('import.field'), dataIndex: 'field' },
                { key: 'message', title: t('import.message'), dataIndex: 'message' },
              ]}
            />
          </>
        ) : null}
      </Flex>
    </Modal>
  );
}
