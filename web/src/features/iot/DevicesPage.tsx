import { DownloadOutlined, FileExcelOutlined, KeyOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { ImportDialog } from './ImportDialog.tsx';
import { iotExportUrl } from './monitoringApi.ts';
import { useCreateDevice, useCreatePoint, useDevices, useIssueToken, usePoints, usePointTypes, type Device, type Point } from './api.ts';

/** The token of a device, shown once after issuing, with how a device uses it. */
function TokenDialog({ device, token, onClose }: { device: Device; token: string; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal open title={t('iot.admin.tokenTitle')} onCancel={onClose} onOk={onClose} cancelButtonProps={{ style: { display: 'none' } }} destroyOnHidden>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Alert type="warning" showIcon message={t('iot.admin.tokenHelp')} />
        <Typography.Text>{t('iot.admin.deviceId')}</Typography.Text>
        <Typography.Text code copyable>{device.id}</Typography.Text>
        <Typography.Text>{t('iot.admin.token')}</Typography.Text>
        <Typography.Text code copyable data-testid="device-token">{token}</Typography.Text>
        <Typography.Text>{t('iot.admin.topic')}</Typography.Text>
        <Typography.Text code copyable>{`safeloop/v1/devices/${device.id}/readings`}</Typography.Text>
      </Space>
    </Modal>
  );
}

function DeviceDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ code: string; name: string; model?: string; orgUnitId: string }>();
  const create = useCreateDevice();
  const onError = useApiError();
  return (
    <Modal open title={t('iot.admin.newDevice')} onCancel={onClose} confirmLoading={create.isPending} onOk={() => void form.validateFields().then((v) => create.mutate(v, { onSuccess: onClose, onError: (e) => onError(e, { form }) }))} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Form.Item name="code" label={t('iot.admin.code')} rules={[{ required: true, pattern: /^[\w.:-]{1,64}$/ }]}>
          <Input data-testid="device-code" />
        </Form.Item>
        <Form.Item name="name" label={t('iot.admin.name')} rules={[{ required: true, whitespace: true, max: 200 }]}>
          <Input data-testid="device-name" />
        </Form.Item>
        <Form.Item name="model" label={t('iot.admin.model')}>
          <Input />
        </Form.Item>
        <Form.Item name="orgUnitId" label={t('iot.admin.area')} rules={[{ required: true }]}>
          <OrgUnitSelect testId="device-area" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function PointDialog({ devices, onClose }: { devices: Device[]; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<{ deviceId: string; key: string; code: string; name: string; type: string; unit?: string; orgUnitId: string }>();
  const create = useCreatePoint();
  const types = usePointTypes();
  const onError = useApiError();
  return (
    <Modal open title={t('iot.admin.newPoint')} onCancel={onClose} confirmLoading={create.isPending} onOk={() => void form.validateFields().then((v) => create.mutate(v, { onSuccess: onClose, onError: (e) => onError(e, { form }) }))} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Form.Item name="deviceId" label={t('iot.admin.device')} rules={[{ required: true }]}>
          <Select options={devices.map((d) => ({ value: d.id, label: `${d.code} ${d.name}` }))} />
        </Form.Item>
        <Form.Item name="key" label={t('iot.admin.key')} rules={[{ required: true, pattern: /^[\w.:-]{1,64}$/ }]}>
          <Input placeholder="ch1" />
        </Form.Item>
        <Form.Item name="code" label={t('iot.admin.code')} rules={[{ required: true, pattern: /^[\w.:-]{1,64}$/ }]}>
          <Input />
        </Form.Item>
        <Form.Item name="name" label={t('iot.admin.name')} rules={[{ required: true, whitespace: true, max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="type" label={t('iot.admin.type')} rules={[{ required: true }]}>
          <Select
            options={(types.data?.items ?? []).map((x) => ({ value: x.code, label: i18n.language === 'en' ? x.nameEn : x.nameZh }))}
            onChange={(code: string) => form.setFieldValue('unit', types.data?.items.find((x) => x.code === code)?.defaultUnit ?? '')}
          />
        </Form.Item>
        <Form.Item name="unit" label={t('iot.admin.unit')}>
          <Input maxLength={20} />
        </Form.Item>
        <Form.Item name="orgUnitId" label={t('iot.admin.area')} rules={[{ required: true }]}>
          <OrgUnitSelect />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Device and point administration: register, issue or rotate tokens, see online state and last report. */
export function DevicesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canConfigure = useCan().can('iot:configure');
  const devices = useDevices();
  const points = usePoints();
  const issue = useIssueToken();
  const onError = useApiError();
  const [dialog, setDialog] = useState<'device' | 'point' | 'import' | null>(null);
  const [shown, setShown] = useState<{ device: Device; token: string } | null>(null);

  const issueToken = (d: Device) =>
    issue.mutate(d.id, {
      onSuccess: (r) => {
        setShown(r);
        void message.success(t('iot.monitor.done'));
      },
      onError: (e) => onError(e),
    });

  return (
    <>
      <PageHeader
        title={t('iot.admin.title')}
        extra={
          canConfigure ? (
            <Space>
              <Button icon={<PlusOutlined />} onClick={() => setDialog('device')} data-testid="new-device">
                {t('iot.admin.newDevice')}
              </Button>
              <Button icon={<PlusOutlined />} onClick={() => setDialog('point')}>
                {t('iot.admin.newPoint')}
              </Button>
              <Button icon={<FileExcelOutlined />} onClick={() => setDialog('import')} data-testid="iot-import-open">
                {t('iot.importer.open')}
              </Button>
              <Button icon={<DownloadOutlined />} href={iotExportUrl} download>
                {t('iot.importer.export')}
              </Button>
            </Space>
          ) : (
            <Button icon={<DownloadOutlined />} href={iotExportUrl} download>
              {t('iot.importer.export')}
            </Button>
          )
        }
      />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Card title={t('iot.admin.devices')} size="small">
          {devices.error ? (
            <QueryError error={devices.error} onRetry={() => void devices.refetch()} />
          ) : (
            <Table<Device>
              size="small"
              rowKey="id"
              loading={devices.isLoading}
              dataSource={devices.data?.items ?? []}
              pagination={{ pageSize: 50, hideOnSinglePage: true }}
              data-testid="iot-devices"
              columns={[
                { title: t('iot.admin.code'), dataIndex: 'code' },
                { title: t('iot.admin.name'), dataIndex: 'name' },
                { title: t('iot.monitor.status'), render: (_, d) => <Tag color={d.status === 'online' ? 'green' : 'default'}>{t(`iot.device.${d.status}`)}</Tag> },
                { title: t('iot.admin.lastSeen'), render: (_, d) => (d.lastSeenAt ? dayjs(d.lastSeenAt).format('YYYY-MM-DD HH:mm:ss') : t('iot.admin.never')) },
                ...(canConfigure
                  ? [
                      {
                        title: t('iot.admin.token'),
                        render: (_: unknown, d: Device) => (
                          <Button size="small" icon={<KeyOutlined />} loading={issue.isPending && issue.variables === d.id} onClick={() => issueToken(d)} data-testid={`token-${d.code}`}>
                            {d.hasToken ? t('iot.admin.rotateToken') : t('iot.admin.issueToken')}
                          </Button>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
          )}
        </Card>
        <Card title={t('iot.admin.points')} size="small">
          <Table<Point>
            size="small"
            rowKey="id"
            loading={points.isLoading}
            dataSource={points.data?.items ?? []}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            columns={[
              { title: t('iot.admin.code'), dataIndex: 'code' },
              { title: t('iot.admin.name'), dataIndex: 'name' },
              { title: t('iot.admin.device'), dataIndex: 'deviceCode' },
              { title: t('iot.admin.key'), dataIndex: 'key' },
              { title: t('iot.admin.type'), dataIndex: 'type' },
              { title: t('iot.admin.unit'), dataIndex: 'unit' },
            ]}
          />
        </Card>
      </Space>
      {dialog === 'device' ? <DeviceDialog onClose={() => setDialog(null)} /> : null}
      <ImportDialog open={dialog === 'import'} onClose={() => setDialog(null)} />
      {dialog === 'point' ? <PointDialog devices={devices.data?.items ?? []} onClose={() => setDialog(null)} /> : null}
      {shown ? <TokenDialog device={shown.device} token={shown.token} onClose={() => setShown(null)} /> : null}
    </>
  );
}
