import { App, Form, Input, InputNumber, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../shared/useApiError.ts';
import { useCheckpoints } from '../equipment/api.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { PersonSelect } from '../people/PersonSelect.tsx';
import { checkTypes, cycleUnits, dayTypes, useCreatePlan, useRoutes, useTemplates, type PlanBody } from './api.ts';

/** A plan made by hand: seasonal, holiday, specialist checks… at a route or a single checkpoint. */
export function PlanDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<PlanBody>();
  const create = useCreatePlan();
  const onError = useApiError();
  const templates = useTemplates();
  const routes = useRoutes();
  const checkpoints = useCheckpoints({});
  const cps = (checkpoints.data?.pages ?? []).flatMap((p) => p.items);
  return (
    <Modal
      open
      title={t('inspections.admin.newPlan')}
      onCancel={onClose}
      okButtonProps={{ loading: create.isPending, id: 'plan-save' }}
      onOk={() =>
        void form.validateFields().then((v) =>
          create.mutate(v, {
            onSuccess: () => {
              void message.success(t('inspections.admin.saved'));
              onClose();
            },
            onError: (e) => onError(e),
          }),
        )
      }
    >
      <Form form={form} layout="vertical" initialValues={{ checkType: 'daily', cycleUnit: 'day', cycleInterval: 1, dayType: 'every_day' }}>
        <Form.Item name="name" label={t('inspections.admin.planName')} rules={[{ required: true, max: 200 }]}>
          <Input data-testid="plan-name" />
        </Form.Item>
        <Form.Item name="checkType" label={t('inspections.admin.checkType')}>
          <Select options={checkTypes.map((c) => ({ value: c, label: t(`inspections.checkType.${c}`) }))} />
        </Form.Item>
        <Form.Item label={t('inspections.admin.cycle')} required>
          <Input.Group compact>
            <Form.Item name="cycleInterval" noStyle>
              <InputNumber min={1} max={366} style={{ width: 90 }} />
            </Form.Item>
            <Form.Item name="cycleUnit" noStyle>
              <Select style={{ width: 120 }} options={cycleUnits.map((c) => ({ value: c, label: t(`inspections.cycle.${c}`) }))} />
            </Form.Item>
            <Form.Item name="dayType" noStyle>
              <Select style={{ width: 140 }} options={dayTypes.map((c) => ({ value: c, label: t(`inspections.dayType.${c}`) }))} />
            </Form.Item>
          </Input.Group>
        </Form.Item>
        <Form.Item name="orgUnitId" label={t('inspections.admin.unit')} rules={[{ required: true }]}>
          <OrgUnitSelect />
        </Form.Item>
        <Form.Item name="assigneePersonId" label={t('inspections.task.assignee')} rules={[{ required: true }]}>
          <PersonSelect />
        </Form.Item>
        <Form.Item name="routeId" label={t('inspections.admin.route')}>
          <Select allowClear options={(routes.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))} />
        </Form.Item>
        <Form.Item name="checkpointId" label={t('inspections.admin.checkpoint')}>
          <Select allowClear showSearch optionFilterProp="label" options={cps.map((c) => ({ value: c.id, label: c.name }))} />
        </Form.Item>
        <Form.Item name="templateId" label={t('inspections.admin.template')} rules={[{ required: true }]}>
          <Select options={(templates.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
