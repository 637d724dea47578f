import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Checkbox, Flex, Form, Input, InputNumber, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../shared/useApiError.ts';
import { itemKinds, useSaveTemplate, type Template, type TemplateItem } from './api.ts';

interface Values {
  name: string;
  description?: string;
  items: TemplateItem[];
}

/** New checklist or an edit (changed items become the next version; planned tasks keep theirs). */
export function TemplateDialog({ template, onClose }: { template: Template | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveTemplate();
  const onError = useApiError();
  const initial: Values = template
    ? { name: template.name, description: template.description ?? undefined, items: template.items }
    : { name: '', items: [{ key: 'item_1', label: '', kind: 'pass_fail', required: true }] };
  return (
    <Modal
      open
      width={760}
      title={template ? t('inspections.admin.editTemplate') : t('inspections.admin.newTemplate')}
      onCancel={onClose}
      okButtonProps={{ loading: save.isPending, id: 'template-save' }}
      onOk={() =>
        void form.validateFields().then((v) =>
          save.mutate(
            { ...(template ? { id: template.id, version: template.version } : {}), body: { name: v.name, description: v.description ?? null, items: v.items.map((i) => ({ ...i, required: i.required ?? false })) } },
            {
              onSuccess: () => {
                void message.success(t('inspections.admin.saved'));
                onClose();
              },
              onError: (e) => onError(e),
            },
          ),
        )
      }
    >
      <Form form={form} layout="vertical" initialValues={initial}>
        <Form.Item name="name" label={t('inspections.admin.templateName')} rules={[{ required: true, max: 100 }]}>
          <Input data-testid="template-name" />
        </Form.Item>
        <Form.Item name="description" label={t('inspections.admin.description')}>
          <Input.TextArea maxLength={1000} autoSize />
        </Form.Item>
        <Form.List name="items">
          {(fields, { add, remove }) => (
            <Flex vertical gap={4}>
              {fields.map((f) => (
                <Flex key={f.key} gap={6} align="baseline" wrap>
                  <Form.Item name={[f.name, 'key']} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]*$/, max: 40 }]} style={{ width: 110 }}>
                    <Input placeholder="key" />
                  </Form.Item>
                  <Form.Item name={[f.name, 'label']} rules={[{ required: true, max: 200 }]} style={{ flex: 1, minWidth: 160 }}>
                    <Input placeholder={t('inspections.admin.itemLabel')} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'kind']} style={{ width: 120 }}>
                    <Select options={itemKinds.map((k) => ({ value: k, label: t(`inspections.kind.${k}`) }))} />
                  </Form.Item>
                  <Form.Item noStyle shouldUpdate>
                    {() =>
                      form.getFieldValue(['items', f.name, 'kind']) === 'number' ? (
                        <>
                          <Form.Item name={[f.name, 'min']} style={{ width: 80 }}>
                            <InputNumber placeholder="min" />
                          </Form.Item>
                          <Form.Item name={[f.name, 'max']} style={{ width: 80 }}>
                            <InputNumber placeholder="max" />
                          </Form.Item>
                          <Form.Item name={[f.name, 'unit']} style={{ width: 70 }}>
                            <Input placeholder={t('inspections.admin.unit')} maxLength={20} />
                          </Form.Item>
                        </>
                      ) : null
                    }
                  </Form.Item>
                  <Form.Item name={[f.name, 'required']} valuePropName="checked">
                    <Checkbox>{t('inspections.admin.required')}</Checkbox>
                  </Form.Item>
                  <Form.Item name={[f.name, 'photoRequired']} valuePropName="checked">
                    <Checkbox>{t('inspections.admin.photoRequired')}</Checkbox>
                  </Form.Item>
                  <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('inspections.admin.removeItem')} />
                </Flex>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ key: `item_${fields.length + 1}`, label: '', kind: 'pass_fail', required: true })}>
                {t('inspections.admin.addItem')}
              </Button>
            </Flex>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
