import { Alert, Button, Form, Input, Modal, Select, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan, useSession } from '../../app/session.ts';
import { grants } from '../../shared/permissions.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { usePermissionCatalog } from '../roles/api.ts';
import { useCreateToken } from './api.ts';

interface Values {
  name: string;
  scopes: string[];
  expiresInDays: number | 'never';
}

const lifetimes = [30, 90, 180, 365] as const;

/**
 * Create a token, then show its secret exactly once: the server keeps only a hash, so a lost secret
 * means revoking and creating a new one.
 */
export function CreateTokenModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const me = useSession();
  const { can } = useCan();
  const [form] = Form.useForm<Values>();
  const create = useCreateToken();
  const onError = useApiError();
  const [secret, setSecret] = useState<string | null>(null);
  // The catalog needs roles:read; without it the user can still scope a token to what they hold.
  const catalog = usePermissionCatalog(open && can('roles:read'));
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN';

  const scopeOptions = useMemo(() => {
    // A token never holds more than its owner (the server intersects), so only offer what the user has.
    const fromCatalog = (catalog.data ?? []).filter((p) => grants(me.permissions, p.code)).map((p) => ({ value: p.code, label: `${p.label[lang]} (${p.code})` }));
    const codes = new Set(fromCatalog.map((o) => o.value));
    const extra = me.permissions.filter((p) => !codes.has(p)).map((p) => ({ value: p, label: p === '*' ? `${t('tokens.allScopes')} (*)` : p }));
    return [...fromCatalog, ...extra];
  }, [catalog.data, me.permissions, lang, t]);

  useEffect(() => {
    if (open) {
      setSecret(null);
      form.resetFields();
    }
  }, [open, form]);

  const submit = (v: Values) =>
    create.mutate(
      { name: v.name.trim(), scopes: v.scopes, expiresInDays: v.expiresInDays === 'never' ? undefined : v.expiresInDays },
      { onSuccess: (res) => setSecret(res.token), onError: (e) => onError(e, { form }) },
    );

  if (secret) {
    return (
      <Modal open={open} title={t('tokens.createdTitle')} closable={false} mask={{ closable: false }} footer={<Button type="primary" onClick={onClose} data-testid="token-secret-done">{t('tokens.savedIt')}</Button>}>
        <Alert type="warning" showIcon title={t('tokens.showOnce')} style={{ marginBottom: 16 }} />
        <Typography.Paragraph copyable={{ text: secret, tooltips: [t('common.copy'), t('common.copied')] }} code style={{ wordBreak: 'break-all', fontSize: 15 }} data-testid="token-secret">
          {secret}
        </Typography.Paragraph>
      </Modal>
    );
  }

  return (
    <Modal open={open} title={t('tokens.new')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.create')} confirmLoading={create.isPending} forceRender>
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ scopes: [], expiresInDays: 90 }} data-testid="token-form">
        <Form.Item name="name" label={t('tokens.name')} extra={t('tokens.nameHelp')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 100 }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="scopes" label={t('tokens.scopes')} extra={t('tokens.scopesHelp')} rules={[{ required: true, type: 'array', min: 1, message: t('tokens.scopesRequired') }]}>
          <Select mode="multiple" options={scopeOptions} loading={catalog.isLoading} showSearch={{ optionFilterProp: 'label' }} data-testid="token-scopes" />
        </Form.Item>
        <Form.Item name="expiresInDays" label={t('tokens.lifetime')}>
          <Select options={[...lifetimes.map((d) => ({ value: d, label: t('tokens.days', { count: d }) })), { value: 'never', label: t('tokens.never') }]} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
