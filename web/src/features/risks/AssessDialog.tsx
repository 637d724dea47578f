import { Alert, App, Button, Descriptions, Form, Input, Modal, Radio, Select, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../shared/useApiError.ts';
import { useAssess, useRiskConfig, type EventDetailT } from './api.ts';
import { LevelTag } from './labels.tsx';
import { previewScore } from './score.ts';

/**
 * 风险评价: pick a method, then one option per factor (from the method's table); the score, level,
 * colour and control levels show as soon as every factor is chosen. The server computes and stores it.
 */
export function AssessDialog({ event, open, onClose }: { event: EventDetailT; open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { message } = App.useApp();
  const onError = useApiError();
  const config = useRiskConfig();
  const assess = useAssess();
  const [form] = Form.useForm();
  const methods = useMemo(() => (config.data?.methods ?? []).filter((m) => m.active), [config.data]);
  const [methodCode, setMethodCode] = useState<string | null>(null);
  const method = methods.find((m) => m.code === (methodCode ?? config.data?.settings.defaultMethodCode)) ?? methods[0] ?? null;
  const [chosen, setChosen] = useState<Record<string, number | undefined>>({});
  const preview = method ? previewScore(method, chosen) : null;
  const hasInherent = event.latestInherent !== null;

  const submit = () => {
    if (!method) return;
    const factors: Record<string, number> = {};
    for (const f of method.factors) {
      const v = chosen[f.key];
      if (v !== undefined) factors[f.key] = v;
    }
    const { kind, note } = form.getFieldsValue() as { kind: 'inherent' | 'residual'; note?: string };
    assess.mutate(
      { eventId: event.id, body: { methodCode: method.code, kind, factors, note: note?.trim() || null } },
      {
        onSuccess: (r) => {
          void message.success(t('risks.assess.saved', { level: t(`risks.level.${r.assessment.level}`), score: r.assessment.score }));
          setChosen({});
          onClose();
        },
        onError: (e) => onError(e, { form }),
      },
    );
  };

  return (
    <Modal
      open={open}
      title={t('risks.assess.title', { name: event.name })}
      onCancel={onClose}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="ok" type="primary" onClick={submit} disabled={!preview?.band} loading={assess.isPending} data-testid="risk-assess-submit">
          {t('risks.assess.submit')}
        </Button>,
      ]}
      destroyOnHidden
      width={640}
    >
      <Form form={form} layout="vertical" initialValues={{ kind: hasInherent ? 'residual' : 'inherent' }} data-testid="risk-assess-form">
        <Form.Item label={t('risks.assess.method')}>
          <Select
            value={method?.code}
            onChange={(v: string) => {
              setMethodCode(v);
              setChosen({});
            }}
            options={methods.map((m) => ({ value: m.code, label: en ? m.nameEn : m.nameZh }))}
            data-testid="risk-assess-method"
          />
        </Form.Item>
        <Form.Item name="kind" label={t('risks.assess.kind')}>
          <Radio.Group>
            <Radio value="inherent">{t('risks.kind.inherent')}</Radio>
            <Radio value="residual" disabled={!hasInherent}>
              {t('risks.kind.residual')}
            </Radio>
          </Radio.Group>
        </Form.Item>
        {method?.factors.map((f) => (
          <Form.Item key={f.key} label={`${f.key} · ${en ? f.nameEn : f.nameZh}`} name={['factors', f.key]}>
            <Select
              placeholder={t('risks.assess.pick')}
              value={chosen[f.key]}
              onChange={(v: number) => setChosen((c) => ({ ...c, [f.key]: v }))}
              options={f.options.map((o) => ({ value: o.value, label: `${o.value} — ${en ? o.labelEn : o.labelZh}` }))}
              data-testid={`risk-factor-${f.key}`}
            />
          </Form.Item>
        ))}
        <Form.Item name="note" label={t('risks.assess.note')}>
          <Input.TextArea maxLength={1000} autoSize={{ minRows: 1, maxRows: 4 }} />
        </Form.Item>
      </Form>
      <div data-testid="risk-assess-preview">
        {!preview ? (
          <Typography.Text type="secondary">{t('risks.assess.incomplete')}</Typography.Text>
        ) : !preview.band ? (
          <Alert type="error" showIcon title={t('risks.assess.noBand')} />
        ) : (
          <Descriptions size="small" column={1} bordered title={t('risks.assess.result')}>
            <Descriptions.Item label={t('risks.event.score')}>
              <Space>
                <Typography.Text strong data-testid="risk-assess-score">
                  {preview.score}
                </Typography.Text>
                <LevelTag level={preview.band.level} colour={preview.band.colour} />
                <Typography.Text type="secondary">{en ? preview.band.labelEn : preview.band.labelZh}</Typography.Text>
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('risks.event.controlLevels')}>{preview.band.controlLevels.map((c) => t(`risks.controlLevel.${c}`)).join('、')}</Descriptions.Item>
          </Descriptions>
        )}
      </div>
    </Modal>
  );
}
