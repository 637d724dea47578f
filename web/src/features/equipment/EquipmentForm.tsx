import { App, Checkbox, DatePicker, Flex, Form, Input, InputNumber, Modal, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../shared/useApiError.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { PersonSelect } from '../people/PersonSelect.tsx';
import { useEquipmentConfig, useSaveEquipment, type Equipment } from './api.ts';

interface Values {
  code: string;
  name: string;
  kind: string;
  model?: string;
  manufacturer?: string;
  location?: string;
  special: boolean;
  registrationNo?: string;
  lastInspectedOn?: Dayjs | null;
  inspectionIntervalMonths?: number | null;
  nextInspectionDue?: Dayjs | null;
  orgUnitId: string;
  responsiblePersonId?: string | null;
  riskUnitIds?: string;
  notes?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : null);
const text = (s: string | undefined) => s?.trim() || null;
export const idLines = (s: string | undefined) =>
  (s ?? '')
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Risk unit ids, one per line, each checked as a UUID before it goes to the server. */
export const riskUnitRule = (t: (k: 'equipment.form.riskUnitsBad', o: { line: number }) => string) => ({
  validator: (_: unknown, v: string | undefined) => {
    const bad = idLines(v).findIndex((id) => !UUID.test(id));
    return bad >= 0 ? Promise.reject(new Error(t('equipment.form.riskUnitsBad', { line: bad + 1 }))) : Promise.resolve();
  },
});

/**
 * Register or edit a piece of equipment. Picking a kind fills the special-equipment flag; the interval and
 * the next due date may stay empty: the server takes the kind's interval and computes the date.
 */
export function EquipmentForm({ editing, onClose }: { editing: Equipment | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const config = useEquipmentConfig();
  const save = useSaveEquipment();
  const onError = useApiError();
  const en = i18n.language === 'en';
  const special = Form.useWatch('special', form);

  const submit = (v: Values) => {
    const body = {
      code: v.code.trim(),
      name: v.name.trim(),
      kind: v.kind,
      model: text(v.model),
      manufacturer: text(v.manufacturer),
      location: text(v.location),
      special: v.special,
      registrationNo: text(v.registrationNo),
      lastInspectedOn: day(v.lastInspectedOn),
      orgUnitId: v.orgUnitId,
      responsiblePersonId: v.responsiblePersonId ?? null,
      riskUnitIds: idLines(v.riskUnitIds),
      notes: text(v.notes),
      // Left empty: the server fills them (kind default, last + interval).
      ...(v.inspectionIntervalMonths ? { inspectionIntervalMonths: v.inspectionIntervalMonths } : editing ? { inspectionIntervalMonths: null } : {}),
      ...(v.nextInspectionDue ? { nextInspectionDue: day(v.nextInspectionDue) } : {}),
    };
    save.mutate(editing ? { id: editing.id, body: { ...body, version: editing.version } } : { id: null, body }, {
      onSuccess: () => {
        message.success(t('equipment.form.saved'));
        onClose();
      },
      onError: (e) => onError(e, { form, onReload: onClose }),
    });
  };

  return (
    <Modal open title={editing ? t('equipment.form.editTitle', { code: editing.code }) : t('equipment.form.addTitle')} onCancel={onClose} onOk={() => form.submit()} okButtonProps={{ loading: save.isPending }} destroyOnHidden width={640}>
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        onValuesChange={(changed: Partial<Values>) => {
          if (changed.kind) form.setFieldValue('special', config.data?.kinds.find((k) => k.code === changed.kind)?.special ?? false);
        }}
        initialValues={
          editing
            ? {
                ...editing,
                model: editing.model ?? '',
                manufacturer: editing.manufacturer ?? '',
                location: editing.location ?? '',
                registrationNo: editing.registrationNo ?? '',
                notes: editing.notes ?? '',
                orgUnitId: editing.orgUnitId ?? undefined,
                lastInspectedOn: editing.lastInspectedOn ? dayjs(editing.lastInspectedOn) : null,
                nextInspectionDue: editing.nextInspectionDue ? dayjs(editing.nextInspectionDue) : null,
                riskUnitIds: editing.riskUnitIds.join('\n'),
              }
            : { special: false }
        }
      >
        <Flex gap={12} wrap>
          <Form.Item name="code" label={t('equipment.form.code')} rules={[{ required: true, whitespace: true, max: 50 }]} style={{ flex: '1 1 160px' }}>
            <Input maxLength={50} data-testid="eq-code" />
          </Form.Item>
          <Form.Item name="name" label={t('equipment.form.name')} rules={[{ required: true, whitespace: true, max: 200 }]} style={{ flex: '2 1 240px' }}>
            <Input maxLength={200} data-testid="eq-name" />
          </Form.Item>
        </Flex>
        <Flex gap={12} wrap align="end">
          <Form.Item name="kind" label={t('equipment.form.kind')} rules={[{ required: true }]} style={{ flex: '2 1 240px' }}>
            <Select loading={config.isLoading} options={(config.data?.kinds ?? []).filter((k) => k.active || k.code === editing?.kind).map((k) => ({ value: k.code, label: en ? k.nameEn : k.nameZh }))} data-testid="eq-kind" />
          </Form.Item>
          <Form.Item name="special" valuePropName="checked" style={{ flex: '1 1 120px' }}>
            <Checkbox>{t('equipment.form.special')}</Checkbox>
          </Form.Item>
        </Flex>
        {special ? (
          <Form.Item name="registrationNo" label={t('equipment.form.registrationNo')} rules={[{ max: 100 }]}>
            <Input maxLength={100} />
          </Form.Item>
        ) : null}
        <Flex gap={12} wrap>
          <Form.Item name="model" label={t('equipment.form.model')} style={{ flex: '1 1 160px' }}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="manufacturer" label={t('equipment.form.manufacturer')} style={{ flex: '1 1 160px' }}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="location" label={t('equipment.form.location')} style={{ flex: '1 1 160px' }}>
            <Input maxLength={200} />
          </Form.Item>
        </Flex>
        <Flex gap={12} wrap>
          <Form.Item name="lastInspectedOn" label={t('equipment.form.lastInspectedOn')}>
            <DatePicker />
          </Form.Item>
          <Form.Item name="inspectionIntervalMonths" label={t('equipment.form.interval')} tooltip={t('equipment.form.intervalHelp')}>
            <InputNumber min={1} max={240} precision={0} />
          </Form.Item>
          <Form.Item name="nextInspectionDue" label={t('equipment.form.nextDue')} tooltip={t('equipment.form.nextDueHelp')}>
            <DatePicker data-testid="eq-next-due" />
          </Form.Item>
        </Flex>
        <Form.Item name="orgUnitId" label={t('equipment.form.unit')} rules={[{ required: true }]}>
          <OrgUnitSelect testId="eq-unit" />
        </Form.Item>
        <Form.Item name="responsiblePersonId" label={t('equipment.form.person')}>
          <PersonSelect initialLabel={editing?.responsiblePersonName} />
        </Form.Item>
        <Form.Item name="riskUnitIds" label={t('equipment.form.riskUnits')} tooltip={t('equipment.form.riskUnitsHelp')} rules={[riskUnitRule(t)]}>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} />
        </Form.Item>
        <Form.Item name="notes" label={t('equipment.form.notes')}>
          <Input.TextArea maxLength={2000} autoSize={{ minRows: 2, maxRows: 5 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
