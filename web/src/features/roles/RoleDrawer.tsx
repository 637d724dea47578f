import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Drawer, Flex, Form, Input, Select, Spin } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { useDataScopeLabel } from '../../shared/labels.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { dataScopes, roleKeys, useCreateRole, usePermissionCatalog, useUpdateRole, type DataScope, type Role } from './api.ts';
import { PermissionPicker } from './PermissionPicker.tsx';
import { useRoleName } from './useRoleName.ts';

interface Values {
  code: string;
  name: string;
  nameEn?: string;
  description?: string;
  dataScope: DataScope;
  permissions: string[];
}

/** View a role, or create/edit a custom one. Built-in roles follow the catalog and stay read-only. */
export function RoleDrawer({ role, onClose }: { role: Role | 'new' | null; onClose: () => void }) {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const { can } = useCan();
  const scopeLabel = useDataScopeLabel();
  const roleName = useRoleName();
  const [form] = Form.useForm<Values>();
  const catalog = usePermissionCatalog(role !== null);
  const create = useCreateRole();
  const update = useUpdateRole();
  const onError = useApiError();
  const qc = useQueryClient();
  const existing = role && role !== 'new' ? role : null;
  const readOnly = !can('roles:write') || (existing?.builtin ?? false);

  useEffect(() => {
    if (!role) return;
    form.resetFields();
    form.setFieldsValue(
      existing
        ? { code: existing.code, name: existing.name, nameEn: existing.nameEn ?? '', description: existing.description ?? '', dataScope: existing.dataScope, permissions: existing.permissions }
        : { code: '', name: '', nameEn: '', description: '', dataScope: 'self', permissions: [] },
    );
  }, [role, existing, form]);

  const submit = (v: Values) => {
    const body = { name: v.name.trim(), nameEn: v.nameEn?.trim() || undefined, description: v.description?.trim() || undefined, dataScope: v.dataScope, permissions: v.permissions };
    const reload = () => {
      void qc.invalidateQueries({ queryKey: roleKeys.roles });
      onClose();
    };
    const opts = { onSuccess: onClose, onError: (e: unknown) => onError(e, { form, onReload: reload }) };
    if (existing) update.mutate({ id: existing.id, ...body, version: existing.version }, opts);
    else create.mutate({ code: v.code.trim(), ...body }, opts);
  };

  return (
    <Drawer
      open={role !== null}
      onClose={onClose}
      size={isPhone ? '100%' : 640}
      title={existing ? roleName(existing) : t('roles.new')}
      forceRender
      data-testid="role-drawer"
      footer={
        readOnly ? null : (
          <Flex justify="end" gap={8}>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="primary" onClick={() => form.submit()} loading={create.isPending || update.isPending} data-testid="role-save">
              {t('common.save')}
            </Button>
          </Flex>
        )
      }
    >
      {existing?.builtin ? <Alert type="info" showIcon title={t('roles.builtinReadOnly')} style={{ marginBottom: 16 }} /> : null}
      <Form form={form} layout="vertical" onFinish={submit} disabled={readOnly}>
        <Form.Item name="code" label={t('roles.code')} extra={existing ? undefined : t('roles.codeHelp')} rules={[{ required: true, message: t('validation.required') }, { pattern: /^[a-z][a-z0-9_]{1,39}$/, message: t('validation.roleCode') }]}>
          <Input maxLength={40} disabled={readOnly || existing !== null} />
        </Form.Item>
        <Form.Item name="name" label={t('roles.nameZh')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="nameEn" label={t('roles.nameEn')} rules={[{ max: 100 }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="description" label={t('roles.description')} rules={[{ max: 500 }]}>
          <Input.TextArea maxLength={500} autoSize={{ minRows: 2, maxRows: 4 }} />
        </Form.Item>
        <Form.Item name="dataScope" label={t('roles.dataScope')} extra={t('roles.dataScopeHelp')} rules={[{ required: true }]}>
          <Select options={dataScopes.map((s) => ({ value: s, label: scopeLabel(s) }))} />
        </Form.Item>
        <Form.Item name="permissions" label={t('roles.permissions')}>
          {catalog.isLoading ? <Spin /> : <PermissionPicker catalog={catalog.data ?? []} disabled={readOnly} />}
        </Form.Item>
      </Form>
    </Drawer>
  );
}
