import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Flex, Form, Input, Select, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { PersonSelect } from '../people/PersonSelect.tsx';
import { permitTypes, useCreatePermit, usePermitConfig, workerRoles, type CreatePermitBody, type PermitType } from './api.ts';
import { usePermitError } from './usePermitError.ts';

interface Values {
  type: PermitType;
  grade: string;
  orgUnitId: string;
  location: string;
  content: string;
  from: Dayjs;
  until: Dayjs;
  guardianPersonId: string;
  workers: { personId: string; role: (typeof workerRoles)[number]; certificateNo?: string }[];
  fields?: Record<string, string>;
  jsa?: string;
}

/** The people picker inside a test hook (Form.Item hands value and onChange through). */
function PersonField({ testId, value, onChange }: { testId: string; value?: string | null; onChange?: (v: string | null) => void }) {
  return (
    <div data-testid={testId}>
      <PersonSelect value={value} onChange={onChange} />
    </div>
  );
}

/** Application: type → grade (with its validity limit) → the type's fields, area and window, people, JSA. */
export function ApplyPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const config = usePermitConfig();
  const create = useCreatePermit();
  const onError = usePermitError();
  const [type, setType] = useState<PermitType>('hot_work');
  const grade = Form.useWatch('grade', form);
  const typeConfig = config.data?.config.types[type];
  const gradeConfig = typeConfig?.grades.find((g) => g.code === grade);

  const submit = (v: Values) => {
    const body: CreatePermitBody = {
      type: v.type,
      grade: v.grade,
      orgUnitId: v.orgUnitId,
      location: v.location.trim(),
      content: v.content.trim(),
      validFrom: v.from.toISOString(),
      validUntil: v.until.toISOString(),
      guardianPersonId: v.guardianPersonId,
      workers: v.workers.map((w) => ({ personId: w.personId, role: w.role, certificateNo: w.certificateNo?.trim() || null })),
      fields: Object.fromEntries(Object.entries(v.fields ?? {}).filter(([, x]) => x !== undefined && x !== '')),
      jsa: (v.jsa ?? '')
        .split('\n')
        .map((l) => l.split('/').map((x) => x.trim()))
        .filter((p) => p.length >= 3 && p.every(Boolean))
        .map(([step, hazard, control]) => ({ step: step!, hazard: hazard!, control: control! })),
    };
    create.mutate(body, {
      onSuccess: (p) => {
        message.success(t('permits.apply.created', { number: p.number }));
        void navigate(`/permits/${p.id}`);
      },
      onError,
    });
  };

  const start = dayjs().add(5, 'minute').second(0);
  return (
    <Flex vertical gap={16}>
      <PageHeader title={t('permits.apply.title')} />
      <Card>
        <Form<Values>
          form={form}
          layout="vertical"
          style={{ maxWidth: 720 }}
          initialValues={{ type: 'hot_work', grade: '1', from: start, until: start.add(4, 'hour'), workers: [{ role: 'worker' }] }}
          onFinish={submit}
          onValuesChange={(changed: Partial<Values>) => {
            if (changed.type) {
              setType(changed.type);
              form.setFieldValue('grade', config.data?.config.types[changed.type].grades[0]?.code);
            }
          }}
        >
          <Flex gap={12} wrap>
            <Form.Item name="type" label={t('permits.apply.type')} rules={[{ required: true }]} style={{ minWidth: 220 }}>
              <Select data-testid="apply-type" options={permitTypes.map((x) => ({ value: x, label: t(`permits.type.${x}`) }))} />
            </Form.Item>
            <Form.Item name="grade" label={t('permits.apply.grade')} rules={[{ required: true }]} style={{ minWidth: 160 }} extra={gradeConfig?.maxValidityHours ? t('permits.apply.maxHours', { hours: gradeConfig.maxValidityHours }) : null}>
              <Select data-testid="apply-grade" options={(typeConfig?.grades ?? []).map((g) => ({ value: g.code, label: g.nameZh === '—' ? '—' : g.nameZh }))} />
            </Form.Item>
          </Flex>
          <Form.Item name="orgUnitId" label={t('permits.apply.area')} rules={[{ required: true }]}>
            <OrgUnitSelect testId="apply-area" />
          </Form.Item>
          <Form.Item name="location" label={t('permits.apply.location')} rules={[{ required: true, whitespace: true, max: 200 }]}>
            <Input data-testid="apply-location" maxLength={200} />
          </Form.Item>
          <Form.Item name="content" label={t('permits.apply.content')} rules={[{ required: true, whitespace: true, max: 2000 }]}>
            <Input.TextArea data-testid="apply-content" autoSize={{ minRows: 2, maxRows: 5 }} maxLength={2000} />
          </Form.Item>
          <Flex gap={12} wrap>
            <Form.Item name="from" label={t('permits.apply.from')} rules={[{ required: true }]}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" data-testid="apply-from" />
            </Form.Item>
            <Form.Item name="until" label={t('permits.apply.until')} rules={[{ required: true }]}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" data-testid="apply-until" />
            </Form.Item>
          </Flex>
          {typeConfig && typeConfig.requiredFields.length > 0 ? (
            <Flex gap={12} wrap>
              {typeConfig.requiredFields.map((k) => (
                <Form.Item key={`${type}-${k}`} name={['fields', k]} label={t(`permits.field.${k as 'method'}`, { defaultValue: k })} rules={[{ required: true, whitespace: true }]}>
                  <Input data-testid={`apply-field-${k}`} maxLength={200} />
                </Form.Item>
              ))}
            </Flex>
          ) : null}
          <Form.Item name="guardianPersonId" label={t('permits.apply.guardian')} rules={[{ required: true }]}>
            <PersonField testId="apply-guardian" />
          </Form.Item>
          <Typography.Text strong>{t('permits.apply.workers')}</Typography.Text>
          <Form.List name="workers">
            {(items, { add, remove }) => (
              <Flex vertical gap={4} style={{ marginTop: 8, marginBottom: 16 }}>
                {items.map((item, i) => (
                  <Flex key={item.key} gap={8} align="start" wrap data-testid={`apply-worker-${i}`}>
                    <Form.Item name={[item.name, 'personId']} rules={[{ required: true }]} style={{ minWidth: 260, marginBottom: 8 }}>
                      <PersonField testId={`apply-worker-person-${i}`} />
                    </Form.Item>
                    <Form.Item name={[item.name, 'role']} rules={[{ required: true }]} style={{ minWidth: 130, marginBottom: 8 }}>
                      <Select options={workerRoles.map((r) => ({ value: r, label: t(`permits.role.${r}`) }))} />
                    </Form.Item>
                    <Form.Item name={[item.name, 'certificateNo']} style={{ marginBottom: 8 }}>
                      <Input placeholder={t('permits.apply.certNo')} maxLength={100} data-testid={`apply-worker-cert-${i}`} />
                    </Form.Item>
                    {items.length > 1 ? <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(item.name)} /> : null}
                  </Flex>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ role: 'worker' })} style={{ alignSelf: 'start' }}>
                  {t('permits.apply.addWorker')}
                </Button>
              </Flex>
            )}
          </Form.List>
          <Form.Item name="jsa" label={t('permits.apply.jsa')} extra={t('permits.apply.jsaHint')}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending} data-testid="apply-submit">
            {t('permits.apply.submit')}
          </Button>
        </Form>
      </Card>
    </Flex>
  );
}
