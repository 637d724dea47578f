import { App, Button, Form, Input, Modal, Popconfirm, TreeSelect, type ButtonProps } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, isApiError } from '../../api/client.ts';
import { AreaSelect } from '../hazards/AreaSelect.tsx';
import { useRiskTree } from './api.ts';
import { useArchiveArea, useSaveArea, type MapAreaView, type Point } from './mapApi.ts';

/** Name, linked risk units and hazard area of a drawn (or existing) area; saves it, or archives an existing one. */
export function AreaEditor({ mapId, area, polygon, onClose }: { mapId: string; area: MapAreaView | null; polygon: Point[] | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string; riskUnitIds: string[]; orgUnitId?: string }>();
  const tree = useRiskTree([]);
  const save = useSaveArea(mapId);
  const archive = useArchiveArea();
  const options = useMemo(
    () =>
      (tree.data?.objects ?? []).map((o) => ({
        value: `object:${o.id}`,
        title: `${o.code} ${o.name}`,
        selectable: false,
        checkable: false,
        children: o.units.map((u) => ({ value: u.id, title: u.name })),
      })),
    [tree.data],
  );
  const fail = (e: unknown) => void message.error(isApiError(e) ? errorText(e) : String(e));
  const submit = async () => {
    const v = await form.validateFields();
    const points = polygon ?? (area?.polygon as Point[] | undefined) ?? [];
    try {
      await save.mutateAsync({ id: area?.id ?? null, version: area?.version, body: { name: v.name.trim(), polygon: points, riskUnitIds: v.riskUnitIds ?? [], orgUnitId: v.orgUnitId ?? null } });
      message.success(t('risks.map.saved'));
      onClose();
    } catch (e) {
      fail(e);
    }
  };
  return (
    <Modal
      open
      title={area ? t('risks.map.editArea') : t('risks.map.newArea')}
      onCancel={onClose}
      onOk={submit}
      okButtonProps={{ loading: save.isPending, 'data-testid': 'area-save' } as ButtonProps}
      footer={(node) => (
        <>
          {area ? (
            <Popconfirm
              title={t('risks.map.archiveConfirm')}
              onConfirm={async () => {
                try {
                  await archive.mutateAsync({ id: area.id, version: area.version, reason: t('risks.map.archiveReason') });
                  onClose();
                } catch (e) {
                  fail(e);
                }
              }}
            >
              <Button danger>{t('risks.map.archive')}</Button>
            </Popconfirm>
          ) : null}
          {node}
        </>
      )}
    >
      <Form form={form} layout="vertical" initialValues={{ name: area?.name ?? '', riskUnitIds: area?.riskUnitIds ?? [], orgUnitId: area?.orgUnitId ?? undefined }}>
        <Form.Item name="name" label={t('risks.map.areaName')} rules={[{ required: true, whitespace: true, max: 100 }]}>
          <Input data-testid="area-name" />
        </Form.Item>
        <Form.Item name="riskUnitIds" label={t('risks.map.units')}>
          <TreeSelect treeData={options} multiple treeDefaultExpandAll={false} showSearch treeNodeFilterProp="title" loading={tree.isLoading} data-testid="area-units" />
        </Form.Item>
        <Form.Item name="orgUnitId" label={t('risks.map.hazardArea')}>
          <AreaSelect allowClear testId="area-org" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
