import { PlusOutlined } from '@ant-design/icons';
import { App, Alert, Button, Card, Checkbox, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { useDevices, usePointTypes } from './api.ts';
import { useArchiveLinkageRule, useLinkageRules, useLinkageSettings, useSaveLinkageRule, useSaveLinkageSettings, type LinkageRule } from './linkageApi.ts';

const severities = ['critical', 'major', 'minor', 'warning'] as const;

interface FormValues {
  name: string;
  orgUnitId: string;
  pointType?: string | null;
  minSeverity: (typeof severities)[number];
  triggers: ('raised' | 'cleared')[];
  deviceId: string;
  command: string;
  params?: string;
  timeoutS?: number | null;
  enabled: boolean;
}

function RuleDialog({ rule, defaultTimeoutS, onClose }: { rule: LinkageRule | null; defaultTimeoutS: number; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<FormValues>();
  const save = useSaveLinkageRule();
  const onError = useApiError();
  const devices = useDevices();
  const types = usePointTypes();
  const initial: Partial<FormValues> = rule
    ? { name: rule.name, orgUnitId: rule.orgUnitId ?? undefined, pointType: rule.pointType, minSeverity: rule.minSeverity, triggers: [...(rule.onRaised ? ['raised' as const] : []), ...(rule.onCleared ? ['cleared' as const] : [])], deviceId: rule.deviceId, command: rule.command, params: JSON.stringify(rule.params), timeoutS: rule.timeoutS, enabled: rule.enabled }
    : { minSeverity: 'major', triggers: ['raised'], params: '{}', enabled: true };
  const submit = async () => {
    const v = await form.validateFields();
    const params = JSON.parse(v.params?.trim() || '{}') as Record<string, unknown>;
    const body = { name: v.name, orgUnitId: v.orgUnitId, pointType: v.pointType ?? null, minSeverity: v.minSeverity, onRaised: v.triggers.includes('raised'), onCleared: v.triggers.includes('cleared'), deviceId: v.deviceId, command: v.command, params, timeoutS: v.timeoutS ?? null, enabled: v.enabled };
    save.mutate({ id: rule?.id, version: rule?.version, body }, { onSuccess: onClose, onError: (e) => onError(e, { form }) });
  };
  return (
    <Modal open title={rule ? t('linkage.editRule') : t('linkage.newRule')} onCancel={onClose} onOk={() => void submit()} confirmLoading={save.isPending} destroyOnHidden width={560}>
      <Form form={form} layout="vertical" initialValues={initial} data-testid="linkage-rule-form">
        <Form.Item name="name" label={t('linkage.name')} rules={[{ required: true, max: 200 }]}>
          <Input data-testid="linkage-name" />
        </Form.Item>
        <Form.Item name="orgUnitId" label={t('linkage.area')} rules={[{ required: true }]}>
          <OrgUnitSelect testId="linkage-area" />
        </Form.Item>
        <Space wrap>
          <Form.Item name="pointType" label={t('linkage.pointType')}>
            <Select allowClear placeholder={t('linkage.anyPointType')} style={{ width: 200 }} options={(types.data?.items ?? []).map((p) => ({ value: p.code, label: i18n.language === 'en' ? p.nameEn : p.nameZh }))} />
          </Form.Item>
          <Form.Item name="minSeverity" label={t('linkage.minSeverity')} rules={[{ required: true }]}>
            <Select style={{ width: 160 }} options={severities.map((s) => ({ value: s, label: t(`iot.severity.${s}`) }))} />
          </Form.Item>
        </Space>
        <Form.Item name="triggers" label={t('linkage.trigger')} rules={[{ required: true, type: 'array', min: 1 }]}>
          <Checkbox.Group options={[{ value: 'raised', label: t('linkage.onRaised') }, { value: 'cleared', label: t('linkage.onCleared') }]} />
        </Form.Item>
        <Form.Item name="deviceId" label={t('linkage.device')} rules={[{ required: true }]}>
          <Select showSearch optionFilterProp="label" data-testid="linkage-device" options={(devices.data?.items ?? []).filter((d) => !d.archived).map((d) => ({ value: d.id, label: `${d.code} ${d.name}` }))} />
        </Form.Item>
        <Form.Item name="command" label={t('linkage.command')} extra={t('linkage.commandHelp')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+){0,4}$/, message: t('linkage.commandHelp') }]}>
          <Input data-testid="linkage-command" />
        </Form.Item>
        <Form.Item
          name="params"
          label={t('linkage.params')}
          rules={[
            {
              validator: async (_r, v: string | undefined) => {
                const parsed: unknown = JSON.parse(v?.trim() || '{}');
                if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
              },
              message: t('linkage.paramsInvalid'),
            },
          ]}
        >
          <Input.TextArea rows={2} style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="timeoutS" label={t('linkage.timeout')}>
            <InputNumber min={1} max={3600} placeholder={t('linkage.timeoutDefault', { s: defaultTimeoutS })} style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="enabled" label={t('linkage.enabled')} valuePropName="checked">
            <Checkbox />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}

function SettingsCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const onError = useApiError();
  const settings = useLinkageSettings();
  const save = useSaveLinkageSettings();
  const canConfigure = useCan().can('iot:configure');
  const [value, setValue] = useState<number | null>(null);
  if (!settings.data) return null;
  const current = value ?? settings.data.defaultTimeoutS;
  return (
    <Card size="small" title={t('linkage.settings')} extra={t('linkage.settingsHelp')}>
      <Space>
        <InputNumber min={1} max={3600} value={current} onChange={(v) => setValue(v)} disabled={!canConfigure} addonAfter={t('linkage.seconds')} data-testid="linkage-default-timeout" />
        {canConfigure ? (
          <Button loading={save.isPending} onClick={() => save.mutate({ defaultTimeoutS: current, version: settings.data.version }, { onSuccess: () => void message.success(t('linkage.saved')), onError: (e) => onError(e) })}>
            {t('linkage.save')}
          </Button>
        ) : null}
      </Space>
    </Card>
  );
}

/** IoT › linkage rules: which alarms start which device actions, per area. */
export function LinkageRulesPage() {
  const { t } = useTranslation();
  const onError = useApiError();
  const rules = useLinkageRules();
  const devices = useDevices();
  const settings = useLinkageSettings();
  const archive = useArchiveLinkageRule();
  const canConfigure = useCan().can('iot:configure');
  const [editing, setEditing] = useState<LinkageRule | 'new' | null>(null);
  const deviceName = new Map((devices.data?.items ?? []).map((d) => [d.id, `${d.code} ${d.name}`]));
  return (
    <>
      <PageHeader
        title={t('linkage.title')}
        extra={
          canConfigure ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="linkage-new">
              {t('linkage.newRule')}
            </Button>
          ) : null
        }
      />
      <Space direction="vertical" style={{ width: '100%' }}>
        <Alert type="info" showIcon message={t('linkage.intro')} />
        <SettingsCard />
        {rules.error ? (
          <QueryError error={rules.error} onRetry={() => void rules.refetch()} />
        ) : (
          <Table<LinkageRule>
            rowKey="id"
            size="small"
            loading={rules.isLoading}
            dataSource={rules.data?.items ?? []}
            data-testid="linkage-rules"
            scroll={{ x: true }}
            columns={[
              { title: t('linkage.name'), dataIndex: 'name' },
              { title: t('linkage.pointType'), render: (_, r) => r.pointType ?? t('linkage.anyPointType') },
              { title: t('linkage.minSeverity'), render: (_, r) => t(`iot.severity.${r.minSeverity}`) },
              { title: t('linkage.trigger'), render: (_, r) => <Space size={2}>{r.onRaised ? <Tag color="red">{t('linkage.onRaised')}</Tag> : null}{r.onCleared ? <Tag color="green">{t('linkage.onCleared')}</Tag> : null}</Space> },
              { title: t('linkage.device'), render: (_, r) => deviceName.get(r.deviceId) ?? r.deviceId },
              { title: t('linkage.command'), render: (_, r) => <code>{r.command}</code> },
              { title: t('linkage.timeout'), render: (_, r) => r.timeoutS ?? t('linkage.timeoutDefault', { s: settings.data?.defaultTimeoutS ?? '' }) },
              { title: t('linkage.enabled'), render: (_, r) => (r.enabled ? <Tag color="green">{t('linkage.enabled')}</Tag> : <Tag>{t('linkage.disabled')}</Tag>) },
              ...(canConfigure
                ? [
                    {
                      title: t('linkage.actions'),
                      render: (_: unknown, r: LinkageRule) => (
                        <Space size={4}>
                          <Button size="small" onClick={() => setEditing(r)}>
                            {t('linkage.edit')}
                          </Button>
                          <Popconfirm title={t('linkage.archiveConfirm')} onConfirm={() => archive.mutate(r, { onError: (e) => onError(e) })}>
                            <Button size="small" danger>
                              {t('linkage.archive')}
                            </Button>
                          </Popconfirm>
                        </Space>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Space>
      {editing ? <RuleDialog rule={editing === 'new' ? null : editing} defaultTimeoutS={settings.data?.defaultTimeoutS ?? 10} onClose={() => setEditing(null)} /> : null}
    </>
  );
}
