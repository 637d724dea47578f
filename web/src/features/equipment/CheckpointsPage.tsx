import { PlusOutlined, PrinterOutlined, QrcodeOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Flex, Form, Image, Input, Modal, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { DataView } from '../../shared/DataView.tsx';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { checkpointQrUrl, labelsUrl, useCheckpointAction, useCheckpoints, type Checkpoint, type CheckpointFilter } from './api.ts';
import { CheckpointForm } from './CheckpointForm.tsx';

/** The QR code of one checkpoint, with downloads; the same picture on every print until rotated. */
function QrDialog({ cp, onClose }: { cp: Checkpoint; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal open title={t('equipment.checkpoints.qrTitle', { name: cp.name })} onCancel={onClose} footer={null} destroyOnHidden>
      <Flex vertical align="center" gap={12}>
        <Image src={checkpointQrUrl(cp.id, 'png', cp.version)} width={240} preview={false} alt={cp.name} data-testid="cp-qr-img" />
        <Typography.Text type="secondary">{t('equipment.checkpoints.qrHelp')}</Typography.Text>
        <Flex gap={8}>
          <Button href={checkpointQrUrl(cp.id, 'png', cp.version)} download={`${cp.name}.png`}>
            {t('equipment.checkpoints.downloadPng')}
          </Button>
          <Button href={checkpointQrUrl(cp.id, 'svg', cp.version)} download={`${cp.name}.svg`}>
            {t('equipment.checkpoints.downloadSvg')}
          </Button>
          <Button icon={<PrinterOutlined />} href={labelsUrl([cp.id])} target="_blank" rel="noreferrer">
            {t('equipment.checkpoints.print', { count: 1 })}
          </Button>
        </Flex>
      </Flex>
    </Modal>
  );
}

/** Rotate the code (every old label stops working) or archive the checkpoint; both need a reason. */
function ReasonDialog({ cp, action, onClose }: { cp: Checkpoint; action: 'rotate-code' | 'archive'; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const act = useCheckpointAction();
  const onError = useApiError();
  const rotate = action === 'rotate-code';
  return (
    <Modal
      open
      title={rotate ? t('equipment.checkpoints.rotateTitle', { name: cp.name }) : t('equipment.checkpoints.archiveTitle', { name: cp.name })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: act.isPending, danger: true }}
      destroyOnHidden
    >
      {rotate ? <Alert type="warning" showIcon title={t('equipment.checkpoints.rotateWarning')} style={{ marginBottom: 12 }} /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={(v: { reason: string }) =>
          act.mutate(
            { id: cp.id, action, reason: v.reason.trim(), version: cp.version },
            {
              onSuccess: () => {
                message.success(rotate ? t('equipment.checkpoints.rotated') : t('equipment.checkpoints.archived'));
                onClose();
              },
              onError: (e) => onError(e, { form, onReload: onClose }),
            },
          )
        }
      >
        <Form.Item name="reason" label={rotate ? t('equipment.checkpoints.rotateReason') : t('equipment.checkpoints.archiveReason')} rules={[{ required: true, whitespace: true, max: 500 }]}>
          <Input.TextArea maxLength={500} autoSize={{ minRows: 2, maxRows: 4 }} data-testid="cp-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * Checkpoints (巡检点) of my data scope. With checkpoint:manage: create and edit them, preview and download
 * each QR code, tick several and print an A4 label sheet, rotate a code or archive a checkpoint.
 */
export function CheckpointsPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const canManage = can('checkpoint:manage');
  const [filter, setFilter] = useState<CheckpointFilter>({});
  const patch = (p: Partial<CheckpointFilter>) => setFilter((f) => ({ ...f, ...p }));
  const list = useCheckpoints(filter);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState<Checkpoint | 'new' | null>(null);
  const [qr, setQr] = useState<Checkpoint | null>(null);
  const [acting, setActing] = useState<{ cp: Checkpoint; action: 'rotate-code' | 'archive' } | null>(null);
  const toggle = (id: string, on: boolean) =>
    setPicked((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <>
      <PageHeader
        title={t('equipment.checkpoints.title')}
        sub={t('equipment.checkpoints.subtitle')}
        extra={
          canManage ? (
            <>
              <Button icon={<PrinterOutlined />} disabled={picked.size === 0} href={picked.size > 0 ? labelsUrl([...picked]) : undefined} target="_blank" rel="noreferrer" title={t('equipment.checkpoints.printHint')} data-testid="cp-print">
                {t('equipment.checkpoints.print', { count: picked.size })}
              </Button>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="cp-add">
                {t('equipment.checkpoints.add')}
              </Button>
            </>
          ) : null
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Flex wrap gap={12} align="center">
          <Input.Search allowClear placeholder={t('equipment.checkpoints.search')} style={{ width: 240 }} onSearch={(q) => patch({ q: q.trim() || undefined })} />
          <div style={{ width: 220 }}>
            <OrgUnitSelect allowClear placeholder={t('equipment.checkpoints.unit')} value={filter.orgUnitId} onChange={(v) => patch({ orgUnitId: v ?? undefined })} />
          </div>
          <Checkbox checked={filter.archived === true} onChange={(e) => patch({ archived: e.target.checked ? true : undefined })}>
            {t('equipment.checkpoints.showArchived')}
          </Checkbox>
          {canManage && rows.length > 0 ? (
            <Checkbox
              checked={rows.length > 0 && rows.every((r) => picked.has(r.id))}
              indeterminate={picked.size > 0 && !rows.every((r) => picked.has(r.id))}
              onChange={(e) => setPicked(e.target.checked ? new Set(rows.filter((r) => !r.archived).map((r) => r.id)) : new Set())}
              data-testid="cp-pick-all"
            >
              {t('equipment.checkpoints.printHint')}
            </Checkbox>
          ) : null}
        </Flex>
      </Card>
      {list.isError ? <QueryError error={list.error} onRetry={() => void list.refetch()} /> : null}
      <DataView<Checkpoint>
        testId="cp-list"
        rows={rows}
        rowKey={(c) => c.id}
        loading={list.isLoading}
        hasMore={list.hasNextPage}
        loadingMore={list.isFetchingNextPage}
        onLoadMore={() => void list.fetchNextPage()}
        cardTitle={(c) => c.name}
        columns={[
          ...(canManage
            ? [{ key: 'pick', title: '', width: 40, render: (c: Checkpoint) => (c.archived ? null : <Checkbox checked={picked.has(c.id)} onChange={(e) => toggle(c.id, e.target.checked)} aria-label={c.name} />) }]
            : []),
          { key: 'name', title: t('equipment.checkpoints.name'), render: (c) => c.name, hideOnCard: true },
          { key: 'area', title: t('equipment.checkpoints.area'), render: (c) => c.orgUnitName ?? '—' },
          { key: 'equipment', title: t('equipment.checkpoints.equipment'), render: (c) => (c.equipmentId ? `${c.equipmentCode ?? ''} ${c.equipmentName ?? ''}` : '—') },
          { key: 'gps', title: t('equipment.checkpoints.gps'), render: (c) => (c.radiusM ? `≤ ${c.radiusM} m` : t('equipment.checkpoints.gpsNone')) },
          { key: 'archived', title: t('common.status'), render: (c) => (c.archived ? <Typography.Text type="secondary">{t('equipment.checkpoints.archived')}</Typography.Text> : t('common.active')) },
        ]}
        actions={
          canManage
            ? (c) =>
                c.archived ? null : (
                  <>
                    <Button size="small" icon={<QrcodeOutlined />} onClick={() => setQr(c)} data-testid="cp-qr">
                      {t('equipment.checkpoints.qr')}
                    </Button>
                    <Button size="small" onClick={() => setEditing(c)}>
                      {t('common.edit')}
                    </Button>
                    <Button size="small" onClick={() => setActing({ cp: c, action: 'rotate-code' })} data-testid="cp-rotate">
                      {t('equipment.checkpoints.rotate')}
                    </Button>
                    <Button size="small" danger onClick={() => setActing({ cp: c, action: 'archive' })}>
                      {t('equipment.checkpoints.archive')}
                    </Button>
                  </>
                )
            : undefined
        }
      />
      {editing ? <CheckpointForm editing={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
      {qr ? <QrDialog cp={qr} onClose={() => setQr(null)} /> : null}
      {acting ? <ReasonDialog cp={acting.cp} action={acting.action} onClose={() => setActing(null)} /> : null}
    </>
  );
}
