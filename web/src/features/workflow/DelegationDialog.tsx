import { App, DatePicker, Form, Input, Modal, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../shared/format.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { useClearDelegation, useDelegation, useSetDelegation } from './api.ts';
import { PeoplePicker } from './PeoplePicker.tsx';

/**
 * 代理审批: while I am away, new approvals go to my delegate (the engine routes them and marks them
 * "on behalf of"). Tasks already waiting stay mine.
 */
export function DelegationDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const current = useDelegation(open);
  const setIt = useSetDelegation();
  const clear = useClearDelegation();
  const [delegate, setDelegate] = useState<string[]>([]);
  const [period, setPeriod] = useState<[Dayjs, Dayjs]>([dayjs(), dayjs().add(7, 'day')]);
  const [reason, setReason] = useState('');
  const active = current.data && !current.data.clearedAt && Date.parse(current.data.endsAt) > Date.now() ? current.data : null;

  const save = async () => {
    const delegateUserId = delegate[0];
    if (!delegateUserId) return;
    try {
      await setIt.mutateAsync({ delegateUserId, startsAt: period[0].toISOString(), endsAt: period[1].toISOString(), reason: reason.trim() || null, version: current.data?.version });
      message.success(t('workflow.delegation.saved'));
      onClose();
    } catch (e) {
      showError(e);
    }
  };
  const end = async () => {
    if (!active) return;
    try {
      await clear.mutateAsync(active.version);
      message.success(t('workflow.delegation.saved'));
    } catch (e) {
      showError(e);
    }
  };

  return (
    <Modal
      open={open}
      title={t('workflow.delegation.title')}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('workflow.delegation.save')}
      okButtonProps={{ disabled: delegate.length === 0 }}
      confirmLoading={setIt.isPending}
      destroyOnHidden
      data-testid="delegation-dialog"
    >
      <Typography.Paragraph type="secondary">{t('workflow.delegation.hint')}</Typography.Paragraph>
      <Typography.Paragraph>
        {active ? t('workflow.delegation.current', { start: formatTime(active.startsAt), end: formatTime(active.endsAt) }) : t('workflow.delegation.none')}
        {active ? (
          <Typography.Link style={{ marginInlineStart: 8 }} onClick={() => void end()}>
            {t('workflow.delegation.clear')}
          </Typography.Link>
        ) : null}
      </Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label={t('workflow.delegation.delegate')} required>
          <PeoplePicker single by="userId" value={delegate} onChange={setDelegate} />
        </Form.Item>
        <Form.Item label={t('workflow.delegation.period')} required>
          <DatePicker.RangePicker showTime value={period} onChange={(v) => v?.[0] && v[1] && setPeriod([v[0], v[1]])} />
        </Form.Item>
        <Form.Item label={t('workflow.delegation.reason')}>
          <Input maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
