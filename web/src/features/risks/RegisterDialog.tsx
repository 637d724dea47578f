import { App, Form, Input, InputNumber, Modal, Select, Space, type ButtonProps } from 'antd';
import { useDeferredValue, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, isApiError } from '../../api/client.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { usePeopleSearch } from '../people/api.ts';
import { useRiskConfig, useSaveRegister, type RegisterKind, type TreeEvent, type TreeMeasure, type TreeObject, type TreeUnit } from './api.ts';

/** What the dialog edits: a new record under its parent, or an existing one (PATCH with its version). */
export type RegisterTarget =
  | { kind: 'object'; record?: TreeObject }
  | { kind: 'unit'; parentId: string; record?: TreeUnit }
  | { kind: 'event'; parentId: string; record?: TreeEvent }
  | { kind: 'measure'; parentId: string; record?: TreeMeasure };

const objectTypes = ['area', 'equipment', 'operation', 'process', 'other'] as const;
const cycleUnits = ['hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
const workDayTypes = ['workdays', 'non_workdays', 'every_day'] as const;
const parentField: Record<Exclude<RegisterKind, 'object'>, string> = { unit: 'objectId', event: 'unitId', measure: 'eventId' };

/** A person (the responsible person of a unit or measure): the value is the person id, found by name or number. */
function PersonPicker({ value, onChange, initialLabel, testId }: { value?: string | null; onChange?: (v: string | null) => void; initialLabel?: string | null; testId?: string }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const deferred = useDeferredValue(q.trim());
  const search = usePeopleSearch(deferred, open || Boolean(q));
  const options = (search.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.name} · ${p.employeeNo}${p.orgUnitName ? ` · ${p.orgUnitName}` : ''}` }));
  if (value && initialLabel && !options.some((o) => o.value === value)) options.unshift({ value, label: initialLabel });
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      allowClear
      value={value ?? undefined}
      onChange={(v: string | undefined) => onChange?.(v ?? null)}
      onOpenChange={setOpen}
      options={options}
      loading={search.isFetching}
      placeholder={t('risks.form.personPlaceholder')}
      notFoundContent={search.isError ? t('risks.form.noPeopleAccess') : undefined}
      data-testid={testId}
    />
  );
}

type Values = Record<string, unknown>;

function initialValues(target: RegisterTarget): Values {
  const r = target.record;
  if (!r) return target.kind === 'measure' ? { checkCycle: 1, checkCycleUnit: 'day', workDayType: 'workdays', classify1: 'engineering' } : target.kind === 'object' ? { type: 'area' } : {};
  switch (target.kind) {
    case 'object': {
      const o = target.record!;
      return { code: o.code, name: o.name, type: o.type, orgUnitId: o.orgUnitId, description: o.description };
    }
    case 'unit': {
      const u = target.record!;
      return { name: u.name, orgUnitId: u.orgUnitId, responsiblePersonId: u.responsiblePersonId, description: u.description };
    }
    case 'event': {
      const e = target.record!;
      return { name: e.name, consequences: e.consequences, description: e.description };
    }
    case 'measure': {
      const m = target.record!;
      return { description: m.description, classify1: m.classify1, classify2: m.classify2, classify3: m.classify3, troubleshootContent: m.troubleshootContent, checkCycle: m.checkCycle, checkCycleUnit: m.checkCycleUnit, workDayType: m.workDayType, orgUnitId: m.orgUnitId, responsiblePersonId: m.responsiblePersonId };
    }
  }
}

/** Empty optional texts go as null (clears them on an edit); undefined fields are left out. */
function clean(values: Values): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'string' && v.trim() === '' ? null : v;
  }
  return out;
}

/**
 * Create or edit one level of the register (风险分析对象 / 单元 / 事件 / 管控措施) with the fields the server
 * takes; the server checks scope and version and answers a bad field by name, shown on the form.
 */
export function RegisterDialog({ target, onClose }: { target: RegisterTarget | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveRegister();
  const config = useRiskConfig();
  const classify1 = Form.useWatch('classify1', form) as string | undefined;
  const en = i18n.language === 'en';

  useEffect(() => {
    if (target) {
      form.resetFields();
      form.setFieldsValue(initialValues(target));
    }
  }, [target, form]);

  if (!target) return null;
  const kind = target.kind;
  const editing = Boolean(target.record);
  const classes = (config.data?.measureClasses ?? []).filter((c) => c.active);
  const classLabel = (c: { labelZh: string; labelEn: string }) => (en ? c.labelEn : c.labelZh);

  const submit = async () => {
    const values = clean(await form.validateFields());
    try {
      if (target.record) await save.mutateAsync({ kind, id: target.record.id, body: { ...values, version: target.record.version } });
      else await save.mutateAsync({ kind, body: kind === 'object' ? values : { ...values, [parentField[kind]]: target.parentId } });
      void message.success(t('risks.form.saved'));
      onClose();
    } catch (e) {
      if (isApiError(e) && e.errors?.length) form.setFields(e.errors.map((f) => ({ name: f.field.split('.')[0] ?? f.field, errors: [f.message] })));
      void message.error(isApiError(e) ? errorText(e) : t('errors.generic'));
    }
  };

  const req = { required: true, message: t('risks.form.required') };
  return (
    <Modal open title={editing ? t(`risks.form.titleEdit.${kind}`) : t(`risks.form.titleNew.${kind}`)} onCancel={onClose} onOk={() => void submit()} confirmLoading={save.isPending} okText={t('risks.form.save')} okButtonProps={{ 'data-testid': 'risk-form-save' } as ButtonProps} destroyOnHidden data-testid={`risk-form-${kind}`}>
      <Form form={form} layout="vertical">
        {kind === 'object' ? (
          <>
            <Form.Item name="code" label={t('risks.form.code')} rules={[req]}>
              <Input maxLength={50} data-testid="risk-form-code" />
            </Form.Item>
            <Form.Item name="name" label={t('risks.form.name')} rules={[req]}>
              <Input maxLength={200} data-testid="risk-form-name" />
            </Form.Item>
            <Form.Item name="type" label={t('risks.form.type')} rules={[req]}>
              <Select options={objectTypes.map((v) => ({ value: v, label: t(`risks.objectType.${v}`) }))} />
            </Form.Item>
            <Form.Item name="orgUnitId" label={t('risks.form.owningUnit')} rules={[req]}>
              <OrgUnitSelect testId="risk-form-org" />
            </Form.Item>
          </>
        ) : null}
        {kind === 'unit' ? (
          <>
            <Form.Item name="name" label={t('risks.form.name')} rules={[req]}>
              <Input maxLength={200} data-testid="risk-form-name" />
            </Form.Item>
            <Form.Item name="orgUnitId" label={t('risks.event.responsible')} rules={[req]}>
              <OrgUnitSelect testId="risk-form-org" />
            </Form.Item>
            <Form.Item name="responsiblePersonId" label={t('risks.event.person')}>
              <PersonPicker initialLabel={target.kind === 'unit' ? target.record?.responsiblePersonName : null} testId="risk-form-person" />
            </Form.Item>
          </>
        ) : null}
        {kind === 'event' ? (
          <>
            <Form.Item name="name" label={t('risks.form.name')} rules={[req]}>
              <Input maxLength={200} data-testid="risk-form-name" />
            </Form.Item>
            <Form.Item name="consequences" label={t('risks.event.consequences')}>
              <Input.TextArea maxLength={1000} autoSize={{ minRows: 2 }} data-testid="risk-form-consequences" />
            </Form.Item>
          </>
        ) : null}
        {kind === 'measure' ? (
          <>
            <Form.Item name="description" label={t('risks.form.measure')} rules={[req]}>
              <Input.TextArea maxLength={2000} autoSize={{ minRows: 2 }} data-testid="risk-form-description" />
            </Form.Item>
            <Form.Item name="classify1" label={t('risks.form.classify1')} rules={[req]}>
              <Select options={classes.filter((c) => c.parentCode === null).map((c) => ({ value: c.code, label: classLabel(c) }))} onChange={() => form.setFieldValue('classify2', null)} loading={config.isLoading} data-testid="risk-form-classify1" />
            </Form.Item>
            <Form.Item name="classify2" label={t('risks.form.classify2')}>
              <Select allowClear options={classes.filter((c) => c.parentCode === classify1).map((c) => ({ value: c.code, label: classLabel(c) }))} />
            </Form.Item>
            <Form.Item name="classify3" label={t('risks.form.classify3')}>
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item name="troubleshootContent" label={t('risks.form.troubleshoot')} rules={[req]}>
              <Input.TextArea maxLength={2000} autoSize={{ minRows: 2 }} data-testid="risk-form-troubleshoot" />
            </Form.Item>
            <Form.Item label={t('risks.form.cycle')} required>
              <Space.Compact>
                <Form.Item name="checkCycle" noStyle rules={[req]}>
                  <InputNumber min={1} max={1000} precision={0} style={{ width: 90 }} data-testid="risk-form-cycle" />
                </Form.Item>
                <Form.Item name="checkCycleUnit" noStyle rules={[req]}>
                  <Select style={{ width: 120 }} options={cycleUnits.map((v) => ({ value: v, label: t(`risks.cycleUnit.${v}`) }))} />
                </Form.Item>
                <Form.Item name="workDayType" noStyle rules={[req]}>
                  <Select style={{ width: 150 }} options={workDayTypes.map((v) => ({ value: v, label: t(`risks.workDay.${v}`) }))} />
                </Form.Item>
              </Space.Compact>
            </Form.Item>
            <Form.Item name="orgUnitId" label={t('risks.form.measureUnit')}>
              <OrgUnitSelect allowClear testId="risk-form-org" />
            </Form.Item>
            <Form.Item name="responsiblePersonId" label={t('risks.event.person')}>
              <PersonPicker initialLabel={target.kind === 'measure' ? target.record?.responsiblePersonName : null} testId="risk-form-person" />
            </Form.Item>
          </>
        ) : null}
        {kind !== 'measure' ? (
          <Form.Item name="description" label={t('risks.event.description')}>
            <Input.TextArea maxLength={2000} autoSize={{ minRows: 2 }} />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}
