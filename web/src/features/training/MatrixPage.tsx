import { PlusOutlined, SettingOutlined } from '@ant-design/icons';
import { Button, Card, Checkbox, Drawer, Flex, Form, InputNumber, Modal, Segmented, Select, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { usePositions } from '../positions/api.ts';
import { useTrainingConfig } from './api.ts';
import { useCourses, useCreateMatrixRow, useMatrix, useMatrixRows, useUpdateMatrixRow, type CellState, type Matrix, type MatrixFilter, type MatrixRequirement } from './planApi.ts';

/** Cell colours: green met, orange expiring, red gaps (what the safety office acts on), grey revoked. */
export const cellColor: Record<CellState, string> = { met: 'success', expiring: 'warning', missing: 'error', expired: 'error', review_overdue: 'error', revoked: 'default' };

const operationTargets = ['hot_work', 'confined_space', 'blinding', 'height', 'lifting', 'temp_power', 'excavation', 'road_closure'] as const;

/**
 * The required-training matrix (岗位培训矩阵): people of a department × the requirements of their position,
 * each cell coloured by state, gaps first to the eye. The safety director edits the requirements in a drawer.
 */
export function MatrixPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const [filter, setFilter] = useState<MatrixFilter>({});
  const matrix = useMatrix(filter);
  const positions = usePositions();
  const [configOpen, setConfigOpen] = useState(false);
  const data = matrix.data;
  const patch = (p: Partial<MatrixFilter>) => setFilter((f) => ({ ...f, ...p }));
  // Only the requirements of the positions shown become columns.
  const shown = useMemo(() => {
    if (!data) return [];
    const used = new Set(data.people.map((p) => p.positionId));
    return data.requirements.filter((r) => used.has(r.positionId));
  }, [data]);

  return (
    <>
      <PageHeader
        title={t('training.matrix.title')}
        sub={t('training.matrix.subtitle')}
        extra={
          can('training:configure') ? (
            <Button icon={<SettingOutlined />} onClick={() => setConfigOpen(true)} data-testid="matrix-config">
              {t('training.matrix.config')}
            </Button>
          ) : null
        }
      />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Flex wrap gap={8} align="center">
          <div style={{ minWidth: 220 }}>
            <OrgUnitSelect allowClear placeholder={t('training.matrix.department')} value={filter.departmentId} onChange={(v) => patch({ departmentId: v })} testId="matrix-department" />
          </div>
          <Select allowClear placeholder={t('training.matrix.position')} style={{ minWidth: 140 }} value={filter.positionId} onChange={(v?: string) => patch({ positionId: v })} options={(positions.data ?? []).map((p) => ({ value: p.id, label: p.name }))} data-testid="matrix-position" />
          <Checkbox checked={filter.gapsOnly ?? false} onChange={(e) => patch({ gapsOnly: e.target.checked || undefined })} data-testid="matrix-gaps-only">
            {t('training.matrix.gapsOnly')}
          </Checkbox>
          {data ? (
            <Typography.Text type="secondary" data-testid="matrix-summary">
              {t('training.matrix.summary', data.summary)}
            </Typography.Text>
          ) : null}
        </Flex>
      </Card>
      <Flex wrap gap={6} style={{ marginBottom: 8 }}>
        {(['met', 'expiring', 'missing', 'expired', 'review_overdue', 'revoked'] as const).map((s) => (
          <Tag key={s} color={cellColor[s]}>
            {t(`training.matrix.state.${s}`)}
          </Tag>
        ))}
      </Flex>
      {matrix.error ? <QueryError error={matrix.error} onRetry={() => void matrix.refetch()} /> : null}
      <Table<Matrix['people'][number]>
        rowKey="personId"
        size="small"
        bordered
        loading={matrix.isLoading}
        dataSource={data?.people ?? []}
        pagination={{ pageSize: 50, showSizeChanger: false }}
        scroll={{ x: 360 + shown.length * 130 }}
        data-testid="matrix-table"
        columns={[
          {
            title: t('training.matrix.person'),
            key: 'person',
            fixed: 'left',
            width: 170,
            render: (_: unknown, p) => (
              <>
                <Link to={`/training/people/${p.personId}`}>{p.name}</Link>
                <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                  {p.employeeNo} · {p.orgUnitName ?? ''}
                </Typography.Text>
              </>
            ),
          },
          { title: t('training.matrix.position'), dataIndex: 'positionName', width: 90 },
          { title: t('training.matrix.gaps'), dataIndex: 'gaps', width: 60, sorter: (a, b) => a.gaps - b.gaps, render: (n: number) => (n > 0 ? <Typography.Text type="danger" strong>{n}</Typography.Text> : 0) },
          ...shown.map((r) => ({
            title: (
              <Tooltip title={r.note ?? undefined}>
                <span style={{ fontSize: 12 }}>
                  {r.positionName}：{r.label}
                </span>
              </Tooltip>
            ),
            key: r.id,
            width: 130,
            render: (_: unknown, p: Matrix['people'][number]) => {
              const cell = p.cells.find((c) => c.requirementId === r.id);
              if (!cell) return <Typography.Text type="secondary">{t('training.matrix.notApplicable')}</Typography.Text>;
              return (
                <Tag color={cellColor[cell.state]} data-testid={`cell-${cell.state}`} style={{ marginInlineEnd: 0 }}>
                  {t(`training.matrix.state.${cell.state}`)}
                  {cell.until && cell.state !== 'missing' ? <span style={{ fontSize: 11 }}> {t('training.matrix.until', { day: cell.until })}</span> : null}
                </Tag>
              );
            },
          })),
        ]}
      />
      <MatrixConfigDrawer open={configOpen} onClose={() => setConfigOpen(false)} />
    </>
  );
}

function MatrixConfigDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const rows = useMatrixRows();
  const update = useUpdateMatrixRow();
  const showError = useApiError();
  const [adding, setAdding] = useState(false);
  return (
    <Drawer open={open} onClose={onClose} title={t('training.matrix.config')} size={720} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="matrix-add">{t('training.matrix.addRow')}</Button>}>
      <Table<MatrixRequirement>
        rowKey="id"
        size="small"
        loading={rows.isLoading}
        dataSource={rows.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: t('training.matrix.empty') }}
        columns={[
          { title: t('training.matrix.position'), dataIndex: 'positionName', width: 90 },
          { title: t('training.matrix.requirement'), dataIndex: 'label' },
          { title: t('training.matrix.gates'), dataIndex: 'gates', width: 140, render: (g: string[]) => g.map((x) => <Tag key={x}>{x}</Tag>) },
          {
            title: t('training.matrix.active'),
            dataIndex: 'active',
            width: 70,
            render: (a: boolean, r) => <Switch size="small" checked={a} loading={update.isPending} onChange={(v) => update.mutate({ id: r.id, body: { active: v, version: r.version } }, { onError: (e) => showError(e) })} />,
          },
        ]}
      />
      <AddMatrixRow open={adding} onClose={() => setAdding(false)} />
    </Drawer>
  );
}

interface RowForm {
  positionId: string;
  kind: 'course' | 'certificate';
  courseId?: string;
  typeId?: string;
  categories?: string[];
  validMonths?: number | null;
  gates?: string[];
}

function AddMatrixRow({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<RowForm>();
  const kind = Form.useWatch('kind', form) ?? 'course';
  const typeId = Form.useWatch('typeId', form);
  const positions = usePositions();
  const courses = useCourses();
  const config = useTrainingConfig();
  const create = useCreateMatrixRow();
  const showError = useApiError();
  const en = i18n.language === 'en';
  const type = config.data?.types.find((x) => x.id === typeId);
  return (
    <Modal
      open={open}
      title={t('training.matrix.addRow')}
      onCancel={onClose}
      confirmLoading={create.isPending}
      destroyOnHidden
      onOk={() =>
        void form.validateFields().then((v) =>
          create.mutate(
            { positionId: v.positionId, kind: v.kind, ...(v.kind === 'course' ? { courseId: v.courseId, validMonths: v.validMonths ?? null } : { typeId: v.typeId, categories: v.categories ?? [] }), gates: (v.gates ?? []).map((g) => `operation:${g}`) },
            { onSuccess: () => (form.resetFields(), onClose()), onError: (e) => showError(e, { form }) },
          ),
        )
      }
    >
      <Form form={form} layout="vertical" initialValues={{ kind: 'course' }}>
        <Form.Item name="positionId" label={t('training.matrix.position')} rules={[{ required: true }]}>
          <Select options={(positions.data ?? []).map((p) => ({ value: p.id, label: p.name }))} data-testid="matrix-row-position" />
        </Form.Item>
        <Form.Item name="kind" label={t('training.matrix.kindLabel')}>
          <Segmented options={(['course', 'certificate'] as const).map((k) => ({ value: k, label: t(`training.matrix.kind.${k}`) }))} />
        </Form.Item>
        {kind === 'course' ? (
          <>
            <Form.Item name="courseId" label={t('training.plans.course')} rules={[{ required: true }]}>
              <Select options={(courses.data?.items ?? []).map((c) => ({ value: c.id, label: c.title }))} data-testid="matrix-row-course" />
            </Form.Item>
            <Form.Item name="validMonths" label={t('training.matrix.validMonths')}>
              <InputNumber min={1} max={120} />
            </Form.Item>
          </>
        ) : (
          <>
            <Form.Item name="typeId" label={t('training.matrix.certType')} rules={[{ required: true }]}>
              <Select options={(config.data?.types ?? []).map((x) => ({ value: x.id, label: en ? x.nameEn : x.nameZh }))} />
            </Form.Item>
            <Form.Item name="categories" label={t('training.matrix.categories')}>
              <Select mode="multiple" options={(type?.categories ?? []).map((c) => ({ value: c.code, label: en ? c.labelEn : c.labelZh }))} />
            </Form.Item>
          </>
        )}
        <Form.Item name="gates" label={t('training.matrix.gates')}>
          <Select mode="multiple" options={operationTargets.map((o) => ({ value: o, label: o }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
