import { CloudUploadOutlined, DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Modal, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RowError } from '../../api/client.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { iotTemplateUrl, useImportIot, type IotImportOutcome } from './monitoringApi.ts';

// The server refuses larger workbooks (src/modules/iot/importExport.ts MAX_IMPORT_BYTES).
const MAX_MB = 5;

/** Import of devices and points: template → check (row-by-row report) → import, all or nothing. */
export function ImportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const onError = useApiError();
  const run = useImportIot();
  const [file, setFile] = useState<File | null>(null);
  const [check, setCheck] = useState<IotImportOutcome | null>(null);
  const [done, setDone] = useState<IotImportOutcome | null>(null);
  const reset = () => {
    setCheck(null);
    setDone(null);
  };
  const start = (dryRun: boolean) => {
    if (!file) return;
    run.mutate({ file, dryRun }, { onSuccess: (o) => (dryRun || o.kind === 'rows' ? setCheck(o) : setDone(o)), onError: (e) => onError(e) });
  };
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('iot.importer.title')} width={760} destroyOnHidden>
      <Flex vertical gap={12} data-testid="iot-import">
        <Typography.Paragraph type="secondary">{t('iot.importer.help')}</Typography.Paragraph>
        <div>
          <Button icon={<DownloadOutlined />} href={iotTemplateUrl} download>
            {t('iot.importer.template')}
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
          <p className="ant-upload-text">{t('iot.importer.drop')}</p>
        </Upload.Dragger>
        <Flex gap={8}>
          <Button onClick={() => start(true)} disabled={!file || done !== null} loading={run.isPending && run.variables?.dryRun} data-testid="iot-import-check">
            {t('iot.importer.dryRun')}
          </Button>
          <Button type="primary" icon={<CloudUploadOutlined />} onClick={() => start(false)} disabled={check?.kind !== 'ok' || done !== null} loading={run.isPending && !run.variables?.dryRun} data-testid="iot-import-run">
            {t('iot.importer.run')}
          </Button>
        </Flex>
        {done?.kind === 'ok' ? (
          <Alert type="success" showIcon message={t('iot.importer.done', { devices: done.result.devices.created, points: done.result.points.created, unchanged: done.result.devices.unchanged + done.result.points.unchanged })} />
        ) : check?.kind === 'ok' ? (
          <Alert type="info" showIcon message={t('iot.importer.checked', { devices: check.result.devices.created, points: check.result.points.created, unchanged: check.result.devices.unchanged + check.result.points.unchanged })} />
        ) : null}
        {check?.kind === 'rows' ? (
          <>
            <Alert type="error" showIcon message={t('iot.importer.rowErrors', { count: check.rowErrors.length })} description={check.detail} />
            <Table<RowError>
              size="small"
              rowKey={(e) => `${e.sheet}:${e.row}:${e.field}:${e.message}`}
              dataSource={check.rowErrors}
              pagination={check.rowErrors.length > 20 ? { pageSize: 20 } : false}
              data-testid="iot-import-errors"
              columns={[
                { key: 'sheet', title: t('import.sheet'), dataIndex: 'sheet', width: 80 },
                { key: 'row', title: t('import.row'), dataIndex: 'row', width: 60 },
                { key: 'column', title: t('import.field'), dataIndex: 'column' },
                { key: 'message', title: t('import.message'), dataIndex: 'message' },
              ]}
            />
          </>
        ) : null}
      </Flex>
    </Modal>
  );
}
