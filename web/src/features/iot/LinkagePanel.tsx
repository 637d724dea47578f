import { ApiOutlined } from '@ant-design/icons';
import { App, Button, Drawer, Empty, List, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { useCan } from '../../app/session.ts';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { linkageKeys, useAlarmLinkage, useResendLinkage, type LinkageExecution } from './linkageApi.ts';

const stateColor: Record<LinkageExecution['state'], string> = { pending: 'processing', confirmed: 'success', failed: 'error', timed_out: 'warning' };
const time = (s: string | null) => (s ? dayjs(s).format('MM-DD HH:mm:ss') : '—');

/** Refreshes the open drawer when the server pushes an `iot.linkage` frame for this alarm. */
function useLinkageFrames(alarmId: string, enabled: boolean) {
  const qc = useQueryClient();
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const es = new EventSource('/api/v1/stream', { withCredentials: true });
    es.addEventListener('iot.linkage', (ev: MessageEvent<string>) => {
      try {
        if ((JSON.parse(ev.data) as { alarmId?: string }).alarmId !== alarmId) return;
      } catch {
        return;
      }
      void qc.invalidateQueries({ queryKey: linkageKeys.alarm(alarmId) });
    });
    return () => es.close();
  }, [alarmId, enabled, qc]);
}

/** The "linkage" section of an alarm: commands sent to devices and their outcome, with a re-send. */
export function LinkageList({ alarmId }: { alarmId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const onError = useApiError();
  const canResend = useCan().can('iot:alarm');
  const q = useAlarmLinkage(alarmId);
  const resend = useResendLinkage();
  useLinkageFrames(alarmId, true);
  if (q.error) return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  const items = q.data?.items ?? [];
  const resent = new Set(items.map((e) => e.retryOf).filter(Boolean));
  return (
    <List<LinkageExecution>
      loading={q.isLoading}
      dataSource={items}
      data-testid="linkage-list"
      locale={{ emptyText: <Empty description={t('linkage.none')} /> }}
      renderItem={(e) => (
        <List.Item key={e.id} data-testid={`linkage-${e.id}`}>
          <Space direction="vertical" size={2} style={{ width: '100%' }}>
            <Space wrap size={4}>
              <Tag color={stateColor[e.state]} data-testid={`linkage-state-${e.id}`}>
                {t(`linkage.state.${e.state}`)}
              </Tag>
              <Typography.Text strong>{e.command}</Typography.Text>
              <Typography.Text type="secondary">→ {e.deviceCode ?? e.deviceId}</Typography.Text>
              <Tag>{e.trigger === 'raised' ? t('linkage.triggerRaised') : t('linkage.triggerCleared')}</Tag>
              {e.retryOf ? <Tag color="blue">{t('linkage.retryOf')}</Tag> : null}
            </Space>
            <Typography.Text type="secondary">
              {e.ruleName ?? ''} · {t('linkage.sentAt')} {time(e.sentAt)} · {e.confirmedAt ? `${t('linkage.confirmedAt')} ${time(e.confirmedAt)}` : `${t('linkage.finishedAt')} ${time(e.finishedAt)}`}
            </Typography.Text>
            {e.message ? <Typography.Text>{e.message}</Typography.Text> : null}
            {canResend && (e.state === 'failed' || e.state === 'timed_out') && !resent.has(e.id) ? (
              <Button size="small" loading={resend.isPending} data-testid={`linkage-resend-${e.id}`} onClick={() => resend.mutate(e, { onSuccess: () => void message.success(t('linkage.resent')), onError: (err) => onError(err) })}>
                {t('linkage.resend')}
              </Button>
            ) : null}
          </Space>
        </List.Item>
      )}
    />
  );
}

/** A small button for an alarm row that opens its linkage in a drawer. */
export function LinkageButton({ alarmId }: { alarmId: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="small" icon={<ApiOutlined />} onClick={() => setOpen(true)} data-testid={`alarm-linkage-${alarmId}`}>
        {t('linkage.open')}
      </Button>
      <Drawer open={open} onClose={() => setOpen(false)} title={t('linkage.section')} width={480} destroyOnHidden>
        {open ? <LinkageList alarmId={alarmId} /> : null}
      </Drawer>
    </>
  );
}
