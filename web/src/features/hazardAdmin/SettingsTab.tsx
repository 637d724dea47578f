import { App, Button, Card, Col, Flex, Form, InputNumber, Row, Select, Switch, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { useRoleLabel } from '../../shared/labels.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { useRoles } from '../roles/api.ts';
import { useRoleName } from '../roles/useRoleName.ts';
import { useUpdateSettings, type HazardConfig, type HazardSettings } from './api.ts';
import { UsersPicker } from './UserPicker.tsx';

type SettingsValues = Omit<HazardSettings, 'version'>;

const valuesOf = ({ version: _v, ...rest }: HazardSettings): SettingsValues => rest;
const ROLE_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,49}$/;

/** Duplicate window, points and who triages, receives escalations, signs off major hazards and verifies fixes. */
export function SettingsTab({ config, onReload }: { config: HazardConfig; onReload: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useCan();
  const [form] = Form.useForm<SettingsValues>();
  const update = useUpdateSettings();
  const onError = useApiError();
  const settings = config.settings;
  const roles = useRoles(can('roles:read'));
  const roleName = useRoleName();
  const builtinLabel = useRoleLabel();

  useEffect(() => form.setFieldsValue(valuesOf(settings)), [form, settings]);

  // Without roles:read the codes can still be typed; with it they are picked from the company's roles.
  const roleOptions = (roles.data ?? []).map((r) => ({ value: r.code, label: `${roleName(r)} (${r.code})` }));
  const known = new Set(roleOptions.map((o) => o.value));
  for (const code of [...settings.triageRoleCodes, ...settings.escalationRoleCodes, ...settings.signoffRoleCodes]) {
    if (!known.has(code)) {
      known.add(code);
      // With the company's roles at hand, a code none of them has is worth saying (it is skipped).
      roleOptions.push({ value: code, label: roles.data ? t('hazardAdmin.settings.unknownRole', { code }) : `${builtinLabel(code)} (${code})` });
    }
  }
  const roleRules = (required: boolean) => [
    ...(required ? [{ required: true, type: 'array' as const, min: 1, message: t('hazardAdmin.settings.oneRole') }] : []),
    { validator: (_: unknown, v: string[] | undefined) => ((v ?? []).every((c) => ROLE_CODE.test(c)) ? Promise.resolve() : Promise.reject(new Error(t('hazardAdmin.settings.roleCode')))) },
  ];
  const roleSelect = (testId: string) => <Select mode="tags" options={roleOptions} optionFilterProp="label" tokenSeparators={[',', ' ']} data-testid={testId} />;
  const points = (testId: string) => <InputNumber precision={0} suffix={t('hazardAdmin.units.points')} style={{ width: '100%' }} data-testid={testId} />;
  const pointRules = [
    { required: true, message: t('validation.required') },
    { type: 'number' as const, min: -100, max: 100, message: t('hazardAdmin.settings.pointsRange') },
  ];

  const save = async () => {
    let v: SettingsValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    update.mutate({ ...v, version: settings.version }, { onSuccess: () => void message.success(t('hazardAdmin.saved')), onError: (e) => onError(e, { form, onReload }) });
  };

  return (
    <Form form={form} layout="vertical" initialValues={valuesOf(settings)} data-testid="settings-tab">
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t('hazardAdmin.settings.duplicatesAndPoints')}>
            <Form.Item
              name="duplicateWindowHours"
              label={t('hazardAdmin.settings.duplicateWindow')}
              extra={t('hazardAdmin.settings.duplicateWindowHint')}
              rules={[
                { required: true, message: t('validation.required') },
                { type: 'number', min: 0, max: 720, message: t('hazardAdmin.settings.duplicateRange') },
              ]}
            >
              <InputNumber precision={0} suffix={t('hazardAdmin.units.h')} style={{ width: '100%' }} data-testid="settings-duplicate" />
            </Form.Item>
            <Form.Item name="pointsValidReport" label={t('hazardAdmin.settings.pointsValidReport')} rules={pointRules}>
              {points('settings-points-report')}
            </Form.Item>
            <Form.Item name="pointsVerifiedFix" label={t('hazardAdmin.settings.pointsVerifiedFix')} rules={pointRules}>
              {points('settings-points-fix')}
            </Form.Item>
            <Form.Item name="pointsRejectedReport" label={t('hazardAdmin.settings.pointsRejectedReport')} extra={t('hazardAdmin.settings.pointsRejectedHint')} rules={pointRules}>
              {points('settings-points-rejected')}
            </Form.Item>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('hazardAdmin.settings.people')}>
            <Form.Item name="triageRoleCodes" label={t('hazardAdmin.settings.triageRoles')} extra={t('hazardAdmin.settings.triageHint')} rules={roleRules(true)}>
              {roleSelect('settings-triage')}
            </Form.Item>
            <Form.Item name="escalationRoleCodes" label={t('hazardAdmin.settings.escalationRoles')} extra={t('hazardAdmin.settings.escalationHint')} rules={roleRules(true)}>
              {roleSelect('settings-escalation')}
            </Form.Item>
            <Form.Item name="signoffRoleCodes" label={t('hazardAdmin.settings.signoffRoles')} extra={t('hazardAdmin.settings.signoffHint')} rules={roleRules(false)}>
              {roleSelect('settings-signoff')}
            </Form.Item>
            <Form.Item name="signoffUserIds" label={t('hazardAdmin.settings.signoffUsers')}>
              <UsersPicker testId="settings-signoff-users" />
            </Form.Item>
            <Form.Item name="reporterVerifies" label={t('hazardAdmin.settings.reporterVerifies')} extra={t('hazardAdmin.settings.reporterVerifiesHint')} valuePropName="checked">
              <Switch data-testid="settings-reporter-verifies" />
            </Form.Item>
          </Card>
        </Col>
      </Row>
      <Flex justify="flex-end" align="center" gap={12} wrap style={{ marginTop: 16 }}>
        <Typography.Text type="secondary">{t('hazardAdmin.version', { version: settings.version })}</Typography.Text>
        <Button type="primary" onClick={() => void save()} loading={update.isPending} data-testid="settings-save">
          {t('common.save')}
        </Button>
      </Flex>
    </Form>
  );
}
