import { App, Button, Form, Input, InputNumber, Modal, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../shared/useApiError.ts';
import { useAlarmAction, type Alarm, type AlarmAction } from './api.ts';

type Dialog = 'ack' | 'comment' | 'shelve' | 'clear' | null;

/** Acknowledge, comment, shelve (hours + reason), unshelve or clear one alarm; each is a small dialog. */
export function AlarmActions({ alarm }: { alarm: Alarm }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const onError = useApiError();
  const act = useAlarmAction();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [form] = Form.useForm<{ text?: string; hours?: number }>();
  const name = `${alarm.pointCode ?? ''} ${alarm.pointName ?? ''}`.trim();
  const unacked = alarm.state === 'active_unack' || alarm.state === 'cleared_unack';

  const run = (action: AlarmAction) =>
    act.mutate(
      { alarm, action },
      {
        onSuccess: () => {
          void message.success(t('iot.monitor.done'));
          setDialog(null);
          form.resetFields();
        },
        onError: (e) => onError(e),
      },
    );

  const submit = async () => {
    const v = await form.validateFields();
    const text = v.text?.trim() ?? '';
    if (dialog === 'ack') run({ kind: 'ack', note: text || undefined });
    else if (dialog === 'comment') run({ kind: 'comment', text });
    else if (dialog === 'clear') run({ kind: 'clear', note: text });
    else if (dialog === 'shelve') run({ kind: 'shelve', reason: text, until: new Date(Date.now() + (v.hours ?? 1) * 3600_000).toISOString() });
  };

  const titles: Record<Exclude<Dialog, null>, string> = {
    ack: t('iot.monitor.ackTitle', { name }),
    comment: t('iot.monitor.commentTitle', { name }),
    shelve: t('iot.monitor.shelveTitle', { name }),
    clear: t('iot.monitor.clearTitle', { name }),
  };

  return (
    <>
      <Space wrap size={4}>
        {unacked ? (
          <Button size="small" type="primary" data-testid={`alarm-ack-${alarm.id}`} onClick={() => setDialog('ack')}>
            {t('iot.monitor.ack')}
          </Button>
        ) : null}
        <Button size="small" data-testid={`alarm-comment-${alarm.id}`} onClick={() => setDialog('comment')}>
          {t('iot.monitor.comment')}
        </Button>
        {alarm.shelvedUntil ? (
          <Button size="small" loading={act.isPending} onClick={() => run({ kind: 'unshelve' })}>
            {t('iot.monitor.unshelve')}
          </Button>
        ) : (
          <Button size="small" data-testid={`alarm-shelve-${alarm.id}`} onClick={() => setDialog('shelve')}>
            {t('iot.monitor.shelve')}
          </Button>
        )}
        {alarm.state === 'active_unack' || alarm.state === 'active_ack' ? (
          <Button size="small" danger onClick={() => setDialog('clear')}>
            {t('iot.monitor.clear')}
          </Button>
        ) : null}
      </Space>
      <Modal open={dialog !== null} title={dialog ? titles[dialog] : ''} onCancel={() => setDialog(null)} onOk={() => void submit()} confirmLoading={act.isPending} destroyOnHidden>
        <Form form={form} layout="vertical" initialValues={{ hours: 2 }}>
          {dialog === 'shelve' ? (
            <Form.Item name="hours" label={t('iot.monitor.hours')} rules={[{ required: true }]}>
              <InputNumber min={0.25} max={72} step={0.5} />
            </Form.Item>
          ) : null}
          <Form.Item name="text" label={dialog === 'shelve' || dialog === 'clear' ? t('iot.monitor.reason') : t('iot.monitor.note')} rules={dialog === 'ack' ? [] : [{ required: true, whitespace: true, max: 500 }]}>
            <Input.TextArea rows={3} maxLength={500} data-testid="alarm-dialog-text" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
