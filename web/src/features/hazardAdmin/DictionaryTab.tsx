import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Form, Input, InputNumber, Modal, Popconfirm, Segmented, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client.ts';
import { DataView, type DataColumn } from '../../shared/DataView.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useCreateDictItem, useUpdateDictItem, type DictItem, type DictKind, type HazardConfig } from './api.ts';

const kinds: readonly DictKind[] = ['category', 'source', 'level'];
const listOf = (c: HazardConfig, k: DictKind) => (k === 'category' ? c.categories : k === 'source' ? c.sources : c.levels);

interface ItemValues {
  code: string;
  labelZh: string;
  labelEn: string;
  extCode: string;
  sort: number | null;
}

/**
 * Categories, sources and levels of the tenant's hazard dictionary. Items are renamed or switched off,
 * never deleted: old hazards keep their codes. Levels carry behaviour (SLA, treatment plan) and are fixed.
 */
export function DictionaryTab({ config, onReload }: { config: HazardConfig; onReload: () => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<DictKind>('category');
  const [editing, setEditing] = useState<DictItem | 'new' | null>(null);
  const update = useUpdateDictItem();
  const onError = useApiError();
  const items = listOf(config, kind);

  const toggle = (item: DictItem) =>
    update.mutate({ kind, code: item.code, active: !item.active, version: item.version }, { onError: (e) => onError(e, { onReload }) });

  const columns: DataColumn<DictItem>[] = [
    { key: 'labelZh', title: t('hazardAdmin.dict.labelZh'), render: (r) => <span data-testid={`dict-${r.code}`}>{r.labelZh}</span> },
    { key: 'labelEn', title: t('hazardAdmin.dict.labelEn'), render: (r) => r.labelEn },
    { key: 'code', title: t('hazardAdmin.dict.code'), render: (r) => <Typography.Text code>{r.code}</Typography.Text> },
    { key: 'extCode', title: t('hazardAdmin.dict.extCode'), render: (r) => r.extCode ?? '—' },
    { key: 'sort', title: t('hazardAdmin.dict.sort'), render: (r) => r.sort },
    { key: 'active', title: t('common.status'), render: (r) => (r.active ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.inactive')}</Tag>) },
  ];

  return (
    <Flex vertical gap={12} data-testid="dict-tab">
      <Flex wrap justify="space-between" gap={8} align="center">
        <Segmented<DictKind>
          value={kind}
          onChange={setKind}
          options={kinds.map((k) => ({ value: k, label: <span data-testid={`dict-kind-${k}`}>{t(`hazardAdmin.kinds.${k}`)}</span> }))}
        />
        {kind !== 'level' ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="dict-add">
            {t('hazardAdmin.dict.add')}
          </Button>
        ) : null}
      </Flex>
      <Alert type="info" showIcon title={kind === 'level' ? t('hazardAdmin.dict.levelsFixed') : t('hazardAdmin.dict.neverDeleted')} />
      <DataView<DictItem>
        rows={items}
        rowKey={(r) => r.code}
        columns={columns}
        testId="dict-list"
        actions={(r) => (
          <>
            <Button onClick={() => setEditing(r)} data-testid={`dict-edit-${r.code}`}>
              {t('hazardAdmin.dict.rename')}
            </Button>
            {kind === 'level' ? null : r.active ? (
              <Popconfirm title={t('hazardAdmin.dict.deactivateConfirm', { name: r.labelZh })} onConfirm={() => toggle(r)} okText={t('hazardAdmin.dict.deactivate')} cancelText={t('common.cancel')}>
                <Button danger loading={update.isPending && update.variables?.code === r.code} data-testid={`dict-deactivate-${r.code}`}>
                  {t('hazardAdmin.dict.deactivate')}
                </Button>
              </Popconfirm>
            ) : (
              <Button onClick={() => toggle(r)} loading={update.isPending && update.variables?.code === r.code} data-testid={`dict-activate-${r.code}`}>
                {t('hazardAdmin.dict.activate')}
              </Button>
            )}
          </>
        )}
      />
      {editing ? <ItemModal kind={kind} item={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onReload={onReload} /> : null}
    </Flex>
  );
}

function ItemModal({ kind, item, onClose, onReload }: { kind: DictKind; item: DictItem | null; onClose: () => void; onReload: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<ItemValues>();
  const create = useCreateDictItem();
  const update = useUpdateDictItem();
  const onError = useApiError();
  const save = async () => {
    let v: ItemValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const common = { labelZh: v.labelZh.trim(), labelEn: v.labelEn.trim(), extCode: v.extCode?.trim() || null, ...(v.sort !== null && v.sort !== undefined ? { sort: v.sort } : {}) };
    const opts = {
      onSuccess: onClose,
      onError: (e: unknown) => {
        // The server's field text is English; a taken code is common enough to say in the user's language.
        if (isApiError(e) && e.code === 'already_exists') form.setFields([{ name: 'code', errors: [t('hazardAdmin.dict.codeTaken', { code: v.code.trim() })] }]);
        else onError(e, { form, onReload: () => { onClose(); onReload(); } });
      },
    };
    if (item) update.mutate({ kind, code: item.code, ...common, version: item.version }, opts);
    else create.mutate({ kind, code: v.code.trim(), ...common }, opts);
  };
  return (
    <Modal
      open
      title={item ? t('hazardAdmin.dict.editTitle', { kind: t(`hazardAdmin.kinds.${kind}`) }) : t('hazardAdmin.dict.addTitle', { kind: t(`hazardAdmin.kinds.${kind}`) })}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending || update.isPending}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        data-testid="dict-form"
        initialValues={item ? { code: item.code, labelZh: item.labelZh, labelEn: item.labelEn, extCode: item.extCode ?? '', sort: item.sort } : { code: '', labelZh: '', labelEn: '', extCode: '', sort: null }}
      >
        <Form.Item
          name="code"
          label={t('hazardAdmin.dict.code')}
          extra={item ? t('hazardAdmin.dict.codeFixed') : t('hazardAdmin.dict.codeRule')}
          rules={[{ required: true, message: t('validation.required') }, { pattern: /^[a-z][a-z0-9_]{0,39}$/, message: t('hazardAdmin.dict.codeRule') }]}
        >
          <Input maxLength={40} disabled={item !== null} />
        </Form.Item>
        <Form.Item name="labelZh" label={t('hazardAdmin.dict.labelZh')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item name="labelEn" label={t('hazardAdmin.dict.labelEn')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input maxLength={80} />
        </Form.Item>
        <Form.Item name="extCode" label={t('hazardAdmin.dict.extCode')} extra={t('hazardAdmin.dict.extCodeHint')}>
          <Input maxLength={20} />
        </Form.Item>
        <Form.Item name="sort" label={t('hazardAdmin.dict.sort')} extra={t('hazardAdmin.dict.sortHint')}>
          <InputNumber min={-1_000_000} max={1_000_000} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
