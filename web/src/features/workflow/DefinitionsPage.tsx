import { PlusOutlined } from '@ant-design/icons';
import { Button, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCan } from '../../app/session.ts';
import { DataView } from '../../shared/DataView.tsx';
import { formatTime } from '../../shared/format.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useDefinitions, useRunningInstances } from './api.ts';
import { CreateDefinitionDialog } from './CreateDefinitionDialog.tsx';
import type { FlowDefinition } from './types.ts';

/** The company's approval flows with their published version and how many approvals run on them. */
export function DefinitionsPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const list = useDefinitions();
  const running = useRunningInstances();
  const [creating, setCreating] = useState(false);
  const canDesign = can('workflow:design');
  const runningOf = (key: string) => {
    const items = (running.data ?? []).filter((i) => i.key === key);
    const byVersion = new Map<number, number>();
    for (const i of items) byVersion.set(i.definitionVersionNo, (byVersion.get(i.definitionVersionNo) ?? 0) + 1);
    return [...byVersion.entries()].sort((a, b) => a[0] - b[0]);
  };
  return (
    <>
      <PageHeader
        title={t('workflow.list.title')}
        sub={t('workflow.list.subtitle')}
        extra={
          canDesign ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="wf-definition-add">
              {t('workflow.list.add')}
            </Button>
          ) : null
        }
      />
      {list.isError ? <QueryError error={list.error} onRetry={() => void list.refetch()} /> : null}
      <DataView<FlowDefinition>
        testId="wf-definitions"
        rows={list.data ?? []}
        rowKey={(d) => d.id}
        loading={list.isLoading}
        cardTitle={(d) => d.name}
        columns={[
          {
            key: 'name',
            title: t('workflow.list.name'),
            render: (d) => (
              <div>
                <Link to={`/workflow/definitions/${d.id}`} data-testid={`wf-definition-${d.key}`}>
                  {d.name}
                </Link>
                {d.description ? <div><Typography.Text type="secondary">{d.description}</Typography.Text></div> : null}
              </div>
            ),
          },
          { key: 'key', title: t('workflow.list.key'), render: (d) => <Typography.Text code>{d.key}</Typography.Text> },
          {
            key: 'version',
            title: t('workflow.editor.versions'),
            render: (d) =>
              d.archivedAt ? <Tag>{t('workflow.list.archived')}</Tag> : d.publishedVersion !== null ? <Tag color="green">{t('workflow.list.published', { version: d.publishedVersion })}</Tag> : <Tag>{t('workflow.list.unpublished')}</Tag>,
          },
          {
            key: 'running',
            title: t('workflow.list.running'),
            render: (d) => {
              const r = runningOf(d.key);
              return r.length === 0 ? '—' : r.map(([v, n]) => <Tag key={v}>{`v${v} × ${n}`}</Tag>);
            },
          },
          { key: 'updated', title: t('workflow.list.updatedAt'), render: (d) => formatTime(d.updatedAt) },
        ]}
        actions={(d) => (canDesign ? <Link to={`/workflow/definitions/${d.id}`}>{t('workflow.list.edit')}</Link> : null)}
      />
      <CreateDefinitionDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
