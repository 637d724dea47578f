import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Flex, Form, Input, InputNumber, List, Modal, Progress, Row, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { usePositions } from '../positions/api.ts';
import { plansExportUrl, useAddPlanItem, useCourses, useCreatePlan, usePlan, usePlans, useUpdatePlan, useUpdatePlanItem, type Plan, type PlanItem } from './planApi.ts';

const stateColor: Record<PlanItem['state'], string> = { planned: 'default', in_progress: 'processing', completed: 'success', overdue: 'error', cancelled: 'default' };
const statusColor: Record<Plan['status'], string> = { draft: 'default', published: 'blue', closed: 'default' };

/**
 * Training plans (培训计划): the year's yearly and monthly plans of the departments in scope on the left, the
 * chosen plan's trainings with their completion (computed from the records) on the right; Excel export.
 */
export function PlansPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const [year, setYear] = useState(new Date().getFullYear());
  const [departmentId, setDepartmentId] = useState<string | undefined>();
  const plans = usePlans(year, departmentId);
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const canWrite = can('training:write');
  const items = plans.data?.items ?? [];
  const current = selected && items.some((p) => p.id === selected) ? selected : (items[0]?.id ?? null);
  const years = Array.from({ length: 5 }, (_, i) => new Date().getFullYear() + 1 - i);

  return (
    <>
      <PageHeader
        title={t('training.plans.title')}
        sub={t('training.plans.subtitle')}
        extra={
          <Flex gap={8} wrap>
            <Button icon={<DownloadOutlined />} href={plansExportUrl(year, departmentId)} download data-testid="plans-export">
              {t('training.plans.export')}
            </Button>
            {canWrite ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="plan-add">
                {t('training.plans.add')}
              </Button>
            ) : null}
          </Flex>
        }
      />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Flex wrap gap={8}>
          <Select value={year} onChange={setYear} options={years.map((y) => ({ value: y, label: y }))} style={{ width: 100 }} data-testid="plans-year" />
          <div style={{ minWidth: 220 }}>
            <OrgUnitSelect allowClear placeholder={t('training.plans.department')} value={departmentId} onChange={setDepartmentId} />
          </div>
        </Flex>
      </Card>
      {plans.error ? <QueryError error={plans.error} onRetry={() => void plans.refetch()} /> : null}
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={8}>
          <Card size="small" loading={plans.isLoading}>
            {items.length === 0 ? (
              <Empty description={t('training.plans.empty')} />
            ) : (
              <List
                dataSource={items}
                data-testid="plans-list"
                renderItem={(p) => (
                  <List.Item onClick={() => setSelected(p.id)} style={{ cursor: 'pointer', background: p.id === current ? 'rgba(22,119,255,0.06)' : undefined, paddingInline: 8 }} data-testid="plan-row">
                    <List.Item.Meta
                      title={
                        <Flex gap={6} wrap align="center">
                          <span>{p.title}</span>
                          <Tag color={statusColor[p.status]}>{t(`training.plans.status.${p.status}`)}</Tag>
                        </Flex>
                      }
                      description={`${p.month === null ? t('training.plans.yearly') : t('training.plans.monthly', { month: p.month })} · ${p.orgUnitName ?? ''}`}
                    />
                    <Progress type="circle" size={44} percent={p.percent} />
                  </List.Item>
                )}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={16}>
          {current ? <PlanDetailCard id={current} canWrite={canWrite} /> : <Card size="small"><Empty description={t('training.plans.pick')} /></Card>}
        </Col>
      </Row>
      <NewPlanModal open={creating} year={year} onClose={(id) => (setCreating(false), id ? setSelected(id) : undefined)} />
    </>
  );
}

