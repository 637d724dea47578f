import { PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, DatePicker, Divider, Flex, Form, Input, List, Modal, Select, Typography, Upload } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiUrl } from '../../api/client.ts';
import { currentLanguage } from '../../i18n/index.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { uploadFile } from '../hazards/api.ts';
import { inspectionResults, useInspections, useRecordInspection, type Equipment, type Inspection } from './api.ts';

interface Values {
  inspectedOn: Dayjs;
  result: Inspection['result'];
  inspector?: string;
  reportNo?: string;
  nextDue?: Dayjs | null;
  notes?: string;
}

const day = (d: Dayjs) => d.format('YYYY-MM-DD');

/**
 * Record a statutory inspection (定期检验): date, result, the inspection body's report and its scan, and
 * the next due date (computed from the interval when left empty). Shows the earlier inspections below.
 */
export function InspectionDialog({ equipment: e, onClose }: { equipment: Equipment; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const record = useRecordInspection();
  const history = useInspections(e.id);
  const onError = useApiError();
  const [file, setFile] = useState<{ id: string; name: string } | null>(null);
  const [uploading, setUploading] = useState(false);
  const result = Form.useWatch('result', form);

  const submit = (v: Values) => {
    record.mutate(
      {
        id: e.id,
        body: {
          inspectedOn: day(v.inspectedOn),
          result: v.result,
          inspector: v.inspector?.trim() || null,
          reportNo: v.reportNo?.trim() || null,
          certificateFileId: file?.id ?? null,
          ...(v.nextDue ? { nextDue: day(v.nextDue) } : {}),
          notes: v.notes?.trim() || null,
          version: e.version,
        },
      },
      {
        onSuccess: () => {
          message.success(t('equipment.inspect.saved'));
          onClose();
        },
        onError: (err) => onError(err, { form, onReload: onClose }),
      },
    );
  };

  const upload = async (f: File) => {
    setUploading(true);
    try {
      const uploaded = await uploadFile(f, f.name, undefined, currentLanguage());
      setFile({ id: uploaded.id, name: f.name });
    } catch (err) {
      onError(err);
    } finally {
      setUploading(false);
    }
  };

  return (
    <Modal open title={t('equipment.inspect.title', { code: e.code, name: e.name })} onCancel={onClose} onOk={() => form.submit()} okButtonProps={{ loading: record.isPending, disabled: uploading }} destroyOnHidden>
      <Form<Values> form={form} layout="vertical" onFinish={submit} initialValues={{ inspectedOn: dayjs(), result: 'passed' }}>
        <Flex gap={12} wrap>
          <Form.Item name="inspectedOn" label={t('equipment.inspect.inspectedOn')} rules={[{ required: true }]}>
            <DatePicker disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
          </Form.Item>
          <Form.Item name="result" label={t('equipment.inspect.result')} rules={[{ required: true }]} style={{ minWidth: 200 }}>
            <Select options={inspectionResults.map((r) => ({ value: r, label: t(`equipment.result.${r}`) }))} data-testid="insp-result" />
          </Form.Item>
        </Flex>
        <Flex gap={12} wrap>
          <Form.Item name="inspector" label={t('equipment.inspect.inspector')} style={{ flex: '1 1 200px' }}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="reportNo" label={t('equipment.inspect.reportNo')} style={{ flex: '1 1 160px' }}>
            <Input maxLength={100} />
          </Form.Item>
        </Flex>
        <Form.Item name="nextDue" label={t('equipment.inspect.nextDue')} tooltip={t('equipment.inspect.nextDueHelp')} rules={[{ required: result === 'failed' }]}>
          <DatePicker />
        </Form.Item>
        <Form.Item label={t('equipment.inspect.certificate')}>
          <Flex gap={8} align="center" wrap>
            <Upload
              accept="image/*,application/pdf"
              showUploadList={false}
              beforeUpload={(f) => {
                void upload(f);
                return false;
              }}
            >
              <Button icon={<UploadOutlined />} loading={uploading}>
                {t('equipment.inspect.upload')}
              </Button>
            </Upload>
            {file ? (
              <Typography.Text>
                <PaperClipOutlined /> {file.name}
              </Typography.Text>
            ) : null}
          </Flex>
        </Form.Item>
        <Form.Item name="notes" label={t('equipment.inspect.notes')}>
          <Input.TextArea maxLength={2000} autoSize={{ minRows: 2, maxRows: 4 }} />
        </Form.Item>
      </Form>
      <Divider titlePlacement="start">{t('equipment.inspect.history')}</Divider>
      <List<Inspection>
        size="small"
        loading={history.isLoading}
        dataSource={history.data?.items ?? []}
        locale={{ emptyText: t('equipment.inspect.none') }}
        renderItem={(i) => (
          <List.Item>
            <Flex gap={8} wrap>
              <Typography.Text strong>{i.inspectedOn}</Typography.Text>
              <Typography.Text type={i.result === 'failed' ? 'danger' : undefined}>{t(`equipment.result.${i.result}`)}</Typography.Text>
              {i.inspector ? <Typography.Text type="secondary">{i.inspector}</Typography.Text> : null}
              {i.reportNo ? <Typography.Text type="secondary">{i.reportNo}</Typography.Text> : null}
              {i.nextDue ? <Typography.Text type="secondary">→ {i.nextDue}</Typography.Text> : null}
              {i.certificateFileId ? (
                <a href={apiUrl(`/files/${i.certificateFileId}`)} target="_blank" rel="noreferrer">
                  <PaperClipOutlined />
                </a>
              ) : null}
            </Flex>
          </List.Item>
        )}
      />
    </Modal>
  );
}
