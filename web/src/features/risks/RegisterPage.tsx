import { DownloadOutlined, EditOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Empty, Flex, Input, Select, Space, Spin, Tag, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import dayjs from 'dayjs';
import { useMemo, useState, type MouseEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { exportUrl, riskLevels, useRiskTree, type LevelFilter, type TreeObject } from './api.ts';
import { EventDrawer } from './EventDrawer.tsx';
import { ImportDialog } from './ImportDialog.tsx';
import { LevelTag } from './labels.tsx';
import { RegisterDialog, type RegisterTarget } from './RegisterDialog.tsx';

const matches = (text: string | null | undefined, q: string) => (text ?? '').toLowerCase().includes(q);

/** A small button inside a tree title: it must not select the node (which opens the event drawer). */
function NodeButton({ icon, label, onClick, testId }: { icon: ReactNode; label?: string; onClick: () => void; testId: string }) {
  return (
    <Button
      size="small"
      type="link"
      icon={icon}
      onClick={(e: MouseEvent) => {
        e.stopPropagation();
        onClick();
      }}
      data-testid={testId}
    >
      {label}
    </Button>
  );
}

/**
 * 风险分级管控清单: the register as a tree (object → unit → event → measures) in my data scope, coloured by
 * the tenant's level colours, filtered by level and text; an event opens its detail and the assess dialog.
 */
export function RegisterPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const [levels, setLevels] = useState<LevelFilter[]>([]);
  const [q, setQ] = useState('');
  const [eventId, setEventId] = useState<string | null>(() => new URLSearchParams(window.location.search).get('event'));
  const [importing, setImporting] = useState(false);
  const [editing, setEditing] = useState<RegisterTarget | null>(null);
  const tree = useRiskTree(levels);
  const writer = can('risk:write');

  const nodes = useMemo<DataNode[]>(() => {
    const text = q.trim().toLowerCase();
    const keep = (o: TreeObject) => !text || matches(o.name, text) || matches(o.code, text) || o.units.some((u) => matches(u.name, text) || u.events.some((e) => matches(e.name, text)));
    return (tree.data?.objects ?? []).filter(keep).map((o) => ({
      key: o.id,
      selectable: false,
      title: (
        <Space wrap data-testid="risk-object">
          <Typography.Text strong>{o.code}</Typography.Text>
          <span>{o.name}</span>
          <Tag>{t(`risks.objectType.${o.type}`)}</Tag>
          {o.highestLevel ? <LevelTag level={o.highestLevel} colour={o.units.flatMap((u) => u.events).find((e) => e.currentLevel === o.highestLevel)?.currentColour} /> : null}
          {writer ? (
            <>
              <NodeButton icon={<EditOutlined />} onClick={() => setEditing({ kind: 'object', record: o })} testId="risk-edit-object" />
              <NodeButton icon={<PlusOutlined />} label={t('risks.form.addUnit')} onClick={() => setEditing({ kind: 'unit', parentId: o.id })} testId="risk-add-unit" />
            </>
          ) : null}
        </Space>
      ),
      children: o.units.map((u) => ({
        key: u.id,
        selectable: false,
        title: (
          <Space wrap>
            <span>{u.name}</span>
            <Typography.Text type="secondary">
              {u.orgUnitName}
              {u.responsiblePersonName ? ` · ${u.responsiblePersonName}` : ''}
            </Typography.Text>
            {writer ? (
              <>
                <NodeButton icon={<EditOutlined />} onClick={() => setEditing({ kind: 'unit', parentId: o.id, record: u })} testId="risk-edit-unit" />
                <NodeButton icon={<PlusOutlined />} label={t('risks.form.addEvent')} onClick={() => setEditing({ kind: 'event', parentId: u.id })} testId="risk-add-event" />
              </>
            ) : null}
          </Space>
        ),
        children: u.events.map((e) => ({
          key: e.id,
          title: (
            <Space wrap data-testid="risk-event" data-event-id={e.id}>
              <LevelTag level={e.currentLevel} colour={e.currentColour} score={e.currentScore} />
              <span>{e.name}</span>
              {e.reassessDueAt && dayjs(e.reassessDueAt).isBefore(dayjs()) ? <Tag color="warning">{t('risks.register.due')}</Tag> : null}
              <Typography.Text type="secondary">{t('risks.register.measures', { count: e.measures.length })}</Typography.Text>
              {writer ? (
                <>
                  <NodeButton icon={<EditOutlined />} onClick={() => setEditing({ kind: 'event', parentId: u.id, record: e })} testId="risk-edit-event" />
                  <NodeButton icon={<PlusOutlined />} label={t('risks.form.addMeasure')} onClick={() => setEditing({ kind: 'measure', parentId: e.id })} testId="risk-add-measure" />
                </>
              ) : null}
            </Space>
          ),
          children: e.measures.map((m) => ({
            key: m.id,
            selectable: false,
            isLeaf: true,
            title: (
              <Space wrap size={4}>
                <Typography.Text type="secondary">
                  {m.description}（{t('risks.event.cycle', { n: m.checkCycle, unit: t(`risks.cycleUnit.${m.checkCycleUnit}`), days: t(`risks.workDay.${m.workDayType}`) })}）
                </Typography.Text>
                {writer ? <NodeButton icon={<EditOutlined />} onClick={() => setEditing({ kind: 'measure', parentId: e.id, record: m })} testId="risk-edit-measure" /> : null}
              </Space>
            ),
          })),
        })),
      })),
    }));
  }, [tree.data, q, t, writer]);

  const expanded = useMemo(() => (tree.data?.objects ?? []).flatMap((o) => [o.id, ...o.units.map((u) => u.id)]), [tree.data]);

  return (
    <div data-testid="risk-register-page">
      <PageHeader
        title={t('risks.register.title')}
        sub={t('risks.register.subtitle')}
        extra={
          <>
            <Button icon={<DownloadOutlined />} href={exportUrl} download data-testid="risk-export">
              {t('risks.register.export')}
            </Button>
            {writer ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'object' })} data-testid="risk-new-object">
                {t('risks.form.newObject')}
              </Button>
            ) : null}
            {writer ? (
              <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="risk-import-open">
                {t('risks.register.import')}
              </Button>
            ) : null}
          </>
        }
      />
      <Card size="small">
        <Flex wrap gap={12} style={{ marginBottom: 12 }}>
          <Select<LevelFilter[]>
            mode="multiple"
            allowClear
            placeholder={t('risks.register.levelFilter')}
            style={{ minWidth: 240 }}
            value={levels}
            onChange={setLevels}
            options={[...riskLevels, 'unassessed' as const].map((l) => ({ value: l, label: t(`risks.level.${l}`) }))}
            data-testid="risk-level-filter"
          />
          <Input.Search allowClear placeholder={t('risks.register.search')} style={{ maxWidth: 320 }} onSearch={setQ} onChange={(e) => !e.target.value && setQ('')} />
          {tree.data ? <Typography.Text type="secondary">{t('risks.register.counts', { events: tree.data.eventCount })}</Typography.Text> : null}
        </Flex>
        {tree.data?.truncated ? <Alert type="warning" showIcon title={t('risks.register.truncated')} style={{ marginBottom: 12 }} /> : null}
        {tree.isLoading ? (
          <Spin />
        ) : tree.error ? (
          <QueryError error={tree.error} onRetry={() => void tree.refetch()} />
        ) : nodes.length === 0 ? (
          <Empty description={t('risks.register.empty')} />
        ) : (
          <Tree
            key={expanded.length}
            blockNode
            showLine
            defaultExpandedKeys={expanded}
            treeData={nodes}
            selectedKeys={eventId ? [eventId] : []}
            onSelect={(keys) => setEventId(keys.length ? String(keys[0]) : null)}
            data-testid="risk-tree"
          />
        )}
      </Card>
      <EventDrawer eventId={eventId} onClose={() => setEventId(null)} />
      <ImportDialog open={importing} onClose={() => setImporting(false)} />
      <RegisterDialog target={editing} onClose={() => setEditing(null)} />
    </div>
  );
}
