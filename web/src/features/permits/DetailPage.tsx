import { FilePdfOutlined, WarningOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Descriptions, Flex, Form, Input, InputNumber, Modal, Radio, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client.ts';
import { useCan, useSession } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { formatTime } from '../../shared/format.ts';
import { SignaturePad } from '../workflow/SignaturePad.tsx';
import { PersonSelect } from '../people/PersonSelect.tsx';
import { pdfUrl, permitKeys, uploadImage, usePermit, usePermitAction, workerRoles, type PermitDetail } from './api.ts';
import { PermitStatusTag } from './StatusTag.tsx';
import { usePermitError } from './usePermitError.ts';

type Measure = PermitDetail['measures'][number];

/** 是否涉及 + handwritten signature of the measure's responsible person. */
function ConfirmDialog({ permit, measure, onClose }: { permit: PermitDetail; measure: Measure; onClose: () => void }) {
  const { t } = useTranslation();
  const act = usePermitAction();
  const onError = usePermitError();
  const [applicable, setApplicable] = useState(true);
  const [png, setPng] = useState<Blob | null>(null);
  const [busy, setBusy] = useState(false);
  const ok = async () => {
    if (!png) return;
    setBusy(true);
    try {
      const signatureFileId = await uploadImage(png, 'signature.png');
      await act.mutateAsync({ id: permit.id, path: `measures/${measure.id}/confirm`, body: { applicable, signatureFileId } });
      onClose();
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={`${measure.seq}. ${measure.text}`} onCancel={onClose} onOk={() => void ok()} okButtonProps={{ disabled: !png, loading: busy, 'data-testid': 'measure-ok' }} destroyOnHidden>
      <Flex vertical gap={12}>
        <Radio.Group value={applicable} onChange={(e) => setApplicable(e.target.value as boolean)} options={[{ value: true, label: t('permits.detail.applicable') }, { value: false, label: t('permits.detail.notApplicable') }]} />
        <Typography.Text type="secondary">{t('permits.detail.sign')}</Typography.Text>
        <SignaturePad onChange={setPng} />
      </Flex>
    </Modal>
  );
}

function GasDialog({ permit, onClose }: { permit: PermitDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const { displayName } = useSession();
  const act = useQueryClient();
  const onError = usePermitError();
  const [form] = Form.useForm<{ point: string; o2Pct?: number; flammablePct?: number; flammableLelPct?: number; h2s?: number; co?: number; analystName: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async (v: { point: string; o2Pct?: number; flammablePct?: number; flammableLelPct?: number; h2s?: number; co?: number; analystName: string }) => {
    setBusy(true);
    try {
      const toxics = [v.h2s !== undefined && v.h2s !== null ? { code: 'H2S', value: v.h2s } : null, v.co !== undefined && v.co !== null ? { code: 'CO', value: v.co } : null].filter((x): x is { code: string; value: number } => x !== null);
      const p = await api.post<PermitDetail>(`/permits/${permit.id}/gas-readings`, { takenAt: new Date().toISOString(), point: v.point, o2Pct: v.o2Pct ?? null, flammablePct: v.flammablePct ?? null, flammableLelPct: v.flammableLelPct ?? null, toxics, analystName: v.analystName });
      act.setQueryData(permitKeys.detail(p.id), p);
      void act.invalidateQueries({ queryKey: permitKeys.all });
      onClose();
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={t('permits.detail.addGas')} onCancel={onClose} onOk={() => form.submit()} okButtonProps={{ loading: busy, 'data-testid': 'gas-ok' }} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ analystName: displayName, flammableLelPct: 5 }} onFinish={(v) => void submit(v)}>
        <Form.Item name="point" label={t('permits.detail.point')} rules={[{ required: true, whitespace: true }]}>
          <Input data-testid="gas-point" />
        </Form.Item>
        <Flex gap={8} wrap>
          <Form.Item name="o2Pct" label={t('permits.detail.o2')}>
            <InputNumber min={0} max={100} step={0.1} data-testid="gas-o2" />
          </Form.Item>
          <Form.Item name="flammablePct" label={t('permits.detail.flammable')}>
            <InputNumber min={0} max={100} step={0.01} data-testid="gas-flammable" />
          </Form.Item>
          <Form.Item name="flammableLelPct" label={t('permits.detail.lel')}>
            <InputNumber min={0} max={100} step={0.1} />
          </Form.Item>
          <Form.Item name="h2s" label={t('permits.detail.h2s')}>
            <InputNumber min={0} step={0.1} />
          </Form.Item>
          <Form.Item name="co" label={t('permits.detail.co')}>
            <InputNumber min={0} step={0.1} />
          </Form.Item>
        </Flex>
        <Form.Item name="analystName" label={t('permits.detail.analyst')} rules={[{ required: true, whitespace: true }]}>
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * A person added after approval: the issuer (or a supervisor) confirms with a signature instead of a new
 * approval; the server checks the certificate like at application (docs/permits.md).
 */
function AddWorkerDialog({ permit, onClose }: { permit: PermitDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const act = usePermitAction();
  const onError = usePermitError();
  const [personId, setPersonId] = useState<string | null>(null);
  const [role, setRole] = useState<(typeof workerRoles)[number]>('worker');
  const [certificateNo, setCertificateNo] = useState('');
  const [png, setPng] = useState<Blob | null>(null);
  const [busy, setBusy] = useState(false);
  const ok = async () => {
    if (!png || !personId) return;
    setBusy(true);
    try {
      const signatureFileId = await uploadImage(png, 'signature.png');
      await act.mutateAsync({ id: permit.id, path: 'workers', body: { personId, role, certificateNo: certificateNo.trim() || null, signatureFileId, version: permit.version } });
      onClose();
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={t('permits.detail.addWorker')} onCancel={onClose} onOk={() => void ok()} okButtonProps={{ disabled: !png || !personId, loading: busy, 'data-testid': 'add-worker-ok' }} destroyOnHidden>
      <Flex vertical gap={12} data-testid="add-worker-dialog">
        <Typography.Text type="secondary">{t('permits.detail.addWorkerHint')}</Typography.Text>
        <div data-testid="add-worker-person">
          <PersonSelect value={personId} onChange={setPersonId} />
        </div>
        <Flex gap={8} wrap>
          <Select style={{ minWidth: 140 }} value={role} onChange={setRole} options={workerRoles.map((r) => ({ value: r, label: t(`permits.role.${r}`) }))} />
          <Input style={{ maxWidth: 220 }} placeholder={t('permits.apply.certNo')} maxLength={100} value={certificateNo} onChange={(e) => setCertificateNo(e.target.value)} />
        </Flex>
        <Typography.Text type="secondary">{t('permits.detail.sign')}</Typography.Text>
        <SignaturePad onChange={setPng} />
      </Flex>
    </Modal>
  );
}

function AcceptDialog({ permit, onClose }: { permit: PermitDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const act = usePermitAction();
  const onError = usePermitError();
  const [siteClean, setSiteClean] = useState(false);
  const [fireWatchDone, setFireWatchDone] = useState(false);
  const [png, setPng] = useState<Blob | null>(null);
  const ok = async () => {
    if (!png) return;
    try {
      const signatureFileId = await uploadImage(png, 'signature.png');
      await act.mutateAsync({ id: permit.id, path: 'accept', body: { siteClean, fireWatchDone, signatureFileId, version: permit.version } });
      onClose();
    } catch (e) {
      onError(e);
    }
  };
  return (
    <Modal open title={t('permits.detail.accept')} onCancel={onClose} onOk={() => void ok()} okButtonProps={{ disabled: !png, loading: act.isPending }} destroyOnHidden>
      <Flex vertical gap={8}>
        <Checkbox checked={siteClean} onChange={(e) => setSiteClean(e.target.checked)}>
          {t('permits.detail.siteClean')}
        </Checkbox>
        {permit.type === 'hot_work' ? (
          <Checkbox checked={fireWatchDone} onChange={(e) => setFireWatchDone(e.target.checked)}>
            {t('permits.detail.fireWatchDone')}
          </Checkbox>
        ) : null}
        <SignaturePad onChange={setPng} />
      </Flex>
    </Modal>
  );
}

/** My pending approval task on this permit's flow, if any (the to-do API across modules). */
function useMyTask(permit: PermitDetail | undefined) {
  return useQuery({
    queryKey: ['permits', 'task', permit?.id, permit?.version],
    enabled: permit?.status === 'approving',
    queryFn: async ({ signal }) => {
      const r = await api.get<{ items: { taskId: string; subjectType: string; subjectId: string; nodeName?: string }[] }>('/workflow/tasks', { status: 'pending', limit: 200 }, { signal });
      return r.items.find((x) => x.subjectType === 'permit' && x.subjectId === permit?.id) ?? null;
    },
  });
}

export function DetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const me = useSession();
  const { can } = useCan();
  const q = usePermit(id);
  const task = useMyTask(q.data);
  const act = usePermitAction();
  const qc = useQueryClient();
  const onError = usePermitError();
  const [confirming, setConfirming] = useState<Measure | null>(null);
  const [gas, setGas] = useState(false);
  const [accepting, setAccepting] = useState(false);
  const [addingWorker, setAddingWorker] = useState(false);
  if (q.error) return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  const p = q.data;
  if (!p) return null;
  const run = (path: string, body: Record<string, unknown> = {}) => act.mutate({ id: p.id, path, body: { ...body } }, { onSuccess: () => message.success(t('permits.detail.done')), onError });
  const withReason = (path: string, title: string) => {
    let reason = '';
    modal.confirm({
      title,
      content: <Input.TextArea data-testid="permit-reason" onChange={(e) => (reason = e.target.value)} />,
      onOk: () => run(path, { reason: reason.trim() || title }),
    });
  };
  const decide = async (kind: 'approve' | 'reject') => {
    if (!task.data) return;
    try {
      await api.post(`/workflow/tasks/${task.data.taskId}/${kind}`, { comment: kind === 'reject' ? t('permits.detail.reject') : null });
      message.success(t('permits.detail.done'));
      await qc.invalidateQueries({ queryKey: permitKeys.all });
    } catch (e) {
      onError(e);
    }
  };
  const isApplicant = me.id === p.applicantUserId;
  const isGuardian = me.personId === p.guardianPersonId;
  const isIssuer = me.id === p.issuerUserId;
  const open = ['draft', 'gas_tested', 'approving', 'approved', 'active', 'suspended'].includes(p.status);
  return (
    <Flex vertical gap={16} data-testid="permit-detail">
      <PageHeader
        title={
          <Space>
            <span data-testid="permit-number">{p.number}</span>
            <Tag>{`${p.typeName}${p.grade === 'none' ? '' : ` · ${p.gradeName}`}`}</Tag>
            <PermitStatusTag status={p.status} />
          </Space>
        }
        extra={
          <Button icon={<FilePdfOutlined />} href={pdfUrl(p.id, p.version)} target="_blank" rel="noreferrer" data-testid="permit-pdf">
            {t('permits.detail.pdf')}
          </Button>
        }
      />
      {p.warnings.map((w, i) => (
        <Alert key={i} type="warning" showIcon icon={<WarningOutlined />} title={w.message} data-testid="permit-warning" />
      ))}
      {p.suspendReason ? <Alert type="error" showIcon title={p.suspendReason} /> : null}
      <Flex gap={8} wrap data-testid="permit-actions">
        {isApplicant && (p.status === 'draft' || p.status === 'gas_tested') ? (
          <Button type="primary" onClick={() => run('submit', { version: p.version })} data-testid="permit-submit">
            {t('permits.detail.submit')}
          </Button>
        ) : null}
        {task.data ? (
          <>
            <Button type="primary" onClick={() => void decide('approve')} data-testid="permit-approve">
              {t('permits.detail.approve')}
            </Button>
            <Button danger onClick={() => void decide('reject')} data-testid="permit-reject">
              {t('permits.detail.reject')}
            </Button>
          </>
        ) : null}
        {p.status === 'approved' && (isGuardian || isIssuer) && p.qrToken ? (
          <Link to={`/permits/${p.id}/verify#${p.qrToken}`}>
            <Button type="primary" data-testid="permit-verify">
              {t('permits.detail.verify')}
            </Button>
          </Link>
        ) : null}
        {open && can('permit:gas_test') ? (
          <Button onClick={() => setGas(true)} data-testid="permit-gas">
            {t('permits.detail.addGas')}
          </Button>
        ) : null}
        {p.status === 'active' && (isGuardian || isIssuer || can('permit:manage')) ? <Button onClick={() => withReason('suspend', t('permits.detail.suspend'))}>{t('permits.detail.suspend')}</Button> : null}
        {p.status === 'suspended' && (isGuardian || isIssuer || can('permit:manage')) ? <Button onClick={() => run('resume', { version: p.version })}>{t('permits.detail.resume')}</Button> : null}
        {(p.status === 'active' || p.status === 'suspended') && (isGuardian || isIssuer || isApplicant || can('permit:manage')) ? (
          <Button onClick={() => run('close', { version: p.version })} data-testid="permit-close">
            {t('permits.detail.close')}
          </Button>
        ) : null}
        {p.status === 'closing' && (isIssuer || can('permit:manage')) ? (
          <Button type="primary" onClick={() => setAccepting(true)} data-testid="permit-accept">
            {t('permits.detail.accept')}
          </Button>
        ) : null}
        {['approved', 'active', 'suspended'].includes(p.status) && (isIssuer || can('permit:manage')) ? (
          <Button onClick={() => setAddingWorker(true)} data-testid="permit-add-worker">
            {t('permits.detail.addWorker')}
          </Button>
        ) : null}
        {['draft', 'gas_tested', 'approved', 'suspended'].includes(p.status) && (isApplicant || can('permit:manage')) ? (
          <Button danger onClick={() => withReason('cancel', t('permits.detail.cancel'))}>
            {t('permits.detail.cancel')}
          </Button>
        ) : null}
      </Flex>
      <Card size="small" title={t('permits.detail.info')}>
        <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
          <Descriptions.Item label={t('permits.list.area')}>{`${p.areaName ?? ''} ${p.location}`}</Descriptions.Item>
          <Descriptions.Item label={t('permits.apply.content')}>{p.content}</Descriptions.Item>
          <Descriptions.Item label={t('permits.list.window')}>{`${formatTime(p.validFrom)} – ${formatTime(p.validUntil)}`}</Descriptions.Item>
          <Descriptions.Item label={t('permits.detail.applicant')}>{p.applicantName ?? ''}</Descriptions.Item>
          <Descriptions.Item label={t('permits.list.guardian')}>{p.guardianName ?? ''}</Descriptions.Item>
          <Descriptions.Item label={t('permits.apply.workers')}>
            <Flex vertical>
              {p.workers.map((w) => (
                <span key={w.id}>
                  {w.name} · {t(`permits.role.${w.role}`)}
                  {w.certificateNo ? ` · ${w.certificateNo}` : ''}
                  {w.confirmedBy ? (
                    <Tag color="blue" style={{ marginInlineStart: 8 }}>
                      {t('permits.detail.addedAfterApproval')}
                    </Tag>
                  ) : null}
                </span>
              ))}
            </Flex>
          </Descriptions.Item>
          {Object.entries(p.fields).map(([k, v]) => (
            <Descriptions.Item key={k} label={t(`permits.field.${k as 'method'}`, { defaultValue: k })}>
              {String(v)}
            </Descriptions.Item>
          ))}
          <Descriptions.Item label={t('permits.detail.rulesVersion')}>
            <span data-testid="permit-rules-version">{p.rules.configVersion > 0 ? `v${p.rules.configVersion}` : t('permits.detail.rulesCurrent')}</span>
          </Descriptions.Item>
          {p.followUp ? <Descriptions.Item label={t('permits.detail.followUp')}>{`${p.followUp.status} · ${t('permits.detail.followUpDue', { time: formatTime(p.followUp.dueAt) })}`}</Descriptions.Item> : null}
        </Descriptions>
      </Card>
      <Card size="small" title={t('permits.detail.measures')}>
        <Table<Measure>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={p.measures}
          data-testid="permit-measures"
          columns={[
            { title: '#', dataIndex: 'seq', width: 48 },
            { title: t('permits.detail.measures'), dataIndex: 'text' },
            { title: t('permits.detail.responsible'), dataIndex: 'responsibleName', width: 120 },
            {
              title: '',
              width: 150,
              render: (_: unknown, m) =>
                m.confirmedAt ? (
                  <Tag color="green">{m.applicable ? t('permits.detail.applicable') : t('permits.detail.notApplicable')}</Tag>
                ) : me.personId === m.responsiblePersonId && (p.status === 'draft' || p.status === 'gas_tested') ? (
                  <Button size="small" onClick={() => setConfirming(m)} data-testid="measure-confirm">
                    {t('permits.detail.confirm')}
                  </Button>
                ) : (
                  <Tag>{t('permits.detail.unconfirmed')}</Tag>
                ),
            },
          ]}
        />
      </Card>
      <Card size="small" title={t('permits.detail.gas')}>
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={p.gasReadings}
          data-testid="permit-gas-table"
          columns={[
            { title: t('permits.detail.takenAt'), dataIndex: 'takenAt', render: (v: string) => formatTime(v) },
            { title: t('permits.detail.point'), dataIndex: 'point' },
            { title: 'O₂', dataIndex: 'o2Pct' },
            { title: t('permits.detail.flammable'), dataIndex: 'flammablePct' },
            { title: t('permits.detail.analyst'), dataIndex: 'analystName' },
            { title: '', dataIndex: 'passed', render: (v: boolean) => <Tag color={v ? 'green' : 'red'}>{v ? t('permits.detail.passed') : t('permits.detail.failed')}</Tag> },
          ]}
        />
      </Card>
      <Card size="small" title={t('permits.detail.history')}>
        <Timeline items={p.history.map((h) => ({ children: `${formatTime(h.at)} · ${t(`permits.status.${h.to as 'draft'}`)}${h.reason ? ` · ${h.reason}` : ''}` }))} />
      </Card>
      {confirming ? <ConfirmDialog permit={p} measure={confirming} onClose={() => setConfirming(null)} /> : null}
      {gas ? <GasDialog permit={p} onClose={() => setGas(false)} /> : null}
      {addingWorker ? <AddWorkerDialog permit={p} onClose={() => setAddingWorker(false)} /> : null}
      {accepting ? <AcceptDialog permit={p} onClose={() => setAccepting(false)} /> : null}
    </Flex>
  );
}