function PlanDetailCard({ id, canWrite }: { id: string; canWrite: boolean }) {
  const { t } = useTranslation();
  const plan = usePlan(id);
  const update = useUpdatePlan();
  const updateItem = useUpdatePlanItem();
  const showError = useApiError();
  const [adding, setAdding] = useState(false);
  const p = plan.data;
  if (plan.error) return <QueryError error={plan.error} onRetry={() => void plan.refetch()} />;
  const editable = canWrite && p && p.status !== 'closed';
  const move = (status: Plan['status']) => p && update.mutate({ id: p.id, body: { status, version: p.version } }, { onError: (e) => showError(e, { onReload: () => void plan.refetch() }) });
  return (
    <Card
      size="small"
      loading={plan.isLoading}
      title={p?.title}
      extra={
        editable ? (
          <Flex gap={6} wrap>
            <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="plan-item-add">
              {t('training.plans.addItem')}
            </Button>
            {p.status === 'draft' ? (
              <Button size="small" type="primary" onClick={() => move('published')} data-testid="plan-publish">
                {t('training.plans.publish')}
              </Button>
            ) : (
              <Button size="small" onClick={() => move('closed')}>
                {t('training.plans.close')}
              </Button>
            )}
          </Flex>
        ) : null
      }
    >
      {p ? (
        <>
          <Typography.Paragraph type="secondary" data-testid="plan-summary">
            {t('training.plans.summary', { items: p.items, done: p.completedItems, percent: p.percent, hours: p.plannedHours })}
            {p.notes ? ` · ${p.notes}` : ''}
          </Typography.Paragraph>
          <Table<PlanItem>
            rowKey="id"
            size="small"
            dataSource={p.lines}
            pagination={false}
            scroll={{ x: 760 }}
            data-testid="plan-items"
            columns={[
              { title: t('training.plans.plannedMonth'), dataIndex: 'plannedMonth', width: 60 },
              { title: t('training.plans.topic'), dataIndex: 'topic', render: (v: string, i) => (i.courseId ? <Typography.Text>{v} <Tag>{t('training.plans.course')}</Tag></Typography.Text> : v) },
              { title: t('training.plans.positions'), dataIndex: 'positionNames', width: 130, render: (n: string[]) => (n.length ? n.join('、') : t('training.plans.allPositions')) },
              { title: t('training.plans.hours'), dataIndex: 'hours', width: 60 },
              { title: t('training.plans.trainer'), dataIndex: 'trainer', width: 100 },
              {
                title: t('training.plans.progress'),
                key: 'progress',
                width: 150,
                render: (_: unknown, i) => (
                  <>
                    <Progress percent={i.percent} size="small" status={i.state === 'overdue' ? 'exception' : undefined} />
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('training.plans.people', { done: i.completedPeople, target: i.targetPeople })}
                    </Typography.Text>
                  </>
                ),
              },
              { title: '', dataIndex: 'state', width: 100, render: (s: PlanItem['state']) => <Tag color={stateColor[s]} data-testid={`item-state-${s}`}>{t(`training.plans.state.${s}`)}</Tag> },
              ...(editable
                ? [
                    {
                      title: '',
                      key: 'x',
                      width: 80,
                      render: (_: unknown, i: PlanItem) =>
                        i.status === 'planned' ? (
                          <Typography.Link onClick={() => updateItem.mutate({ planId: p.id, itemId: i.id, body: { status: 'cancelled', version: i.version } }, { onError: (e) => showError(e) })}>{t('training.plans.cancel')}</Typography.Link>
                        ) : null,
                    },
                  ]
                : []),
            ]}
          />
          <NewItemModal open={adding} planId={p.id} month={p.month} onClose={() => setAdding(false)} />
        </>
      ) : null}
    </Card>
  );
}

