import { App, Form, Input, Modal, type ButtonProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../shared/useApiError.ts';
import { useComment, useTransfer } from './api.ts';
import { PeoplePicker } from './PeoplePicker.tsx';

/** 转交: pick a colleague with a login; the server refuses the applicant and people already on the step. */
export function TransferDialog({ taskId, onClose }: { taskId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const transfer = useTransfer();
  const [to, setTo] = useState<string[]>([]);
  const [comment, setComment] = useState('');
  const ok = async () => {
    const toUserId = to[0];
    if (!toUserId) return;
    try {
      await transfer.mutateAsync({ taskId, toUserId, comment: comment.trim() || null });
      message.success(t('workflow.instance.transferred'));
      onClose();
    } catch (e) {
      showError(e);
    }
  };
  return (
    <Modal open title={t('workflow.instance.transferTitle')} onCancel={onClose} onOk={() => void ok()} confirmLoading={transfer.isPending} okButtonProps={{ disabled: to.length === 0, 'data-testid': 'transfer-ok' } as ButtonProps} destroyOnHidden data-testid="transfer-dialog">
      <Form layout="vertical">
        <Form.Item label={t('workflow.instance.transferTo')} required>
          <PeoplePicker value={to} onChange={setTo} by="userId" single testId="transfer-to" />
        </Form.Item>
        <Form.Item label={t('workflow.decision.comment')}>
          <Input.TextArea rows={2} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="transfer-comment" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** A comment without a decision, for anyone who may see the approval. */
export function CommentDialog({ instanceId, onClose }: { instanceId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const add = useComment();
  const [comment, setComment] = useState('');
  const ok = async () => {
    if (!comment.trim()) return;
    try {
      await add.mutateAsync({ id: instanceId, comment: comment.trim() });
      message.success(t('workflow.instance.commented'));
      onClose();
    } catch (e) {
      showError(e);
    }
  };
  return (
    <Modal open title={t('workflow.instance.commentTitle')} onCancel={onClose} onOk={() => void ok()} confirmLoading={add.isPending} okButtonProps={{ disabled: !comment.trim(), 'data-testid': 'comment-ok' } as ButtonProps} destroyOnHidden data-testid="comment-dialog">
      <Input.TextArea rows={3} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="comment-text" />
    </Modal>
  );
}
