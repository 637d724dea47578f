import { CloudUploadOutlined, DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import type { UseMutationResult } from '@tanstack/react-query';
import { Alert, Button, Flex, Modal, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RowError } from '../api/client.ts';
import type { ImportOutcome, ImportRequest } from './excelImport.ts';
import { useApiError } from './useApiError.ts';

// The servers refuse larger workbooks (MAX_IMPORT_BYTES of each module's import).
const MAX_MB = 5;

export interface ExcelImportDialogProps<R> {
  open: boolean;
  onClose: () => void;
  /** The module's own texts (translated by the caller). */
  texts: { title: string; help: string; template: string; drop: string; dryRun: string; run: string; rowErrors: (count: number) => string };
  templateUrl: string;
  run: UseMutationResult<ImportOutcome<R>, Error, ImportRequest>;
  /** The success line after the check (would import) and after the import (did). */
  checked: (result: R) => string;
  done: (result: R) => string;
  /** Workbooks of several sheets name the sheet of each row error. */
  showSheet?: boolean;
  testId: string;
  width?: number;
}

/** An all-or-nothing Excel import: template → check (row-by-row report) → import. */
export function ExcelImportDialog<R>({ open, onClose, texts, templateUrl, run, checked, done: doneText, showSheet, testId, width = 720 }: ExcelImportDialogProps<R>) {
  const { t } = useTranslation();
  const onError = useApiError();
  const [file, setFile] = useState<File | null>(null);
  const [check, setCheck] = useState<ImportOutcome<R> | null>(null);
  const [done, setDone] = useState<ImportOutcome<R> | null>(null);
  const reset = () => {
    setCheck(null);
    setDone(null);
  };
  const start = (dryRun: boolean) => {
    if (!file) return;
    run.mutate({ file, dryRun }, { onSuccess: (o) => (dryRun || o.kind === 'rows' ? setCheck(o) : setDone(o)), onError: (e) => onError(e) });
  };
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={texts.title} width={width} destroyOnHidden>
      <Flex vertical gap={12} data-testid={testId}>
        <Typography.Paragraph type="secondary">{texts.help}</Typography.Paragraph>
        <div>
          <Button icon={<DownloadOutlined />} href={templateUrl} download>
            {texts.template}
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
          <p className="ant-upload-text">{texts.drop}</p>
        </Upload.Dragger>
        <Flex gap={8}>
          <Button onClick={() => start(true)} disabled={!file || done !== null} loading={run.isPending && run.variables?.dryRun} data-testid={`${testId}-check`}>
            {texts.dryRun}
          </Button>
          <Button type="primary" icon={<CloudUploadOutlined />} onClick={() => start(false)} disabled={check?.kind !== 'ok' || done !== null} loading={run.isPending && !run.variables?.dryRun} data-testid={`${testId}-run`}>
            {texts.run}
          </Button>
        </Flex>
        {done?.kind === 'ok' ? (
          <Alert type="success" showIcon title={doneText(done.result)} />
        ) : check?.kind === 'ok' ? (
          <Alert type="info" showIcon title={checked(check.result)} />
        ) : null}
        {check?.kind === 'rows' ? (
          <>
            <Alert type="error" showIcon title={texts.rowErrors(check.rowErrors.length)} description={check.detail} />
            <Table<RowError>
              size="small"
              rowKey={(e) => `${e.sheet}:${e.row}:${e.field}:${e.message}`}
              dataSource={check.rowErrors}
              pagination={check.rowErrors.length > 20 ? { pageSize: 20 } : false}
              data-testid={`${testId}-errors`}
              columns={[
                ...(showSheet ? [{ key: 'sheet', title: t('import.sheet'), dataIndex: 'sheet', width: 80 }] : []),
                { key: 'row', title: t('import.row'), dataIndex: 'row', width: 70 },
                // The column's heading as the template names it, where the server gives it; else the field.
                { key: 'field', title: t('import.field'), render: (_: unknown, e: RowError) => e.column ?? e.field },
                { key: 'message', title: t('import.message'), dataIndex: 'message' },
              ]}
            />
          </>
        ) : null}
      </Flex>
    </Modal>
  );
}
