import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Table, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError, type RowError } from '../../api/client.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { questionExportUrl, questionTemplateUrl, useImportQuestions } from './planApi.ts';

/**
 * Question bank Excel buttons: template, export (reads back in unchanged) and import. An import is all or
 * nothing; when it fails, every bad row is listed with its column and the reason.
 */
export function QuestionImport() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const importQ = useImportQuestions();
  const showError = useApiError();
  const [rowErrors, setRowErrors] = useState<RowError[] | null>(null);
  return (
    <>
      <Flex gap={8} wrap>
        <Button icon={<DownloadOutlined />} href={questionTemplateUrl} download data-testid="bank-template">
          {t('training.bankIo.template')}
        </Button>
        <Button icon={<DownloadOutlined />} href={questionExportUrl} download data-testid="bank-export">
          {t('training.bankIo.export')}
        </Button>
        <Upload
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          showUploadList={false}
          beforeUpload={(file) => {
            setRowErrors(null);
            importQ.mutate(file, {
              onSuccess: (r) => void message.success(t('training.bankIo.imported', r)),
              onError: (e) => {
                if (isApiError(e) && e.code === 'import_failed') setRowErrors(e.problem.rowErrors ?? []);
                else showError(e);
              },
            });
            return false;
          }}
        >
          <Button type="primary" icon={<UploadOutlined />} loading={importQ.isPending} data-testid="bank-import">
            {t('training.bankIo.import')}
          </Button>
        </Upload>
      </Flex>
      {rowErrors ? (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 12 }}
          title={t('training.bankIo.failed', { count: rowErrors.length })}
          description={
            <Table<RowError>
              size="small"
              rowKey={(r) => `${r.row}-${r.field}`}
              dataSource={rowErrors}
              pagination={rowErrors.length > 10 ? { pageSize: 10 } : false}
              data-testid="bank-import-errors"
              columns={[
                { title: t('training.bankIo.row'), dataIndex: 'row', width: 60 },
                { title: t('training.bankIo.column'), key: 'column', width: 90, render: (_: unknown, r) => (r as RowError & { column?: string }).column ?? r.field },
                { title: t('training.bankIo.message'), dataIndex: 'message' },
              ]}
            />
          }
        />
      ) : null}
    </>
  );
}
