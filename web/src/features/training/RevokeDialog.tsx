import { Alert, App, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../shared/useApiError.ts';
import { useRevokeCertificate, type Certificate } from './api.ts';

/** Revoke with a reason; the certificate stays in the register as revoked (never deleted). */
export function RevokeDialog({ cert, onClose }: { cert: Certificate; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const revoke = useRevokeCertificate();
  const onError = useApiError();
  return (
    <Modal
      open
      title={t('training.revoke.title', { number: cert.number })}
      okText={t('training.revoke.confirm')}
      okButtonProps={{ danger: true, loading: revoke.isPending }}
      onCancel={onClose}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Alert type="warning" showIcon title={t('training.revoke.note')} style={{ marginBottom: 16 }} />
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) =>
          revoke.mutate(
            { id: cert.id, reason: v.reason.trim(), version: cert.version },
            {
              onSuccess: () => {
                message.success(t('training.revoke.done'));
                onClose();
              },
              onError: (e) => onError(e, { form, onReload: onClose }),
            },
          )
        }
      >
        <Form.Item name="reason" label={t('training.revoke.reason')} rules={[{ required: true, whitespace: true, message: t('training.revoke.reasonRequired') }, { max: 500 }]}>
          <Input.TextArea rows={3} maxLength={500} data-testid="revoke-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
