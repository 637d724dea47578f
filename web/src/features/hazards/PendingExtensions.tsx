import { App, Button, Card, Empty, Flex, Input, Modal, Typography, type ButtonProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatTime } from '../../shared/format.ts';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useDecideExtension, type PendingExtension, type usePendingExtensions } from './api.ts';
import { LevelTag, OverdueTag, StatusTag } from './labels.tsx';

/** "待我审批的延期": one card per request, approve or refuse (with an optional comment) right here. */
export function PendingExtensions({ query }: { query: ReturnType<typeof usePendingExtensions> }) {
  const { t } = useTranslation();
  const [deciding, setDeciding] = useState<{ ext: PendingExtension; approve: boolean } | null>(null);
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  if (!query.isLoading && rows.length === 0) return <Empty description={t('hazards.tasks.extensionsEmpty')} data-testid="tasks-extensions-empty" />;
  return (
    <Flex vertical gap={8} data-testid="tasks-extensions">
      {rows.map((e) => (
        <Card key={e.id} size="small" data-testid="pending-extension" data-extension-id={e.id}>
          <Link to={`/hazards/${e.hazard.id}`} data-testid="hazard-link" data-hazard-id={e.hazard.id}>
            <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
              {e.hazard.number} · {e.hazard.areaName ?? '—'}
            </Typography.Text>
            <Typography.Text strong>{e.hazard.title}</Typography.Text>
          </Link>
          <Flex wrap gap={4} style={{ margin: '6px 0' }}>
            <StatusTag status={e.hazard.status} />
            <LevelTag level={e.hazard.level} label={e.hazard.levelLabel} />
            <OverdueTag show={e.hazard.rectifyOverdue} />
          </Flex>
          <Typography.Paragraph style={{ marginBottom: 4 }}>{t('hazards.tasks.extensionAsk', { name: e.requestedByName ?? '—', from: formatTime(e.previousDueAt), to: formatTime(e.newDueAt) })}</Typography.Paragraph>
          <Typography.Paragraph type="secondary" style={{ whiteSpace: 'pre-wrap' }}>
            {e.reason}
          </Typography.Paragraph>
          <Flex gap={8}>
            <Button type="primary" size="large" style={{ flex: 1 }} onClick={() => setDeciding({ ext: e, approve: true })} data-testid="extension-approve">
              {t('hazards.extension.approve')}
            </Button>
            <Button danger size="large" style={{ flex: 1 }} onClick={() => setDeciding({ ext: e, approve: false })} data-testid="extension-refuse">
              {t('hazards.extension.refuse')}
            </Button>
          </Flex>
        </Card>
      ))}
      {query.hasNextPage ? (
        <Button onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
          {t('common.loadMore')}
        </Button>
      ) : null}
      {deciding ? <DecideModal ext={deciding.ext} approve={deciding.approve} onClose={() => setDeciding(null)} onReload={() => void query.refetch()} /> : null}
    </Flex>
  );
}

function DecideModal({ ext, approve, onClose, onReload }: { ext: PendingExtension; approve: boolean; onClose: () => void; onReload: () => void }) {
  const { t } = useTranslation();
  const onError = useApiError();
  const decide = useDecideExtension();
  const [comment, setComment] = useState('');
  const { message } = App.useApp();
  const submit = () =>
    decide.mutate(
      { hazardId: ext.hazard.id, extensionId: ext.id, approve, comment: comment.trim() || null, version: ext.hazard.version },
      {
        onSuccess: () => {
          void message.success(t('hazards.tasks.decided'));
          onClose();
        },
        // A stale card (the hazard moved on since the list loaded): reload the list and close.
        onError: (e) =>
          onError(e, {
            onReload: () => {
              onClose();
              onReload();
            },
          }),
      },
    );
  return (
    <Modal
      open
      title={`${approve ? t('hazards.extension.approve') : t('hazards.extension.refuse')} · ${ext.hazard.number}`}
      onCancel={onClose}
      onOk={submit}
      okText={t('hazards.actions.confirm')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: decide.isPending, danger: !approve, 'data-testid': 'extension-decide-ok' } as ButtonProps}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('hazards.tasks.extensionAsk', { name: ext.requestedByName ?? '—', from: formatTime(ext.previousDueAt), to: formatTime(ext.newDueAt) })}</Typography.Paragraph>
      <Input.TextArea value={comment} onChange={(e) => setComment(e.target.value)} maxLength={1000} autoSize={{ minRows: 2, maxRows: 5 }} placeholder={t('hazards.fields.comment')} data-testid="extension-comment" />
    </Modal>
  );
}
