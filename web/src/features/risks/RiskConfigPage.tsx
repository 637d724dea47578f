import { App, Button, Card, ColorPicker, Descriptions, Flex, Form, Input, InputNumber, Select, Space, Spin, Table, Tabs, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useRiskConfig, useUpdateMethod, useUpdateSettings, type Band, type MethodT } from './api.ts';
import { LevelTag } from './labels.tsx';

const controlLevels = ['company', 'workshop', 'team', 'post'] as const;

/** Assessment methods, their factor tables and bands (level, colour, control levels), and the settings. */
export function RiskConfigPage() {
  const { t } = useTranslation();
  const config = useRiskConfig();
  if (config.isLoading) return <Spin />;
  if (config.error || !config.data) return <QueryError error={config.error} onRetry={() => void config.refetch()} />;
  const { methods, settings } = config.data;
  return (
    <div data-testid="risk-config-page">
      <PageHeader title={t('risks.config.title')} sub={t('risks.config.subtitle')} />
      <Tabs
        items={[
          ...methods.map((m) => ({ key: m.code, label: `${m.code.toUpperCase()}${m.active ? '' : ` (${t('risks.config.inactive')})`}`, children: <MethodCard method={m} /> })),
          { key: '_settings', label: t('risks.config.settings'), children: <SettingsCard methods={methods} settings={settings} /> },
        ]}
      />
    </div>
  );
}

function MethodCard({ method }: { method: MethodT }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { message } = App.useApp();
  const onError = useApiError();
  const update = useUpdateMethod();
  const [bands, setBands] = useState<Band[]>(method.bands);
  useEffect(() => setBands(method.bands), [method]);
  const patch = (i: number, p: Partial<Band>) => setBands((bs) => bs.map((b, k) => (k === i ? { ...b, ...p } : b)));
  const save = () =>
    update.mutate(
      { id: method.id, body: { bands, version: method.version } },
      { onSuccess: () => void message.success(t('risks.config.saved')), onError: (e) => onError(e) },
    );
  return (
    <Flex vertical gap={16}>
      <Card size="small" title={en ? method.nameEn : method.nameZh}>
        <Typography.Paragraph>{t('risks.config.formula', { formula: method.factors.map((f) => f.key).join(' × ') })}</Typography.Paragraph>
        <Flex wrap gap={16}>
          {method.factors.map((f) => (
            <Descriptions key={f.key} size="small" column={1} bordered title={`${f.key} · ${en ? f.nameEn : f.nameZh}`} style={{ minWidth: 260 }}>
              {f.options.map((o) => (
                <Descriptions.Item key={o.value} label={o.value}>
                  {en ? o.labelEn : o.labelZh}
                </Descriptions.Item>
              ))}
            </Descriptions>
          ))}
        </Flex>
      </Card>
      <Card size="small" title={<Space>{t('risks.config.bands')}<Tag>v{method.version}</Tag></Space>} extra={<Button type="primary" onClick={save} loading={update.isPending} data-testid="risk-bands-save">{t('risks.config.save')}</Button>}>
        <Table<Band>
          size="small"
          rowKey="level"
          dataSource={bands}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            { key: 'level', title: t('risks.register.levelFilter'), render: (_: unknown, b) => <LevelTag level={b.level} colour={b.colour} /> },
            { key: 'min', title: t('risks.config.minScore'), render: (_: unknown, b, i) => <InputNumber min={0} max={1e12} value={b.minScore} onChange={(v) => patch(i, { minScore: v ?? 0 })} /> },
            {
              key: 'max',
              title: t('risks.config.maxScore'),
              render: (_: unknown, b, i) => <InputNumber min={0} max={1e12} value={b.maxScore ?? undefined} placeholder={t('risks.config.unbounded')} onChange={(v) => patch(i, { maxScore: v ?? null })} />,
            },
            { key: 'colour', title: t('risks.config.colour'), render: (_: unknown, b, i) => <ColorPicker value={b.colour} disabledAlpha onChangeComplete={(c) => patch(i, { colour: c.toHexString() })} showText /> },
            {
              key: 'control',
              title: t('risks.event.controlLevels'),
              render: (_: unknown, b, i) => (
                <Select
                  mode="multiple"
                  style={{ minWidth: 240 }}
                  value={b.controlLevels}
                  onChange={(v: Band['controlLevels']) => patch(i, { controlLevels: v })}
                  options={controlLevels.map((c) => ({ value: c, label: t(`risks.controlLevel.${c}`) }))}
                />
              ),
            },
            {
              key: 'label',
              title: t('risks.config.label'),
              render: (_: unknown, b, i) => (
                <Space orientation="vertical" size={4}>
                  <Input value={b.labelZh} maxLength={50} onChange={(e) => patch(i, { labelZh: e.target.value })} />
                  <Input value={b.labelEn} maxLength={80} onChange={(e) => patch(i, { labelEn: e.target.value })} />
                </Space>
              ),
            },
          ]}
        />
      </Card>
    </Flex>
  );
}

function SettingsCard({ methods, settings }: { methods: MethodT[]; settings: { reassessIntervalMonths: number; defaultMethodCode: string; version: number } }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const onError = useApiError();
  const update = useUpdateSettings();
  const [form] = Form.useForm<{ reassessIntervalMonths: number; defaultMethodCode: string }>();
  useEffect(() => form.setFieldsValue(settings), [form, settings]);
  return (
    <Card size="small" style={{ maxWidth: 480 }}>
      <Form
        form={form}
        layout="vertical"
        initialValues={settings}
        onFinish={(v) => update.mutate({ ...v, version: settings.version }, { onSuccess: () => void message.success(t('risks.config.saved')), onError: (e) => onError(e, { form }) })}
      >
        <Form.Item name="reassessIntervalMonths" label={t('risks.config.interval')} rules={[{ required: true }]}>
          <InputNumber min={1} max={120} />
        </Form.Item>
        <Form.Item name="defaultMethodCode" label={t('risks.config.defaultMethod')} rules={[{ required: true }]}>
          <Select options={methods.filter((m) => m.active).map((m) => ({ value: m.code, label: i18n.language === 'en' ? m.nameEn : m.nameZh }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={update.isPending}>
          {t('risks.config.saveSettings')}
        </Button>
      </Form>
    </Card>
  );
}
