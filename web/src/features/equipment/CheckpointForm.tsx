import { App, Flex, Form, Input, InputNumber, Modal, Select } from 'antd';
import { useDeferredValue, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../shared/useApiError.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { useEquipmentOptions, useSaveCheckpoint, type Checkpoint } from './api.ts';
import { idLines, riskUnitRule } from './EquipmentForm.tsx';

interface Values {
  name: string;
  description?: string;
  orgUnitId: string;
  equipmentId?: string | null;
  lat?: number | null;
  lng?: number | null;
  radiusM?: number | null;
  riskUnitIds?: string;
}

/** Equipment picker: in-service equipment by code or name. */
function EquipmentPicker({ value, onChange, initial }: { value?: string | null; onChange?: (v: string | null) => void; initial?: { id: string; label: string } | null }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const deferred = useDeferredValue(q.trim());
  const search = useEquipmentOptions(deferred, open);
  const options = (search.data?.items ?? []).map((e) => ({ value: e.id, label: `${e.code} · ${e.name}` }));
  if (initial && !options.some((o) => o.value === initial.id)) options.unshift({ value: initial.id, label: initial.label });
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      allowClear
      value={value ?? undefined}
      onChange={(v: string | undefined) => onChange?.(v ?? null)}
      onOpenChange={setOpen}
      options={options}
      loading={search.isFetching}
      placeholder={t('equipment.checkpoints.noEquipment')}
    />
  );
}

/** Create or edit a checkpoint; its QR code is made by the server and never typed in. */
export function CheckpointForm({ editing, onClose }: { editing: Checkpoint | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveCheckpoint();
  const onError = useApiError();

  const submit = (v: Values) => {
    const body = {
      name: v.name.trim(),
      description: v.description?.trim() || null,
      orgUnitId: v.orgUnitId,
      equipmentId: v.equipmentId ?? null,
      lat: v.lat ?? null,
      lng: v.lng ?? null,
      radiusM: v.radiusM ?? null,
      riskUnitIds: idLines(v.riskUnitIds),
    };
    save.mutate(editing ? { id: editing.id, body: { ...body, version: editing.version } } : { id: null, body }, {
      onSuccess: () => {
        message.success(t('equipment.checkpoints.saved'));
        onClose();
      },
      onError: (e) => onError(e, { form, onReload: onClose }),
    });
  };

  return (
    <Modal open title={editing ? t('equipment.checkpoints.editTitle') : t('equipment.checkpoints.addTitle')} onCancel={onClose} onOk={() => form.submit()} okButtonProps={{ loading: save.isPending }} destroyOnHidden>
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={editing ? { ...editing, description: editing.description ?? '', orgUnitId: editing.orgUnitId ?? undefined, riskUnitIds: editing.riskUnitIds.join('\n') } : {}}
      >
        <Form.Item name="name" label={t('equipment.checkpoints.name')} rules={[{ required: true, whitespace: true, max: 200 }]}>
          <Input maxLength={200} data-testid="cp-name" />
        </Form.Item>
        <Form.Item name="orgUnitId" label={t('equipment.checkpoints.area')} rules={[{ required: true }]}>
          <OrgUnitSelect testId="cp-area" />
        </Form.Item>
        <Form.Item name="equipmentId" label={t('equipment.checkpoints.equipment')}>
          <EquipmentPicker initial={editing?.equipmentId ? { id: editing.equipmentId, label: `${editing.equipmentCode ?? ''} · ${editing.equipmentName ?? ''}` } : null} />
        </Form.Item>
        <Form.Item name="description" label={t('equipment.checkpoints.description')}>
          <Input.TextArea maxLength={1000} autoSize={{ minRows: 2, maxRows: 4 }} />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item name="lat" label={t('equipment.checkpoints.lat')}>
            <InputNumber min={-90} max={90} step={0.0001} style={{ width: 150 }} />
          </Form.Item>
          <Form.Item name="lng" label={t('equipment.checkpoints.lng')}>
            <InputNumber min={-180} max={180} step={0.0001} style={{ width: 150 }} />
          </Form.Item>
          <Form.Item name="radiusM" label={t('equipment.checkpoints.radius')} tooltip={t('equipment.checkpoints.radiusHelp')}>
            <InputNumber min={5} max={10000} precision={0} style={{ width: 130 }} />
          </Form.Item>
        </Flex>
        <Form.Item name="riskUnitIds" label={t('equipment.checkpoints.riskUnits')} tooltip={t('equipment.form.riskUnitsHelp')} rules={[riskUnitRule(t)]}>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
