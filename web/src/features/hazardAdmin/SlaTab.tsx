import { Alert, App, Button, Card, Checkbox, Col, Flex, Form, InputNumber, Row, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../shared/useApiError.ts';
import { useUpdateSla, type DictItem, type HazardConfig, type SlaPolicy } from './api.ts';
import { formatHours, hoursToMinutes, minutesToHours, useDictLabel } from './labels.ts';

interface SlaValues {
  respondHours: number;
  rectifyHours: number;
  verifyHours: number;
  reminderPercent: number;
  escalationHours: number;
  planRequired: boolean;
  requiresTreatmentPlan: boolean;
}

// The server's limits (routes.ts slaProps), in hours.
const MAX_RESPOND_H = 525_600 / 60;
const MAX_RECTIFY_H = 1_051_200 / 60;
const MAX_ESCALATION_H = 43_200 / 60;
const MIN_WINDOW_H = 1 / 60;

const valuesOf = (p: SlaPolicy): SlaValues => ({
  respondHours: minutesToHours(p.respondMinutes),
  rectifyHours: minutesToHours(p.rectifyMinutes),
  verifyHours: minutesToHours(p.verifyMinutes),
  reminderPercent: p.reminderPercent,
  escalationHours: minutesToHours(p.escalationDelayMinutes),
  planRequired: p.planRequired,
  requiresTreatmentPlan: p.requiresTreatmentPlan,
});

/** Deadlines per level. New windows apply to hazards reported from now on; running clocks keep theirs. */
export function SlaTab({ config, onReload }: { config: HazardConfig; onReload: () => void }) {
  const { t } = useTranslation();
  return (
    <Flex vertical gap={16} data-testid="sla-tab">
      <Alert type="info" showIcon title={t('hazardAdmin.sla.appliesToNew')} description={t('hazardAdmin.sla.steps')} />
      <Row gutter={[16, 16]}>
        {config.slaPolicies.map((p) => (
          <Col key={p.level} xs={24} xl={8}>
            <SlaCard policy={p} level={config.levels.find((l) => l.code === p.level)} onReload={onReload} />
          </Col>
        ))}
      </Row>
    </Flex>
  );
}

function SlaCard({ policy, level, onReload }: { policy: SlaPolicy; level: DictItem | undefined; onReload: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const label = useDictLabel();
  const [form] = Form.useForm<SlaValues>();
  const update = useUpdateSla();
  const onError = useApiError();
  const units = { m: t('hazardAdmin.units.m'), h: t('hazardAdmin.units.h'), d: t('hazardAdmin.units.d') };

  // A saved or reloaded policy replaces what the form shows (the version moves on).
  useEffect(() => form.setFieldsValue(valuesOf(policy)), [form, policy]);

  const rectify = Form.useWatch('rectifyHours', form);
  const respond = Form.useWatch('respondHours', form);
  const pct = Form.useWatch('reminderPercent', form);
  const escalation = Form.useWatch('escalationHours', form);
  const lead = (h: number | undefined) => (typeof h === 'number' && typeof pct === 'number' ? formatHours(h * (1 - pct / 100), units) : '—');

  const save = async () => {
    let v: SlaValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    update.mutate(
      {
        level: policy.level,
        respondMinutes: hoursToMinutes(v.respondHours),
        rectifyMinutes: hoursToMinutes(v.rectifyHours),
        verifyMinutes: hoursToMinutes(v.verifyHours),
        reminderPercent: v.reminderPercent,
        escalationDelayMinutes: hoursToMinutes(v.escalationHours),
        planRequired: v.planRequired,
        requiresTreatmentPlan: v.requiresTreatmentPlan,
        version: policy.version,
      },
      { onSuccess: () => void message.success(t('hazardAdmin.saved')), onError: (e) => onError(e, { onReload }) },
    );
  };

  const hours = (max: number) => [
    { required: true, message: t('validation.required') },
    { type: 'number' as const, min: MIN_WINDOW_H, max, message: t('hazardAdmin.sla.hoursRange', { max: Math.round(max) }) },
  ];

  return (
    <Card title={label(level, policy.level)} data-testid={`sla-${policy.level}`}>
      <Form form={form} layout="vertical" initialValues={valuesOf(policy)}>
        <Form.Item name="respondHours" label={t('hazardAdmin.sla.respond')} extra={t('hazardAdmin.sla.respondHint')} rules={hours(MAX_RESPOND_H)}>
          <InputNumber step={1} suffix={units.h} style={{ width: '100%' }} data-testid={`sla-${policy.level}-respond`} />
        </Form.Item>
        <Form.Item
          name="rectifyHours"
          label={t('hazardAdmin.sla.rectify')}
          extra={t('hazardAdmin.sla.rectifyHint', { days: typeof rectify === 'number' ? Math.round((rectify / 24) * 10) / 10 : '—' })}
          dependencies={['respondHours']}
          rules={[
            ...hours(MAX_RECTIFY_H),
            ({ getFieldValue }) => ({
              validator: (_, v: number | null) =>
                typeof v === 'number' && v < (getFieldValue('respondHours') as number) ? Promise.reject(new Error(t('hazardAdmin.sla.respondLonger'))) : Promise.resolve(),
            }),
          ]}
        >
          <InputNumber step={1} suffix={units.h} style={{ width: '100%' }} data-testid={`sla-${policy.level}-rectify`} />
        </Form.Item>
        <Form.Item name="verifyHours" label={t('hazardAdmin.sla.verify')} extra={t('hazardAdmin.sla.verifyHint')} rules={hours(MAX_RESPOND_H)}>
          <InputNumber step={1} suffix={units.h} style={{ width: '100%' }} data-testid={`sla-${policy.level}-verify`} />
        </Form.Item>
        <Form.Item
          name="reminderPercent"
          label={t('hazardAdmin.sla.reminder')}
          extra={t('hazardAdmin.sla.reminderHint', { respond: lead(respond), rectify: lead(rectify) })}
          rules={[
            { required: true, message: t('validation.required') },
            { type: 'number', min: 1, max: 99, message: t('hazardAdmin.sla.percentRange') },
          ]}
        >
          <InputNumber precision={0} suffix="%" style={{ width: '100%' }} data-testid={`sla-${policy.level}-reminder`} />
        </Form.Item>
        <Form.Item
          name="escalationHours"
          label={t('hazardAdmin.sla.escalation')}
          extra={t('hazardAdmin.sla.escalationHint', { hours: typeof escalation === 'number' ? formatHours(escalation, units) : '—' })}
          rules={[
            { required: true, message: t('validation.required') },
            { type: 'number', min: 0, max: MAX_ESCALATION_H, message: t('hazardAdmin.sla.escalationRange', { max: MAX_ESCALATION_H }) },
          ]}
        >
          <InputNumber step={1} suffix={units.h} style={{ width: '100%' }} data-testid={`sla-${policy.level}-escalation`} />
        </Form.Item>
        <Form.Item name="planRequired" valuePropName="checked" style={{ marginBottom: 8 }}>
          <Checkbox>{t('hazardAdmin.sla.planRequired')}</Checkbox>
        </Form.Item>
        <Form.Item name="requiresTreatmentPlan" valuePropName="checked">
          <Checkbox>{t('hazardAdmin.sla.treatmentPlan')}</Checkbox>
        </Form.Item>
        <Flex justify="space-between" align="center" wrap gap={8}>
          <Typography.Text type="secondary">{t('hazardAdmin.version', { version: policy.version })}</Typography.Text>
          <Button type="primary" onClick={() => void save()} loading={update.isPending} data-testid={`sla-${policy.level}-save`}>
            {t('common.save')}
          </Button>
        </Flex>
      </Form>
    </Card>
  );
}