function NewPlanModal({ open, year, onClose }: { open: boolean; year: number; onClose: (id?: string) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ year: number; month?: number; title: string; orgUnitId: string; notes?: string }>();
  const create = useCreatePlan();
  const showError = useApiError();
  return (
    <Modal
      open={open}
      title={t('training.plans.add')}
      onCancel={() => onClose()}
      confirmLoading={create.isPending}
      destroyOnHidden
      onOk={() => void form.validateFields().then((v) => create.mutate({ ...v, month: v.month ?? null }, { onSuccess: (p) => (form.resetFields(), onClose(p.id)), onError: (e) => showError(e, { form }) }))}
    >
      <Form form={form} layout="vertical" initialValues={{ year }}>
        <Flex gap={8}>
          <Form.Item name="year" label={t('training.plans.year')} rules={[{ required: true }]}>
            <InputNumber min={2000} max={2100} />
          </Form.Item>
          <Form.Item name="month" label={t('training.plans.month')} tooltip={t('training.plans.yearly')}>
            <Select allowClear style={{ width: 120 }} options={Array.from({ length: 12 }, (_, i) => ({ value: i + 1, label: i + 1 }))} placeholder={t('training.plans.yearly')} />
          </Form.Item>
        </Flex>
        <Form.Item name="title" label={t('training.plans.name')} rules={[{ required: true, whitespace: true }, { max: 200 }]}>
          <Input data-testid="plan-title" />
        </Form.Item>
        <Form.Item name="orgUnitId" label={t('training.plans.department')} rules={[{ required: true }]}>
          <OrgUnitSelect testId="plan-unit" />
        </Form.Item>
        <Form.Item name="notes" label={t('training.plans.notes')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function NewItemModal({ open, planId, month, onClose }: { open: boolean; planId: string; month: number | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ courseId?: string; topic?: string; positionIds?: string[]; orgUnitId?: string; plannedMonth: number; hours: number; trainer?: string }>();
  const add = useAddPlanItem();
  const courses = useCourses();
  const positions = usePositions();
  const showError = useApiError();
  return (
    <Modal
      open={open}
      title={t('training.plans.addItem')}
      onCancel={onClose}
      confirmLoading={add.isPending}
      destroyOnHidden
      onOk={() => void form.validateFields().then((v) => add.mutate({ planId, body: { ...v, positionIds: v.positionIds ?? [] } }, { onSuccess: () => (form.resetFields(), onClose()), onError: (e) => showError(e, { form }) }))}
    >
      <Form form={form} layout="vertical" initialValues={{ plannedMonth: month ?? new Date().getMonth() + 1, hours: 2 }}>
        <Form.Item name="courseId" label={t('training.plans.course')}>
          <Select allowClear options={(courses.data?.items ?? []).map((c) => ({ value: c.id, label: c.title }))} data-testid="item-course" />
        </Form.Item>
        <Form.Item name="topic" label={t('training.plans.topic')} extra={t('training.plans.topicHint')}>
          <Input maxLength={200} data-testid="item-topic" />
        </Form.Item>
        <Form.Item name="positionIds" label={t('training.plans.positions')}>
          <Select mode="multiple" allowClear placeholder={t('training.plans.allPositions')} options={(positions.data ?? []).map((p) => ({ value: p.id, label: p.name }))} data-testid="item-positions" />
        </Form.Item>
        <Form.Item name="orgUnitId" label={t('training.plans.itemUnit')}>
          <OrgUnitSelect allowClear />
        </Form.Item>
        <Flex gap={8} wrap>
          <Form.Item name="plannedMonth" label={t('training.plans.plannedMonth')} rules={[{ required: true }]}>
            <Select disabled={month !== null} style={{ width: 100 }} options={Array.from({ length: 12 }, (_, i) => ({ value: i + 1, label: i + 1 }))} />
          </Form.Item>
          <Form.Item name="hours" label={t('training.plans.hours')} rules={[{ required: true }]}>
            <InputNumber min={0} max={500} />
          </Form.Item>
          <Form.Item name="trainer" label={t('training.plans.trainer')}>
            <Input maxLength={100} />
          </Form.Item>
        </Flex>
      </Form>
    </Modal>
  );
}
