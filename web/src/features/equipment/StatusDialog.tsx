import { Alert, App, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../shared/useApiError.ts';
import { useChangeStatus, type Equipment, type EquipmentStatus } from './api.ts';

const actionKey = { stopped: 'stop', in_service: 'resume', scrapped: 'scrap' } as const;

/** Stop, return to service, or scrap a piece of equipment; a reason is required to stop or scrap. */
export function StatusDialog({ equipment: e, to, onClose }: { equipment: Equipment; to: EquipmentStatus; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason?: string }>();
  const change = useChangeStatus();
  const onError = useApiError();
  const action = t(`equipment.statusChange.${actionKey[to]}`);
  return (
    <Modal
      open
      title={t('equipment.statusChange.title', { action, code: e.code, name: e.name })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: change.isPending, danger: to === 'scrapped' }}
      okText={action}
      destroyOnHidden
    >
      {to === 'scrapped' ? <Alert type="warning" showIcon title={t('equipment.statusChange.scrapWarning')} style={{ marginBottom: 12 }} /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={(v: { reason?: string }) =>
          change.mutate(
            { id: e.id, status: to, reason: v.reason?.trim() || null, version: e.version },
            {
              onSuccess: () => {
                message.success(t('equipment.statusChange.saved'));
                onClose();
              },
              onError: (err) => onError(err, { form, onReload: onClose }),
            },
          )
        }
      >
        <Form.Item name="reason" label={t('equipment.statusChange.reason')} rules={[{ required: to !== 'in_service', whitespace: true, max: 500 }]}>
          <Input.TextArea maxLength={500} autoSize={{ minRows: 2, maxRows: 4 }} data-testid="eq-status-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
