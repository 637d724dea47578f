import { Alert, App, Button, Descriptions, Drawer, Flex, Skeleton, Typography, type ButtonProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session.ts';
import { formatTime } from '../../shared/format.ts';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { useInstance, useResubmit, useWithdraw } from './api.ts';
import { DecisionDialog, type DecisionKind } from './DecisionDialog.tsx';
import { CommentDialog, TransferDialog } from './HandoverDialogs.tsx';
import { HistoryTimeline } from './HistoryTimeline.tsx';
import { InstanceStatusTag } from './InstanceStatusTag.tsx';
import type { FlowInstanceDetail } from './types.ts';

/** Records with their own page, where a resubmission also goes through the module's checks and edits. */
const subjectLinks: Record<string, (id: string) => string> = { permit: (id) => `/permits/${id}` };

const formText = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Approval nodes this request already passed (send-back targets): those with an approved task. */
function earlierNodes(detail: FlowInstanceDetail, currentNodeId: string | null) {
  const seen = new Map<string, string>();
  for (const task of detail.tasks) if (task.kind === 'approval' && task.nodeId !== currentNodeId && task.status === 'approved') seen.set(task.nodeId, task.nodeName);
  return [...seen.entries()].map(([id, name]) => ({ id, name }));
}

/**
 * One approval: what is asked (title, form), which flow version it runs on, the timeline, and what I may
 * do — decide my pending task, or withdraw my own running request.
 */
export function InstanceDrawer({ instanceId, onClose }: { instanceId: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const me = useSession();
  const isPhone = useIsPhone();
  const { modal, message } = App.useApp();
  const showError = useApiError();
  const detail = useInstance(instanceId);
  const withdraw = useWithdraw();
  const resubmit = useResubmit();
  const [decision, setDecision] = useState<DecisionKind | null>(null);
  const [transferring, setTransferring] = useState(false);
  const [commenting, setCommenting] = useState(false);
  const d = detail.data;
  const myTask = d?.tasks.find((x) => x.status === 'pending' && x.kind === 'approval' && x.assigneeUserId === me.id);
  const canWithdraw = d !== undefined && d.applicantUserId === me.id && (d.status === 'running' || d.status === 'sent_back');
  const canResubmit = d !== undefined && d.applicantUserId === me.id && d.status === 'sent_back';
  const subjectLink = d ? subjectLinks[d.subjectType]?.(d.subjectId) : undefined;

  const onResubmit = () => {
    if (!d) return;
    modal.confirm({
      title: t('workflow.instance.resubmit'),
      content: t('workflow.instance.resubmitConfirm'),
      okButtonProps: { 'data-testid': 'resubmit-ok' } as ButtonProps,
      onOk: async () => {
        try {
          await resubmit.mutateAsync({ id: d.id, comment: null, version: d.version });
          message.success(t('workflow.instance.resubmitted'));
        } catch (e) {
          showError(e, { onReload: () => void detail.refetch() });
        }
      },
    });
  };

  const onWithdraw = () => {
    if (!d) return;
    modal.confirm({
      title: t('workflow.instance.withdraw'),
      content: t('workflow.instance.withdrawConfirm'),
      okButtonProps: { danger: true, 'data-testid': 'withdraw-ok' } as ButtonProps,
      onOk: async () => {
        try {
          await withdraw.mutateAsync({ id: d.id, comment: null, version: d.version });
          message.success(t('workflow.instance.withdrawn'));
        } catch (e) {
          showError(e, { onReload: () => void detail.refetch() });
        }
      },
    });
  };

  return (
    <Drawer open={instanceId !== null} onClose={onClose} title={d?.title ?? t('workflow.instance.title')} size={isPhone ? '100%' : 560} destroyOnHidden data-testid="instance-drawer">
      {detail.isError ? <QueryError error={detail.error} onRetry={() => void detail.refetch()} /> : null}
      {!d ? (
        <Skeleton active />
      ) : (
        <>
          <Flex gap={8} align="center" wrap style={{ marginBottom: 12 }}>
            <InstanceStatusTag status={d.status} testId="instance-drawer-status" />
            <Typography.Text type="secondary" data-testid="instance-version">
              {t('workflow.instance.version', { name: d.definitionName, version: d.definitionVersionNo })}
            </Typography.Text>
          </Flex>
          <Descriptions size="small" column={1} bordered style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('workflow.instance.applicant')}>{d.applicantName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('workflow.instance.created')}>{formatTime(d.createdAt)}</Descriptions.Item>
            {d.summary ? <Descriptions.Item label={t('workflow.instance.form')}>{d.summary}</Descriptions.Item> : null}
            {Object.entries(d.form).map(([k, v]) => (
              <Descriptions.Item key={k} label={k}>
                {formText(v)}
              </Descriptions.Item>
            ))}
          </Descriptions>
          {canResubmit ? <Alert type="warning" showIcon title={t('workflow.instance.sentBackHint')} style={{ marginBottom: 12 }} data-testid="instance-sent-back" /> : null}
          {d ? (
            <Flex gap={8} wrap style={{ marginBottom: 16 }}>
              {myTask ? (
                <>
                  <Button type="primary" onClick={() => setDecision('approve')} data-testid="task-approve">
                    {t('workflow.instance.approve')}
                  </Button>
                  <Button danger onClick={() => setDecision('reject')} data-testid="task-reject">
                    {t('workflow.instance.reject')}
                  </Button>
                  <Button onClick={() => setDecision('send-back')} data-testid="task-send-back">
                    {t('workflow.instance.sendBack')}
                  </Button>
                  <Button onClick={() => setTransferring(true)} data-testid="task-transfer">
                    {t('workflow.instance.transfer')}
                  </Button>
                </>
              ) : null}
              {canResubmit ? (
                <Button type="primary" onClick={onResubmit} data-testid="instance-resubmit">
                  {t('workflow.instance.resubmit')}
                </Button>
              ) : null}
              <Button onClick={() => setCommenting(true)} data-testid="instance-comment">
                {t('workflow.instance.comment')}
              </Button>
              {subjectLink ? (
                <Link to={subjectLink} data-testid="instance-subject-link">
                  <Button type="link">{t('workflow.instance.openSubject')}</Button>
                </Link>
              ) : null}
              {canWithdraw ? (
                <Button danger onClick={onWithdraw} data-testid="instance-withdraw">
                  {t('workflow.instance.withdraw')}
                </Button>
              ) : null}
            </Flex>
          ) : null}
          <Typography.Title level={5}>{t('workflow.instance.timeline')}</Typography.Title>
          <HistoryTimeline history={d.history} applicantName={d.applicantName} />
          {transferring && myTask ? <TransferDialog taskId={myTask.id} onClose={() => setTransferring(false)} /> : null}
          {commenting ? <CommentDialog instanceId={d.id} onClose={() => setCommenting(false)} /> : null}
          {myTask ? (
            <DecisionDialog kind={decision} taskId={myTask.id} earlierNodes={earlierNodes(d, d.currentNodeId)} onClose={() => setDecision(null)} onDone={() => setDecision(null)} />
          ) : null}
        </>
      )}
    </Drawer>
  );
}
