import { PlusOutlined, SyncOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { usePlans, useSyncPlans, useTemplates, type Template } from './api.ts';
import { PlanDialog } from './PlanDialog.tsx';
import { TemplateDialog } from './TemplateDialog.tsx';
import { WorkCalendarCard } from './WorkCalendarCard.tsx';

/** Checklist templates, inspection plans and the work-day calendar (desktop): tables with their forms. */
export function AdminPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const templates = useTemplates();
  const plans = usePlans();
  const sync = useSyncPlans();
  const onError = useApiError();
  const [editing, setEditing] = useState<Template | 'new' | null>(null);
  const [planOpen, setPlanOpen] = useState(false);
  return (
    <Flex vertical gap={16}>
      <PageHeader title={t('inspections.admin.title')} />
      <Card
        title={t('inspections.admin.templates')}
        extra={
          <Button icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="template-new">
            {t('inspections.admin.newTemplate')}
          </Button>
        }
      >
        <Table
          rowKey="id"
          size="small"
          loading={templates.isPending}
          dataSource={templates.data?.items ?? []}
          pagination={false}
          onRow={(r) => ({ onClick: () => setEditing(r), style: { cursor: 'pointer' } })}
          columns={[
            { title: t('inspections.admin.templateName'), dataIndex: 'name', render: (v: string, r) => <>{v} {r.isDefault ? <Tag>{t('inspections.admin.default')}</Tag> : null}</> },
            { title: t('inspections.admin.items'), render: (_, r) => r.items.length },
            { title: t('inspections.admin.versionNo'), dataIndex: 'currentVersionNo', render: (v: number) => `v${v}` },
          ]}
          data-testid="templates-table"
        />
      </Card>
      <Card
        title={t('inspections.admin.plans')}
        extra={
          <Flex gap={8}>
            <Button
              icon={<SyncOutlined />}
              loading={sync.isPending}
              onClick={() =>
                sync.mutate(undefined, {
                  onSuccess: (r) => void message.success(t('inspections.admin.synced', { created: r.created, updated: r.updated, tasks: r.tasksCreated })),
                  onError: (e) => onError(e),
                })
              }
              data-testid="plans-sync"
            >
              {t('inspections.admin.sync')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setPlanOpen(true)} data-testid="plan-new">
              {t('inspections.admin.newPlan')}
            </Button>
          </Flex>
        }
      >
        <Table
          rowKey="id"
          size="small"
          loading={plans.isPending}
          dataSource={plans.data?.items ?? []}
          pagination={{ pageSize: 20 }}
          columns={[
            { title: t('inspections.admin.planName'), dataIndex: 'name', ellipsis: true },
            { title: t('inspections.admin.source'), dataIndex: 'source', render: (v: string) => <Tag color={v === 'control_measure' ? 'geekblue' : 'default'}>{t(`inspections.source.${v === 'control_measure' ? 'control_measure' : 'manual'}`)}</Tag> },
            { title: t('inspections.admin.checkType'), dataIndex: 'checkType', render: (v: string) => t(`inspections.checkType.${v as 'daily'}`) },
            { title: t('inspections.admin.cycle'), render: (_, r) => `${r.cycleInterval} ${t(`inspections.cycle.${r.cycleUnit}`)} · ${t(`inspections.dayType.${r.dayType}`)}` },
            { title: t('inspections.task.assignee'), dataIndex: 'assigneePersonName', render: (v: string | null) => v ?? '—' },
            { title: t('inspections.admin.unit'), dataIndex: 'orgUnitName', render: (v: string | null) => v ?? '—' },
            { title: t('inspections.admin.active'), dataIndex: 'active', render: (v: boolean) => (v ? <Tag color="green">✓</Tag> : <Tag>—</Tag>) },
          ]}
          data-testid="plans-table"
        />
      </Card>
      <WorkCalendarCard />
      {editing ? <TemplateDialog template={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
      {planOpen ? <PlanDialog onClose={() => setPlanOpen(false)} /> : null}
    </Flex>
  );
}
