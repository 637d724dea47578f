import { PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, DatePicker, Flex, Form, Input, Modal, Select, Typography, Upload } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../../i18n/index.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { uploadFile } from '../hazards/api.ts';
import { usePeopleSearch } from '../people/api.ts';
import { useSaveCertificate, useTrainingConfig, type Certificate } from './api.ts';

interface Values {
  personId: string;
  typeId: string;
  category?: string | null;
  number: string;
  issuer: string;
  issuedOn: Dayjs;
  validUntil?: Dayjs | null;
  nextReviewOn?: Dayjs | null;
  notes?: string;
}

const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : undefined);

/** Holder picker: any person (employee or contractor worker), with or without a login. */
export function PersonPicker({ value, onChange, initial, testId = 'cert-person' }: { value?: string; onChange?: (v: string | undefined) => void; initial?: { id: string; label: string }; testId?: string }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const deferred = useDeferredValue(q.trim());
  const search = usePeopleSearch(deferred, open || Boolean(q));
  const options = (search.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.name} · ${p.employeeNo}${p.orgUnitName ? ` · ${p.orgUnitName}` : ''}` }));
  if (initial && !options.some((o) => o.value === initial.id)) options.unshift({ value: initial.id, label: initial.label });
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value}
      onChange={(v: string | undefined) => onChange?.(v)}
      onOpenChange={setOpen}
      options={options}
      loading={search.isFetching}
      placeholder={t('training.form.personPlaceholder')}
      data-testid={testId}
    />
  );
}

/**
 * Record or edit a certificate. Validity and review dates may be left empty: the server fills them from
 * the type (6 years / review every 3 years for 特种作业操作证). The scan uploads first and is sent by id.
 */
export function CertificateForm({ open, editing, personId, onClose }: { open: boolean; editing: Certificate | null; personId?: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const config = useTrainingConfig();
  const save = useSaveCertificate();
  const onError = useApiError();
  const [scan, setScan] = useState<{ id: string; name: string } | null>(editing?.scanFileId ? { id: editing.scanFileId, name: t('training.form.uploaded') } : null);
  const [uploading, setUploading] = useState(false);
  const typeId = Form.useWatch('typeId', form);
  const type = config.data?.types.find((x) => x.id === (typeId ?? editing?.typeId));
  const en = i18n.language === 'en';
  const categoryOptions = useMemo(() => (type?.categories ?? []).map((c) => ({ value: c.code, label: en ? c.labelEn : c.labelZh })), [type, en]);

  const submit = (v: Values) => {
    const common = { category: categoryOptions.length > 0 ? (v.category ?? null) : null, number: v.number, issuer: v.issuer, issuedOn: day(v.issuedOn), notes: v.notes?.trim() || null, scanFileId: scan?.id ?? null };
    const request = editing
      ? { id: editing.id, body: { ...common, validUntil: day(v.validUntil), nextReviewOn: v.nextReviewOn ? day(v.nextReviewOn) : null, version: editing.version } }
      : {
          id: null,
          body: {
            ...common,
            issuedOn: day(v.issuedOn) ?? '',
            personId: v.personId,
            typeId: v.typeId,
            ...(v.validUntil ? { validUntil: day(v.validUntil) } : {}),
            ...(v.nextReviewOn ? { nextReviewOn: day(v.nextReviewOn) } : {}),
          },
        };
    save.mutate(request, {
      onSuccess: () => {
        message.success(t('training.form.saved'));
        onClose();
      },
      onError: (e) => onError(e, { form, onReload: onClose }),
    });
  };

  const upload = async (file: File) => {
    setUploading(true);
    try {
      const f = await uploadFile(file, file.name, undefined, currentLanguage());
      setScan({ id: f.id, name: file.name });
    } catch (e) {
      onError(e);
    } finally {
      setUploading(false);
    }
  };

  return (
    <Modal
      open={open}
      title={editing ? t('training.form.editTitle', { number: editing.number }) : t('training.form.addTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: save.isPending, disabled: uploading }}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        // Categories belong to a type: another type's category would be refused by the server.
        onValuesChange={(changed: Partial<Values>) => {
          if ('typeId' in changed) form.setFieldValue('category', undefined);
        }}
        initialValues={
          editing
            ? {
                personId: editing.personId,
                typeId: editing.typeId,
                category: editing.category,
                number: editing.number,
                issuer: editing.issuer,
                issuedOn: dayjs(editing.issuedOn),
                validUntil: dayjs(editing.validUntil),
                nextReviewOn: editing.nextReviewOn ? dayjs(editing.nextReviewOn) : null,
                notes: editing.notes ?? '',
              }
            : { personId }
        }
      >
        <Form.Item name="personId" label={t('training.form.person')} rules={[{ required: true }]}>
          {editing ? <Input disabled value={editing.personName} /> : <PersonPicker />}
        </Form.Item>
        <Form.Item name="typeId" label={t('training.form.type')} rules={[{ required: true }]}>
          <Select
            disabled={Boolean(editing)}
            loading={config.isLoading}
            options={(config.data?.types ?? []).filter((x) => x.active).map((x) => ({ value: x.id, label: en ? x.nameEn : x.nameZh }))}
            data-testid="cert-type"
          />
        </Form.Item>
        {categoryOptions.length > 0 ? (
          <Form.Item name="category" label={t('training.form.category')} rules={[{ required: true }]}>
            <Select options={categoryOptions} data-testid="cert-category" />
          </Form.Item>
        ) : null}
        <Form.Item name="number" label={t('training.form.number')} rules={[{ required: true, whitespace: true, max: 100 }]}>
          <Input maxLength={100} data-testid="cert-number" />
        </Form.Item>
        <Form.Item name="issuer" label={t('training.form.issuer')} rules={[{ required: true, whitespace: true, max: 200 }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item name="issuedOn" label={t('training.form.issuedOn')} rules={[{ required: true }]}>
            <DatePicker data-testid="cert-issued" />
          </Form.Item>
          <Form.Item
            name="validUntil"
            label={t('training.form.validUntil')}
            tooltip={editing ? undefined : t('training.form.validUntilHelp')}
            dependencies={['issuedOn']}
            rules={[
              { required: Boolean(editing) || (type ? type.validityMonths === null : false) },
              ({ getFieldValue }) => ({
                validator: (_, v: Dayjs | null | undefined) => {
                  const issued = getFieldValue('issuedOn') as Dayjs | undefined;
                  return v && issued && v.isBefore(issued, 'day') ? Promise.reject(new Error(t('training.form.validUntilBeforeIssue'))) : Promise.resolve();
                },
              }),
            ]}
          >
            <DatePicker />
          </Form.Item>
          <Form.Item name="nextReviewOn" label={t('training.form.nextReviewOn')} tooltip={editing ? undefined : t('training.form.nextReviewHelp')}>
            <DatePicker />
          </Form.Item>
        </Flex>
        <Form.Item label={t('training.form.scan')}>
          <Flex gap={8} align="center" wrap>
            <Upload accept="image/*,application/pdf" showUploadList={false} beforeUpload={(file) => {
                void upload(file);
                return false;
              }}>
              <Button icon={<UploadOutlined />} loading={uploading}>
                {t('training.form.upload')}
              </Button>
            </Upload>
            {scan ? (
              <>
                <Typography.Text>
                  <PaperClipOutlined /> {scan.name}
                </Typography.Text>
                <Button type="link" size="small" onClick={() => setScan(null)}>
                  {t('training.form.removeScan')}
                </Button>
              </>
            ) : null}
          </Flex>
        </Form.Item>
        <Form.Item name="notes" label={t('training.form.notes')} rules={[{ max: 2000 }]}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
