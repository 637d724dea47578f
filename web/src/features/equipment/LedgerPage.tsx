import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Dropdown, Flex, Input, Select, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useCan } from '../../app/session.ts';
import { DataView } from '../../shared/DataView.tsx';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { equipmentStatuses, exportUrl, useEquipment, useEquipmentConfig, useEquipmentCount, useEquipmentList, type Equipment, type EquipmentFilter, type EquipmentStatus } from './api.ts';
import { DueTag, StatusTag } from './DueTag.tsx';
import { EquipmentForm } from './EquipmentForm.tsx';
import { InspectionDialog } from './InspectionDialog.tsx';
import { StatusDialog } from './StatusDialog.tsx';

/**
 * The equipment register (设备台账): every piece in my data scope, soonest statutory inspection first,
 * filtered by kind, special equipment, status, responsible unit and "due within 30 days"; overdue ones are
 * tagged red and announced above the list, those due within the reminder window orange.
 */
export function LedgerPage() {
  const { t, i18n } = useTranslation();
  const { can } = useCan();
  const config = useEquipmentConfig();
  const [filter, setFilter] = useState<EquipmentFilter>({});
  const patch = (p: Partial<EquipmentFilter>) => setFilter((f) => ({ ...f, ...p }));
  // A reminder links to /equipment?focus=<id>: show that piece (searched by its code).
  const [params] = useSearchParams();
  const focused = useEquipment(params.get('focus'));
  const focusCode = focused.data?.code;
  useEffect(() => {
    if (focusCode) setFilter({ q: focusCode });
  }, [focusCode]);
  const list = useEquipmentList(filter);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const overdue = useEquipmentCount({ overdue: true });
  const [editing, setEditing] = useState<Equipment | 'new' | null>(null);
  const [inspecting, setInspecting] = useState<Equipment | null>(null);
  const [changing, setChanging] = useState<{ e: Equipment; to: EquipmentStatus } | null>(null);
  const canWrite = can('equipment:write');
  const en = i18n.language === 'en';
  const overdueCount = overdue.data?.count ?? 0;

  return (
    <>
      <PageHeader
        title={t('equipment.ledger.title')}
        sub={t('equipment.ledger.subtitle')}
        extra={
          <>
            <Button icon={<DownloadOutlined />} href={exportUrl(filter)}>
              {t('equipment.ledger.export')}
            </Button>
            {canWrite ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="eq-add">
                {t('equipment.ledger.add')}
              </Button>
            ) : null}
          </>
        }
      />
      {overdueCount > 0 ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('equipment.ledger.overdueAlert', { count: overdueCount })}
          action={
            <Button size="small" onClick={() => patch({ overdue: true, dueWithinDays: undefined })}>
              {t('equipment.ledger.showOverdue')}
            </Button>
          }
          data-testid="eq-overdue-alert"
        />
      ) : null}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Flex wrap gap={12} align="center">
          <Input.Search key={focusCode ?? ''} defaultValue={focusCode} allowClear placeholder={t('equipment.ledger.search')} style={{ width: 240 }} onSearch={(q) => patch({ q: q.trim() || undefined })} data-testid="eq-search" />
          <Select
            allowClear
            style={{ width: 220 }}
            placeholder={t('equipment.ledger.allKinds')}
            value={filter.kind}
            onChange={(v: string | undefined) => patch({ kind: v })}
            options={(config.data?.kinds ?? []).map((k) => ({ value: k.code, label: en ? k.nameEn : k.nameZh }))}
            data-testid="eq-kind-filter"
          />
          <Select
            allowClear
            style={{ width: 140 }}
            placeholder={t('equipment.ledger.allStatuses')}
            value={filter.status}
            onChange={(v: EquipmentStatus | undefined) => patch({ status: v })}
            options={equipmentStatuses.map((s) => ({ value: s, label: t(`equipment.status.${s}`) }))}
          />
          <div style={{ width: 220 }}>
            <OrgUnitSelect allowClear placeholder={t('equipment.ledger.unit')} value={filter.orgUnitId} onChange={(v) => patch({ orgUnitId: v ?? undefined })} />
          </div>
          <Checkbox checked={filter.special === true} onChange={(e) => patch({ special: e.target.checked ? true : undefined })} data-testid="eq-special">
            {t('equipment.ledger.specialOnly')}
          </Checkbox>
          <Checkbox checked={filter.dueWithinDays === 30} onChange={(e) => patch({ dueWithinDays: e.target.checked ? 30 : undefined })} data-testid="eq-due30">
            {t('equipment.ledger.due30')}
          </Checkbox>
          <Checkbox checked={filter.overdue === true} onChange={(e) => patch({ overdue: e.target.checked ? true : undefined })} data-testid="eq-overdue">
            {t('equipment.ledger.overdue')}
          </Checkbox>
        </Flex>
      </Card>
      {list.isError ? <QueryError error={list.error} onRetry={() => void list.refetch()} /> : null}
      <DataView<Equipment>
        testId="eq-ledger"
        rows={rows}
        rowKey={(e) => e.id}
        loading={list.isLoading}
        hasMore={list.hasNextPage}
        loadingMore={list.isFetchingNextPage}
        onLoadMore={() => void list.fetchNextPage()}
        cardTitle={(e) => `${e.code} · ${e.name}`}
        columns={[
          { key: 'code', title: t('equipment.columns.code'), render: (e) => e.code, hideOnCard: true },
          { key: 'name', title: t('equipment.columns.name'), render: (e) => e.name, hideOnCard: true },
          { key: 'kind', title: t('equipment.columns.kind'), render: (e) => e.kindName },
          { key: 'reg', title: t('equipment.columns.registrationNo'), render: (e) => (e.special ? (e.registrationNo ?? '—') : <Typography.Text type="secondary">—</Typography.Text>) },
          { key: 'unit', title: t('equipment.columns.unit'), render: (e) => e.orgUnitName ?? '—' },
          { key: 'person', title: t('equipment.columns.person'), render: (e) => e.responsiblePersonName ?? '—' },
          { key: 'last', title: t('equipment.columns.lastInspectedOn'), render: (e) => e.lastInspectedOn ?? '—' },
          { key: 'next', title: t('equipment.columns.nextInspectionDue'), render: (e) => <Typography.Text type={e.dueState === 'overdue' ? 'danger' : undefined}>{e.nextInspectionDue ?? '—'}</Typography.Text> },
          { key: 'due', title: t('equipment.columns.due'), render: (e) => <DueTag equipment={e} /> },
          { key: 'status', title: t('equipment.columns.status'), render: (e) => <StatusTag status={e.status} /> },
        ]}
        actions={
          canWrite
            ? (e) =>
                e.status === 'scrapped' ? null : (
                  <>
                    <Button size="small" onClick={() => setInspecting(e)} data-testid="eq-inspect">
                      {t('equipment.inspect.action')}
                    </Button>
                    <Button size="small" onClick={() => setEditing(e)}>
                      {t('common.edit')}
                    </Button>
                    <Dropdown
                      menu={{
                        items: [
                          e.status === 'in_service' ? { key: 'stopped', label: t('equipment.statusChange.stop') } : { key: 'in_service', label: t('equipment.statusChange.resume') },
                          { key: 'scrapped', label: t('equipment.statusChange.scrap'), danger: true },
                        ],
                        onClick: ({ key }) => setChanging({ e, to: key as EquipmentStatus }),
                      }}
                    >
                      <Button size="small">{t('common.status')}</Button>
                    </Dropdown>
                  </>
                )
            : undefined
        }
      />
      {editing ? <EquipmentForm editing={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
      {inspecting ? <InspectionDialog equipment={inspecting} onClose={() => setInspecting(null)} /> : null}
      {changing ? <StatusDialog equipment={changing.e} to={changing.to} onClose={() => setChanging(null)} /> : null}
    </>
  );
}
