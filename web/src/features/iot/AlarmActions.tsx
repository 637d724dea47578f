import { App, Button, Form, Input, InputNumber, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCan } from '../../app/session.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { useAlarmAction, useOpenHazard, type Alarm, type AlarmAction } from './api.ts';

type Dialog = 'ack' | 'comment' | 'shelve' | 'clear' | 'hazard' | null;
type Level = 'general' | 'serious' | 'major';

/** Acknowledge, comment, shelve (hours + reason), unshelve or clear one alarm; each is a small dialog. */
export function AlarmActions({ alarm }: { alarm: Alarm }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const onError = useApiError();
  const act = useAlarmAction();
  const openHazard = useOpenHazard();
  // Opening a hazard also needs hazard:report (the console itself needs iot:alarm).
  const canReport = useCan().can('hazard:report');
  const [dialog, setDialog] = useState<Dialog>(null);
  const [form] = Form.useForm<{ text?: string; hours?: number; title?: string; level?: Level }>();
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
    if (dialog === 'hazard') {
      // Empty fields are left to the server, which fills them from the alarm.
      const title = v.title?.trim();
      openHazard.mutate(
        { alarm, body: { ...(title ? { title } : {}), ...(text ? { description: text } : {}), level: v.level ?? 'general' } },
        {
          onSuccess: (r) => {
            void message.success(t('iot.monitor.hazardOpened', { number: r.hazard.number }));
            setDialog(null);
            form.resetFields();
          },
          onError: (e) => onError(e),
        },
      );
    } else if (dialog === 'ack') run({ kind: 'ack', note: text || undefined });
    else if (dialog === 'comment') run({ kind: 'comment', text });
    else if (dialog === 'clear') run({ kind: 'clear', note: text });
    else if (dialog === 'shelve') run({ kind: 'shelve', reason: text, until: new Date(Date.now() + (v.hours ?? 1) * 3600_000).toISOString() });
  };

  const titles: Record<Exclude<Dialog, null>, string> = {
    ack: t('iot.monitor.ackTitle', { name }),
    comment: t('iot.monitor.commentTitle', { name }),
    shelve: t('iot.monitor.shelveTitle', { name }),
    clear: t('iot.monitor.clearTitle', { name }),
    hazard: t('iot.monitor.hazardTitle', { name }),
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
        {alarm.hazardId ? (
          <Link to={`/hazards/${alarm.hazardId}`} data-testid={`alarm-hazard-link-${alarm.id}`}>
            {t('iot.monitor.hazardLink', { number: alarm.hazardNumber ?? '' })}
          </Link>
        ) : canReport ? (
          <Button size="small" data-testid={`alarm-hazard-${alarm.id}`} onClick={() => setDialog('hazard')}>
            {t('iot.monitor.openHazard')}
          </Button>
        ) : null}
      </Space>
      <Modal open={dialog !== null} title={dialog ? titles[dialog] : ''} onCancel={() => setDialog(null)} onOk={() => void submit()} confirmLoading={act.isPending || openHazard.isPending} destroyOnHidden>
        <Form form={form} layout="vertical" initialValues={{ hours: 2, level: 'general' }}>
          {dialog === 'hazard' ? (
            <>
              <p>{t('iot.monitor.hazardHelp')}</p>
              <Form.Item name="title" label={t('iot.monitor.hazardTitleField')} rules={[{ max: 200 }]}>
                <Input maxLength={200} placeholder={t('iot.monitor.hazardTitlePlaceholder')} data-testid="alarm-hazard-title" />
              </Form.Item>
              <Form.Item name="level" label={t('iot.monitor.hazardLevel')}>
                <Select<Level> options={(['general', 'serious', 'major'] as const).map((l) => ({ value: l, label: t(`hazards.level.${l}`) }))} />
              </Form.Item>
            </>
          ) : null}
          {dialog === 'shelve' ? (
            <Form.Item name="hours" label={t('iot.monitor.hours')} rules={[{ required: true }]}>
              <InputNumber min={0.25} max={72} step={0.5} />
            </Form.Item>
          ) : null}
          <Form.Item
            name="text"
            label={dialog === 'hazard' ? t('iot.monitor.hazardDescription') : dialog === 'shelve' || dialog === 'clear' ? t('iot.monitor.reason') : t('iot.monitor.note')}
            rules={dialog === 'ack' || dialog === 'hazard' ? [{ max: dialog === 'hazard' ? 4000 : 500 }] : [{ required: true, whitespace: true, max: 500 }]}
          >
            <Input.TextArea rows={3} maxLength={dialog === 'hazard' ? 4000 : 500} placeholder={dialog === 'hazard' ? t('iot.monitor.hazardDescriptionPlaceholder') : undefined} data-testid="alarm-dialog-text" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
