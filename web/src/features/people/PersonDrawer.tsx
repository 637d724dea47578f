import { useQueryClient } from '@tanstack/react-query';
import { Button, DatePicker, Drawer, Flex, Form, Input, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { usePersonKindLabel, usePersonStatusLabel } from '../../shared/labels.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { usePositions } from '../positions/api.ts';
import { peopleKeys, useCreatePerson, useUpdatePerson, type Gender, type Person, type PersonInput, type PersonKind, type PersonStatus } from './api.ts';

interface Values {
  kind: PersonKind;
  employeeNo: string;
  name: string;
  phone?: string;
  email?: string;
  gender?: Gender;
  orgUnitId: string;
  positionId?: string;
  contractorUnitId?: string;
  hireDate?: Dayjs | null;
  status: PersonStatus;
}

// Mainland mobile numbers: they double as the login name, so a typo locks the person out.
const mobile = /^1[3-9]\d{9}$/;

function toValues(p: Person | null): Values {
  if (!p) return { kind: 'employee', employeeNo: '', name: '', orgUnitId: '', status: 'active' } as Values;
  return {
    kind: p.kind,
    employeeNo: p.employeeNo,
    name: p.name,
    phone: p.phone ?? undefined,
    email: p.email ?? undefined,
    gender: p.gender ?? undefined,
    orgUnitId: p.orgUnitId ?? '',
    positionId: p.positionId ?? undefined,
    contractorUnitId: p.contractorUnitId ?? undefined,
    hireDate: p.hireDate ? dayjs(p.hireDate) : null,
    status: p.status,
  };
}

function toInput(v: Values): PersonInput {
  return {
    kind: v.kind,
    employeeNo: v.employeeNo.trim(),
    name: v.name.trim(),
    phone: v.phone?.trim() || null,
    email: v.email?.trim() || null,
    gender: v.gender ?? null,
    orgUnitId: v.orgUnitId,
    positionId: v.positionId ?? null,
    contractorUnitId: v.kind === 'contractor' ? (v.contractorUnitId ?? null) : null,
    hireDate: v.hireDate ? v.hireDate.format('YYYY-MM-DD') : null,
  };
}

/** Create or edit a person; updates carry the version they were read at (409 when someone was faster). */
export function PersonDrawer({ person, onClose }: { person: Person | 'new' | null; onClose: () => void }) {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const kindLabel = usePersonKindLabel();
  const statusLabel = usePersonStatusLabel();
  const [form] = Form.useForm<Values>();
  const kind = Form.useWatch('kind', form);
  const positions = usePositions(person !== null);
  const create = useCreatePerson();
  const update = useUpdatePerson();
  const onError = useApiError();
  const qc = useQueryClient();
  const existing = person && person !== 'new' ? person : null;

  useEffect(() => {
    if (person) {
      form.resetFields();
      form.setFieldsValue(toValues(existing));
    }
  }, [person, existing, form]);

  const submit = (v: Values) => {
    const input = toInput(v);
    // After a version conflict: close the stale editor and reload the list, so the next edit starts fresh.
    const reload = () => {
      void qc.invalidateQueries({ queryKey: peopleKeys.all });
      onClose();
    };
    const opts = { onSuccess: onClose, onError: (e: unknown) => onError(e, { form, onReload: reload }) };
    if (existing) update.mutate({ id: existing.id, ...input, status: v.status, version: existing.version }, opts);
    else create.mutate(input, opts);
  };

  return (
    <Drawer
      open={person !== null}
      onClose={onClose}
      size={isPhone ? '100%' : 520}
      title={existing ? t('people.editTitle', { name: existing.name }) : t('people.new')}
      forceRender
      footer={
        <Flex justify="end" gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" onClick={() => form.submit()} loading={create.isPending || update.isPending} data-testid="person-save">
            {t('common.save')}
          </Button>
        </Flex>
      }
    >
      <Form form={form} layout="vertical" onFinish={submit} data-testid="person-form">
        <Form.Item name="name" label={t('people.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="employeeNo" label={t('people.employeeNo')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 50 }]}>
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item name="kind" label={t('people.kind')} rules={[{ required: true }]}>
          <Select options={(['employee', 'contractor'] as const).map((k) => ({ value: k, label: kindLabel(k) }))} />
        </Form.Item>
        {kind === 'contractor' ? (
          <Form.Item name="contractorUnitId" label={t('people.contractorUnit')} rules={[{ required: true, message: t('validation.required') }]}>
            <OrgUnitSelect onlyKinds={['contractor']} placeholder={t('people.contractorUnit')} />
          </Form.Item>
        ) : null}
        <Form.Item name="orgUnitId" label={t('people.orgUnit')} rules={[{ required: true, message: t('validation.required') }]}>
          <OrgUnitSelect placeholder={t('people.orgUnit')} testId="person-org" />
        </Form.Item>
        <Form.Item name="positionId" label={t('people.position')}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            loading={positions.isLoading}
            options={(positions.data ?? []).filter((p) => p.active || p.id === existing?.positionId).map((p) => ({ value: p.id, label: p.name }))}
          />
        </Form.Item>
        <Form.Item name="phone" label={t('people.phone')} rules={[{ pattern: mobile, message: t('validation.mobile') }]}>
          <Input inputMode="tel" maxLength={11} />
        </Form.Item>
        <Form.Item name="email" label={t('people.email')} rules={[{ type: 'email', message: t('validation.email') }, { max: 200 }]}>
          <Input inputMode="email" maxLength={200} />
        </Form.Item>
        <Form.Item name="gender" label={t('people.gender')}>
          <Select allowClear options={(['male', 'female', 'other'] as const).map((g) => ({ value: g, label: t(`people.genders.${g}`) }))} />
        </Form.Item>
        <Form.Item name="hireDate" label={t('people.hireDate')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        {existing ? (
          <Form.Item name="status" label={t('people.status')} rules={[{ required: true }]}>
            <Select options={(['active', 'left'] as const).map((s) => ({ value: s, label: statusLabel(s) }))} />
          </Form.Item>
        ) : null}
      </Form>
    </Drawer>
  );
}
