import { Form, Input, InputNumber, Modal, Select } from 'antd';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { useOrgKindLabel } from '../../shared/labels.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { PersonSelect } from '../people/PersonSelect.tsx';
import { useCreateOrgUnit, useOrgUnits, useUpdateOrgUnit, type OrgUnit, type OrgUnitKind } from './api.ts';
import { allowedParentKinds, childKindsOf } from './kindRules.ts';
import { OrgUnitSelect } from './OrgUnitSelect.tsx';
import { subtreeIds } from './tree.ts';

const codeRule = { pattern: /^[A-Za-z0-9_-]{1,50}$/ };

interface CreateValues {
  kind: OrgUnitKind;
  code: string;
  name: string;
  sort?: number;
}

export function OrgUnitCreateModal({ open, parent, onClose }: { open: boolean; parent: OrgUnit; onClose: (createdId?: string) => void }) {
  const { t } = useTranslation();
  const kindLabel = useOrgKindLabel();
  const [form] = Form.useForm<CreateValues>();
  const create = useCreateOrgUnit();
  const onError = useApiError();
  useEffect(() => {
    if (open) form.setFieldsValue({ kind: childKindsOf(parent.kind)[0], code: '', name: '', sort: undefined });
  }, [open, parent, form]);
  const submit = (v: CreateValues) =>
    create.mutate(
      { parentId: parent.id, kind: v.kind, code: v.code.trim(), name: v.name.trim(), sort: v.sort ?? undefined },
      { onSuccess: (u) => onClose(u.id), onError: (e) => onError(e, { form }) },
    );
  return (
    <Modal open={open} title={t('org.addChildTo', { name: parent.name })} onCancel={() => onClose()} onOk={() => form.submit()} okText={t('common.create')} confirmLoading={create.isPending} forceRender>
      <Form form={form} layout="vertical" onFinish={submit} data-testid="org-create-form">
        <Form.Item name="kind" label={t('org.kind')} rules={[{ required: true }]}>
          <Select options={childKindsOf(parent.kind).map((k) => ({ value: k, label: kindLabel(k) }))} />
        </Form.Item>
        <Form.Item name="name" label={t('org.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="code" label={t('org.code')} extra={t('org.codeHelp')} rules={[{ required: true, message: t('validation.required') }, { ...codeRule, message: t('validation.code') }]}>
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item name="sort" label={t('org.sort')}>
          <InputNumber min={0} max={100000} style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface EditValues {
  name: string;
  code: string;
  sort: number;
  managerPersonId: string | null;
}

export function OrgUnitEditModal({ open, unit, onClose }: { open: boolean; unit: OrgUnit; onClose: () => void }) {
  const { t } = useTranslation();
  const { can } = useCan();
  const [form] = Form.useForm<EditValues>();
  const update = useUpdateOrgUnit();
  const units = useOrgUnits(false);
  const onError = useApiError();
  useEffect(() => {
    if (open) form.setFieldsValue({ name: unit.name, code: unit.code, sort: unit.sort, managerPersonId: unit.managerPersonId });
  }, [open, unit, form]);
  const submit = (v: EditValues) =>
    update.mutate(
      { id: unit.id, name: v.name.trim(), code: v.code.trim(), sort: v.sort, managerPersonId: v.managerPersonId ?? null, version: unit.version },
      { onSuccess: () => onClose(), onError: (e) => onError(e, { form, onReload: () => void units.refetch().then(() => onClose()) }) },
    );
  return (
    <Modal open={open} title={t('org.editUnit', { name: unit.name })} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={update.isPending} forceRender>
      <Form form={form} layout="vertical" onFinish={submit} data-testid="org-edit-form">
        <Form.Item name="name" label={t('org.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="code" label={t('org.code')} rules={[{ required: true, message: t('validation.required') }, { ...codeRule, message: t('validation.code') }]}>
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item name="sort" label={t('org.sort')}>
          <InputNumber min={0} max={100000} style={{ width: '100%' }} />
        </Form.Item>
        {can('people:read') ? (
          <Form.Item name="managerPersonId" label={t('org.manager')}>
            <PersonSelect initialLabel={unit.managerName} />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}

export function OrgUnitMoveModal({ open, unit, units, onClose }: { open: boolean; unit: OrgUnit; units: OrgUnit[]; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ parentId: string }>();
  const update = useUpdateOrgUnit();
  const onError = useApiError();
  // A unit cannot move under itself or its own descendants.
  const excluded = useMemo(() => subtreeIds(units, unit.id), [units, unit.id]);
  useEffect(() => {
    if (open) form.setFieldsValue({ parentId: unit.parentId ?? undefined });
  }, [open, unit, form]);
  const submit = (v: { parentId: string }) =>
    update.mutate({ id: unit.id, parentId: v.parentId, version: unit.version }, { onSuccess: () => onClose(), onError: (e) => onError(e, { form, onReload: onClose }) });
  return (
    <Modal open={open} title={t('org.moveUnit', { name: unit.name })} onCancel={onClose} onOk={() => form.submit()} okText={t('org.move')} confirmLoading={update.isPending} forceRender>
      <Form form={form} layout="vertical" onFinish={submit} data-testid="org-move-form">
        <Form.Item name="parentId" label={t('org.newParent')} extra={t('org.moveHelp')} rules={[{ required: true, message: t('validation.required') }]}>
          <OrgUnitSelect exclude={excluded} onlyKinds={allowedParentKinds[unit.kind]} placeholder={t('org.pickParent')} testId="org-move-parent" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
