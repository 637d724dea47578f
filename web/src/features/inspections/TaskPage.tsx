import { AlertOutlined, CheckCircleOutlined, CloudUploadOutlined, QrcodeOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Flex, Input, Result, Spin, Steps, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { errorText, isApiError } from '../../api/client.ts';
import { QueryError } from '../../shared/QueryError.tsx';
import { inspectionKeys, scanTask, useTask, type ScanTaskBody, type TaskDetail } from './api.ts';
import { rememberedTask, rememberTask } from './checkOutbox.ts';
import { ChecklistForm } from './ChecklistForm.tsx';
import { useCheckOutboxState } from './useCheckOutbox.ts';
import { TaskStatusTag, windowText } from './labels.tsx';

/** What was found: each failed item with the hazard it raised (its number links to the hazard). */
function Findings({ task }: { task: TaskDetail }) {
  const { t } = useTranslation();
  if (task.findings.length === 0) return null;
  return (
    <Card size="small" title={<><AlertOutlined /> {t('inspections.check.findings')}</>} data-testid="findings">
      <Flex vertical gap={6}>
        {task.findings.map((f) => {
          const label = task.items.find((i) => i.key === f.itemKey)?.label ?? f.itemKey;
          return (
            <Flex key={`${f.stop}-${f.itemKey}`} justify="space-between" gap={8} wrap>
              <Typography.Text>{label}</Typography.Text>
              {f.hazardId ? (
                <Link to={`/hazards/${f.hazardId}`} data-testid="finding-hazard">
                  <Tag color="red">{f.hazardNumber}</Tag>
                </Link>
              ) : (
                <Tag color="orange">{t('inspections.check.hazardPending')}</Tag>
              )}
            </Flex>
          );
        })}
      </Flex>
    </Card>
  );
}

/**
 * The check flow of one task: at each stop scan the checkpoint's QR (with the phone camera, which opens
 * /s#<code> and comes back here, or by typing the code under the label), then fill its checklist. A
 * failed item raises a hazard, shown here with its number.
 *
 * Offline (no signal in the plant room): the task opens from the copy kept when it was last loaded, a scan
 * that cannot reach the server is kept to be verified later, and the answers wait in the check queue
 * until the phone is back online (checkOutbox.ts).
 */
export function TaskPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const q = useTask(id);
  const qc = useQueryClient();
  const [code, setCode] = useState('');
  const [scanError, setScanError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [offlineScan, setOfflineScan] = useState<{ stop: number; body: ScanTaskBody } | null>(null);
  const outbox = useCheckOutboxState();
  useEffect(() => {
    if (q.data) rememberTask(q.data);
  }, [q.data]);
  const offlineCopy = q.isError && isApiError(q.error) && q.error.status === 0 ? rememberedTask(id) : null;

  if (q.isPending) return <Spin />;
  if (q.isError && !offlineCopy) return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  const task = q.data ?? offlineCopy;
  if (!task) return <Spin />;
  const queued = outbox.items.filter((i) => i.taskId === task.id);
  const update = (next: TaskDetail) => qc.setQueryData(inspectionKeys.task(id), next);
  // A stop whose answers wait in the queue counts as submitted here.
  const current = task.stops.findIndex((s, i) => !s.submittedAt && !queued.some((x) => x.stop === i && x.failed === null));
  const stop = current >= 0 ? task.stops[current] : undefined;
  const open = task.status === 'planned' || task.status === 'in_progress';

  const start = async (withCode: string | undefined) => {
    setBusy(true);
    setScanError(null);
    const body: ScanTaskBody = { ...(withCode ? { code: withCode } : {}), stop: current };
    try {
      update(await scanTask(id, body));
    } catch (e) {
      // No signal: keep the scan to be verified when the check is sent, and open the checklist now.
      if (isApiError(e) && e.status === 0) setOfflineScan({ stop: current, body });
      else setScanError(isApiError(e) ? errorText(e) : t('errors.generic'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ maxWidth: 560, margin: '0 auto' }}>
      <Flex vertical gap={12}>
        <Flex justify="space-between" align="center" gap={8}>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="task-title">
            {task.planName}
          </Typography.Title>
          <TaskStatusTag status={task.status} />
        </Flex>
        <Descriptions size="small" column={1} bordered>
          <Descriptions.Item label={t('inspections.task.window')}>{windowText(task.windowStart, task.windowEnd)}</Descriptions.Item>
          <Descriptions.Item label={t('inspections.task.assignee')}>{task.assigneeName ?? '—'}</Descriptions.Item>
          {task.measure ? (
            <Descriptions.Item label={t('inspections.task.measure')}>
              {task.measure.description}
              <br />
              <Typography.Text type="secondary">{task.measure.troubleshootContent}</Typography.Text>
            </Descriptions.Item>
          ) : null}
        </Descriptions>
        {offlineCopy || offlineScan ? <Alert type="warning" showIcon message={t('inspections.offline.banner')} data-testid="check-offline" /> : null}
        {queued.length > 0 ? (
          <Card size="small" data-testid="check-queued">
            <Flex vertical gap={4}>
              <Typography.Text strong>
                <CloudUploadOutlined /> {outbox.sending ? t('inspections.offline.sending') : t('inspections.offline.queued', { count: queued.length })}
              </Typography.Text>
              {queued.map((x) => (x.failed ? <Alert key={x.id} type="error" showIcon message={t('inspections.offline.refused', { reason: x.failed })} data-testid="check-refused" /> : null))}
            </Flex>
          </Card>
        ) : null}
        {task.stops.length > 1 ? <Steps size="small" direction="vertical" current={current < 0 ? task.stops.length : current} items={task.stops.map((s) => ({ title: s.name }))} /> : null}
        <Findings task={task} />
        {task.status === 'done' ? (
          <Result status="success" icon={<CheckCircleOutlined />} title={t('inspections.check.done')} subTitle={task.onTime === false ? t('inspections.check.late') : undefined} data-testid="task-done" />
        ) : task.status === 'missed' ? (
          <Result status="warning" title={t('inspections.status.missed')} />
        ) : !task.canPerform ? (
          <Alert type="info" message={t('inspections.check.notYours')} />
        ) : current < 0 && queued.length > 0 ? null : stop && !stop.scannedAt && offlineScan?.stop !== current ? (
          <Card size="small" data-testid="scan-step">
            <Flex vertical gap={8}>
              <Typography.Text strong>
                <QrcodeOutlined /> {stop.checkpointId ? t('inspections.check.scanAt', { name: stop.name }) : t('inspections.check.noCheckpoint')}
              </Typography.Text>
              {stop.checkpointId ? (
                <>
                  <Typography.Text type="secondary">{t('inspections.check.scanHelp')}</Typography.Text>
                  <Flex gap={8}>
                    <Input value={code} onChange={(e) => setCode(e.target.value)} placeholder={t('inspections.check.codePlaceholder')} maxLength={100} data-testid="scan-code-input" />
                    <Button type="primary" loading={busy} disabled={!code.trim()} onClick={() => void start(code.trim())} data-testid="scan-code-submit">
                      {t('inspections.check.verify')}
                    </Button>
                  </Flex>
                </>
              ) : (
                <Button type="primary" loading={busy} onClick={() => void start(undefined)} data-testid="task-start">
                  {t('inspections.check.start')}
                </Button>
              )}
              {scanError ? <Alert type="error" showIcon message={scanError} data-testid="scan-error" /> : null}
            </Flex>
          </Card>
        ) : open && stop ? (
          <ChecklistForm
            key={`${task.id}-${current}`}
            task={task}
            stop={current}
            offlineScan={offlineScan?.stop === current ? offlineScan.body : null}
            onDone={(next) => {
              setOfflineScan(null);
              update(next);
            }}
            onQueued={() => setOfflineScan(null)}
          />
        ) : null}
      </Flex>
    </div>
  );
}
