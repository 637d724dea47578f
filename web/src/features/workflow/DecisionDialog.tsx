import { App, Form, Input, Modal, Radio, type ButtonProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../shared/useApiError.ts';
import { uploadSignature, useDecide } from './api.ts';
import { SignaturePad } from './SignaturePad.tsx';

export type DecisionKind = 'approve' | 'reject' | 'send-back';

/**
 * Approve, reject or send back one task, with a comment and (approve / reject) a handwritten signature.
 * Reject and send back need a comment (the server says so too). Send back goes to the applicant or to an
 * approval node this request already passed.
 */
export function DecisionDialog({ kind, taskId, earlierNodes, onClose, onDone }: { kind: DecisionKind | null; taskId: string; earlierNodes: { id: string; name: string }[]; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const decide = useDecide();
  const [comment, setComment] = useState('');
  const [to, setTo] = useState('applicant');
  const [signature, setSignature] = useState<Blob | null>(null);
  const [uploading, setUploading] = useState(false);
  const needsComment = kind === 'reject' || kind === 'send-back';
  const title = kind === 'approve' ? t('workflow.decision.approveTitle') : kind === 'reject' ? t('workflow.decision.rejectTitle') : t('workflow.decision.sendBackTitle');

  const submit = async () => {
    if (!kind) return;
    if (needsComment && !comment.trim()) {
      message.error(t('workflow.decision.commentRequired'));
      return;
    }
    try {
      if (kind === 'send-back') {
        await decide.mutateAsync({ kind, taskId, to, comment: comment.trim() });
      } else {
        setUploading(true);
        const file = signature ? await uploadSignature(signature) : null;
        setUploading(false);
        await decide.mutateAsync({ kind, taskId, comment: comment.trim() || null, signatureFileId: file?.id ?? null });
      }
      message.success(t('workflow.decision.done'));
      onDone();
    } catch (e) {
      setUploading(false);
      showError(e);
    }
  };

  return (
    <Modal
      open={kind !== null}
      title={title}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('workflow.decision.submit')}
      okButtonProps={{ danger: kind === 'reject', 'data-testid': 'decision-submit' } as ButtonProps}
      confirmLoading={decide.isPending || uploading}
      destroyOnHidden
      data-testid="decision-dialog"
    >
      <Form layout="vertical">
        {kind === 'send-back' ? (
          <Form.Item label={t('workflow.decision.sendBackTo')}>
            <Radio.Group value={to} onChange={(e) => setTo(String(e.target.value))} data-testid="decision-send-back-to">
              <Radio value="applicant">{t('workflow.decision.toApplicant')}</Radio>
              {earlierNodes.map((n) => (
                <Radio key={n.id} value={n.id}>
                  {n.name}
                </Radio>
              ))}
            </Radio.Group>
          </Form.Item>
        ) : null}
        <Form.Item label={t('workflow.decision.comment')} required={needsComment}>
          <Input.TextArea rows={3} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="decision-comment" />
        </Form.Item>
        {kind === 'approve' || kind === 'reject' ? (
          <Form.Item label={t('workflow.decision.sign')}>
            {/* data-ready: the PNG of the last stroke has been made (toBlob is asynchronous). */}
            <div data-testid="signature-field" data-ready={signature ? 'true' : 'false'}>
              <SignaturePad onChange={setSignature} />
            </div>
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}
