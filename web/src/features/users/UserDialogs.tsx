import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Drawer, Flex, Form, Input, Modal, Spin } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { PersonSelect } from '../people/PersonSelect.tsx';
import { useRoles } from '../roles/api.ts';
import { useRoleName } from '../roles/useRoleName.ts';
import { useCreateUser, useResetPassword, useUpdateUser, userKeys, type User } from './api.ts';

// The server enforces the real password policy and says which rule failed; this only catches typos early.
const MIN_PASSWORD = 8;

function RoleCheckboxes({ value, onChange }: { value?: string[]; onChange?: (v: string[]) => void }) {
  const { t } = useTranslation();
  const roles = useRoles();
  const roleName = useRoleName();
  if (roles.isLoading) return <Spin />;
  if (roles.isError) return <Alert type="warning" showIcon title={t('users.rolesUnavailable')} />;
  return (
    <Checkbox.Group value={value} onChange={(v) => onChange?.(v.map(String))} style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
      {(roles.data ?? []).map((r) => (
        <Checkbox key={r.id} value={r.id}>
          {roleName(r)}
        </Checkbox>
      ))}
    </Checkbox.Group>
  );
}

export function AssignRolesModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ roleIds: string[] }>();
  const update = useUpdateUser();
  const onError = useApiError();
  const qc = useQueryClient();
  const reload = () => {
    void qc.invalidateQueries({ queryKey: userKeys.all });
    onClose();
  };
  useEffect(() => {
    if (user) form.setFieldsValue({ roleIds: user.roles.map((r) => r.id) });
  }, [user, form]);
  return (
    <Modal open={user !== null} title={t('users.assignRolesFor', { name: user?.displayName ?? '' })} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={update.isPending} forceRender>
      <Form form={form} onFinish={(v) => user && update.mutate({ id: user.id, roleIds: v.roleIds, version: user.version }, { onSuccess: onClose, onError: (e) => onError(e, { form, onReload: reload }) })}>
        <Form.Item name="roleIds">
          <RoleCheckboxes />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ResetPasswordModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ password: string; confirm: string }>();
  const reset = useResetPassword();
  const onError = useApiError();
  useEffect(() => {
    if (user) form.resetFields();
  }, [user, form]);
  return (
    <Modal open={user !== null} title={t('users.resetPasswordFor', { name: user?.displayName ?? '' })} onCancel={onClose} onOk={() => form.submit()} okText={t('users.resetPassword')} confirmLoading={reset.isPending} forceRender>
      <Form form={form} layout="vertical" onFinish={(v) => user && reset.mutate({ id: user.id, password: v.password }, { onSuccess: onClose, onError: (e) => onError(e, { form }) })}>
        <Form.Item name="password" label={t('users.newPassword')} rules={[{ required: true, message: t('validation.required') }, { min: MIN_PASSWORD, message: t('validation.passwordMin', { count: MIN_PASSWORD }) }]}>
          <Input.Password autoComplete="new-password" maxLength={200} />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('users.confirmPassword')}
          dependencies={['password']}
          rules={[{ required: true, message: t('validation.required') }, ({ getFieldValue }) => ({ validator: (_, v) => (v === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('validation.passwordMismatch')))) })]}
        >
          <Input.Password autoComplete="new-password" maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface CreateValues {
  personId?: string | null;
  username: string;
  displayName: string;
  phone?: string;
  password: string;
  roleIds: string[];
}

export function CreateUserDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { can } = useCan();
  const isPhone = useIsPhone();
  const [form] = Form.useForm<CreateValues>();
  const create = useCreateUser();
  const onError = useApiError();
  useEffect(() => {
    if (open) form.resetFields();
  }, [open, form]);
  const submit = (v: CreateValues) =>
    create.mutate(
      { personId: v.personId ?? undefined, username: v.username.trim(), displayName: v.displayName.trim(), phone: v.phone?.trim() || undefined, password: v.password, roleIds: v.roleIds ?? [] },
      { onSuccess: onClose, onError: (e) => onError(e, { form }) },
    );
  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={isPhone ? '100%' : 520}
      title={t('users.new')}
      forceRender
      footer={
        <Flex justify="end" gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" onClick={() => form.submit()} loading={create.isPending}>
            {t('common.create')}
          </Button>
        </Flex>
      }
    >
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ roleIds: [] }}>
        {can('people:read') ? (
          <Form.Item name="personId" label={t('users.person')} extra={t('users.personHelp')}>
            <PersonSelect />
          </Form.Item>
        ) : null}
        <Form.Item name="username" label={t('users.username')} rules={[{ required: true, message: t('validation.required') }, { pattern: /^[A-Za-z0-9_.-]{3,32}$/, message: t('validation.username') }]}>
          <Input autoComplete="off" autoCapitalize="off" maxLength={32} />
        </Form.Item>
        <Form.Item name="displayName" label={t('users.displayName')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="phone" label={t('users.phone')} rules={[{ pattern: /^1[3-9]\d{9}$/, message: t('validation.mobile') }]}>
          <Input inputMode="tel" maxLength={11} />
        </Form.Item>
        <Form.Item name="password" label={t('users.initialPassword')} rules={[{ required: true, message: t('validation.required') }, { min: MIN_PASSWORD, message: t('validation.passwordMin', { count: MIN_PASSWORD }) }]}>
          <Input.Password autoComplete="new-password" maxLength={200} />
        </Form.Item>
        <Form.Item name="roleIds" label={t('users.roles')}>
          <RoleCheckboxes />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
