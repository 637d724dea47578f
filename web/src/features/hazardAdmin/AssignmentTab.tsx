import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Col, Descriptions, Flex, Form, Input, InputNumber, Modal, Row, Select, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError, errorText } from '../../api/client.ts';
import { DataView, type DataColumn } from '../../shared/DataView.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { useAssignmentPreview, useAssignmentRules, useCreateRule, useUpdateRule, type AssignmentRule, type HazardConfig, type RuleInput } from './api.ts';
import { useDictLabel } from './labels.ts';
import { UserPicker } from './UserPicker.tsx';

interface RuleValues {
  name: string;
  priority: number;
  category: string | null;
  areaUnitId: string | null;
  responsibleUnitId: string | null;
  responsibleUserId: string | null;
  active: boolean;
}

const ANY = '__any__';

/**
 * The assignment matrix: rules "category × area subtree → department and/or person", tried by priority
 * (lower first); when none matches, the owner of the area (its manager, or the nearest one above) gets it.
 */
export function AssignmentTab({ config }: { config: HazardConfig }) {
  const { t } = useTranslation();
  const rules = useAssignmentRules();
  const update = useUpdateRule();
  const onError = useApiError();
  const label = useDictLabel();
  const [editing, setEditing] = useState<AssignmentRule | 'new' | null>(null);
  const categoryLabel = (code: string | null) => (code === null ? t('hazardAdmin.rules.anyCategory') : label(config.categories.find((c) => c.code === code), code));
  const items = rules.data ?? [];
  const nextPriority = items.length ? Math.min(100_000, Math.max(...items.map((r) => r.priority)) + 10) : 10;

  const columns: DataColumn<AssignmentRule>[] = [
    { key: 'name', title: t('hazardAdmin.rules.name'), render: (r) => <span data-testid="rule-name">{r.name}</span> },
    { key: 'priority', title: t('hazardAdmin.rules.priority'), render: (r) => r.priority },
    { key: 'category', title: t('hazardAdmin.rules.category'), render: (r) => categoryLabel(r.category) },
    { key: 'area', title: t('hazardAdmin.rules.area'), render: (r) => r.areaUnitName ?? (r.areaUnitId ? '—' : t('hazardAdmin.rules.anyArea')) },
    { key: 'unit', title: t('hazardAdmin.rules.responsibleUnit'), render: (r) => r.responsibleUnitName ?? '—' },
    { key: 'user', title: t('hazardAdmin.rules.responsibleUser'), render: (r) => r.responsibleUserName ?? '—' },
    { key: 'active', title: t('common.status'), render: (r) => (r.active ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.inactive')}</Tag>) },
  ];

  return (
    <Flex vertical gap={16} data-testid="rules-tab">
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Flex vertical gap={12}>
            <Flex wrap justify="space-between" align="center" gap={8}>
              <Typography.Text type="secondary">{t('hazardAdmin.rules.howItWorks')}</Typography.Text>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="rule-add">
                {t('hazardAdmin.rules.add')}
              </Button>
            </Flex>
            {rules.isError ? <Alert type="error" showIcon title={isApiError(rules.error) ? errorText(rules.error) : String(rules.error)} /> : null}
            <DataView<AssignmentRule>
              rows={items}
              rowKey={(r) => r.id}
              columns={columns}
              loading={rules.isLoading}
              testId="rules-list"
              actions={(r) => (
                <>
                  <Button onClick={() => setEditing(r)} data-testid={`rule-edit-${r.id}`}>
                    {t('common.edit')}
                  </Button>
                  <Button
                    danger={r.active}
                    loading={update.isPending && update.variables?.id === r.id}
                    onClick={() => update.mutate({ id: r.id, active: !r.active, version: r.version }, { onError: (e) => onError(e, { onReload: () => void rules.refetch() }) })}
                    data-testid={`rule-toggle-${r.id}`}
                  >
                    {r.active ? t('hazardAdmin.rules.disable') : t('hazardAdmin.rules.enable')}
                  </Button>
                </>
              )}
            />
          </Flex>
        </Col>
        <Col xs={24} xl={8}>
          <PreviewCard config={config} rules={items} />
        </Col>
      </Row>
      {editing ? <RuleModal config={config} rule={editing === 'new' ? null : editing} nextPriority={nextPriority} onClose={() => setEditing(null)} onReload={() => void rules.refetch()} /> : null}
    </Flex>
  );
}

function RuleModal({ config, rule, nextPriority, onClose, onReload }: { config: HazardConfig; rule: AssignmentRule | null; nextPriority: number; onClose: () => void; onReload: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<RuleValues>();
  const create = useCreateRule();
  const update = useUpdateRule();
  const onError = useApiError();
  const label = useDictLabel();
  const categories = [{ value: ANY, label: t('hazardAdmin.rules.anyCategory') }, ...config.categories.filter((c) => c.active || c.code === rule?.category).map((c) => ({ value: c.code, label: label(c) }))];

  const save = async () => {
    let v: RuleValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const input: RuleInput = {
      name: v.name.trim(),
      priority: v.priority,
      category: v.category === ANY ? null : v.category,
      areaUnitId: v.areaUnitId ?? null,
      responsibleUnitId: v.responsibleUnitId ?? null,
      responsibleUserId: v.responsibleUserId ?? null,
      active: v.active,
    };
    const opts = { onSuccess: onClose, onError: (e: unknown) => onError(e, { form, onReload: () => { onClose(); onReload(); } }) };
    if (rule) update.mutate({ id: rule.id, ...input, version: rule.version }, opts);
    else create.mutate(input, opts);
  };

  return (
    <Modal
      open
      title={rule ? t('hazardAdmin.rules.editTitle') : t('hazardAdmin.rules.addTitle')}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending || update.isPending}
      destroyOnHidden
      width={560}
    >
      <Form
        form={form}
        layout="vertical"
        data-testid="rule-form"
        initialValues={
          rule
            ? {
                name: rule.name,
                priority: rule.priority,
                category: rule.category ?? ANY,
                areaUnitId: rule.areaUnitId,
                responsibleUnitId: rule.responsibleUnitId,
                responsibleUserId: rule.responsibleUserId,
                active: rule.active,
              }
            : { name: '', priority: nextPriority, category: ANY, areaUnitId: null, responsibleUnitId: null, responsibleUserId: null, active: true }
        }
      >
        <Form.Item name="name" label={t('hazardAdmin.rules.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item
          name="priority"
          label={t('hazardAdmin.rules.priority')}
          extra={t('hazardAdmin.rules.priorityHint')}
          rules={[
            { required: true, message: t('validation.required') },
            { type: 'number', min: 0, max: 100_000, message: t('hazardAdmin.rules.priorityRange') },
          ]}
        >
          <InputNumber min={0} max={100_000} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="category" label={t('hazardAdmin.rules.category')}>
          <Select options={categories} data-testid="rule-category" />
        </Form.Item>
        <Form.Item name="areaUnitId" label={t('hazardAdmin.rules.area')} extra={t('hazardAdmin.rules.areaHint')}>
          <OrgUnitSelect allowClear placeholder={t('hazardAdmin.rules.anyArea')} testId="rule-area" />
        </Form.Item>
        <Form.Item name="responsibleUnitId" label={t('hazardAdmin.rules.responsibleUnit')} extra={t('hazardAdmin.rules.responsibleUnitHint')}>
          <OrgUnitSelect allowClear testId="rule-unit" />
        </Form.Item>
        <Form.Item
          name="responsibleUserId"
          label={t('hazardAdmin.rules.responsibleUser')}
          extra={t('hazardAdmin.rules.responsibleUserHint')}
          dependencies={['responsibleUnitId']}
          rules={[
            ({ getFieldValue }) => ({
              validator: (_, v: string | null | undefined) => (v || getFieldValue('responsibleUnitId') ? Promise.resolve() : Promise.reject(new Error(t('hazardAdmin.rules.needTarget')))),
            }),
          ]}
        >
          <UserPicker knownLabels={rule?.responsibleUserId ? { [rule.responsibleUserId]: rule.responsibleUserName } : undefined} testId="rule-user" />
        </Form.Item>
        <Form.Item name="active" valuePropName="checked">
          <Checkbox>{t('hazardAdmin.rules.activeLabel')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** "Who would get it?": asks the server, which runs the same resolution as a real report. */
function PreviewCard({ config, rules }: { config: HazardConfig; rules: AssignmentRule[] }) {
  const { t } = useTranslation();
  const label = useDictLabel();
  const [category, setCategory] = useState<string | undefined>(config.categories.find((c) => c.active)?.code);
  const [area, setArea] = useState<string | undefined>();
  const query = useMemo(() => (category && area ? { category, orgUnitId: area } : null), [category, area]);
  const preview = useAssignmentPreview(query);
  const rule = rules.find((r) => r.id === preview.data?.ruleId);
  const via = preview.data?.via;

  return (
    <Card title={t('hazardAdmin.preview.title')} data-testid="rule-preview">
      <Form layout="vertical">
        <Form.Item label={t('hazardAdmin.rules.category')}>
          <Select value={category} onChange={setCategory} options={config.categories.filter((c) => c.active).map((c) => ({ value: c.code, label: label(c) }))} data-testid="preview-category" />
        </Form.Item>
        <Form.Item label={t('hazardAdmin.preview.area')}>
          <OrgUnitSelect value={area} onChange={setArea} placeholder={t('hazardAdmin.preview.pickArea')} testId="preview-area" />
        </Form.Item>
      </Form>
      {!query ? (
        <Typography.Text type="secondary">{t('hazardAdmin.preview.hint')}</Typography.Text>
      ) : preview.isError ? (
        <Alert type="warning" showIcon title={isApiError(preview.error) ? errorText(preview.error) : String(preview.error)} />
      ) : preview.isLoading ? (
        <Typography.Text type="secondary">{t('app.loading')}</Typography.Text>
      ) : (
        <Descriptions column={1} size="small" bordered data-testid="preview-result">
          <Descriptions.Item label={t('hazardAdmin.preview.assignee')}>
            {preview.data?.userName ? <Typography.Text strong data-testid="preview-user">{preview.data.userName}</Typography.Text> : <Tag color="orange">{t('hazardAdmin.preview.nobody')}</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label={t('hazardAdmin.preview.via')}>
            <span data-testid="preview-via">
              {via === 'rule' ? t('hazardAdmin.preview.viaRule', { name: rule?.name ?? '' }) : via === 'area_owner' ? t('hazardAdmin.preview.viaOwner') : t('hazardAdmin.preview.viaTriage')}
            </span>
          </Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
