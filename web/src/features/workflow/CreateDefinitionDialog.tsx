import { Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useApiError } from '../../shared/useApiError.ts';
import { useCreateDefinition } from './api.ts';
import type { FlowGraph } from './types.ts';

interface Values {
  key: string;
  name: string;
  description?: string;
}

/**
 * A new definition starts with one approver node still to be set up (the engine needs at least one
 * node to save); the editor opens straight away.
 */
export function CreateDefinitionDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const create = useCreateDefinition();
  const showError = useApiError();
  const navigate = useNavigate();
  const submit = async () => {
    const v = await form.validateFields();
    const starter: FlowGraph = { start: 'approval_1', nodes: [{ id: 'approval_1', type: 'approval', name: t('workflow.newNames.approval'), mode: 'any' }] };
    try {
      const d = await create.mutateAsync({
        key: v.key.trim(),
        name: v.name.trim(),
        description: v.description?.trim() || null,
        graph: starter,
      });
      onClose();
      void navigate(`/workflow/definitions/${d.id}`);
    } catch (e) {
      showError(e, { form });
    }
  };
  return (
    <Modal open={open} title={t('workflow.list.add')} onCancel={onClose} onOk={() => void submit()} confirmLoading={create.isPending} destroyOnHidden data-testid="wf-create-dialog">
      <Form form={form} layout="vertical" initialValues={{ name: t('workflow.list.newFlowName') }}>
        <Form.Item name="key" label={t('workflow.list.key')} extra={t('workflow.list.keyHelp')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, max: 100 }]}>
          <Input data-testid="wf-create-key" />
        </Form.Item>
        <Form.Item name="name" label={t('workflow.list.name')} rules={[{ required: true, max: 100 }]}>
          <Input data-testid="wf-create-name" />
        </Form.Item>
        <Form.Item name="description" label={t('workflow.list.description')} rules={[{ max: 1000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
