import { CloudSyncOutlined, DeleteOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, List, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session.ts';
import { formatTime } from '../../shared/format.ts';
import { discardOutboxItem, syncOutbox, useOutboxState } from './useOutbox.ts';

/** Reports waiting on this phone ("waiting to send (N)"), and the ones that just went out. */
export function OutboxPanel() {
  const { t, i18n } = useTranslation();
  const me = useSession();
  const qc = useQueryClient();
  const { items, sending, lastSent } = useOutboxState();
  const sent = lastSent.filter((h) => h.reporterUserId === me.id || h.anonymous);
  if (items.length === 0 && sent.length === 0) return null;
  return (
    <div id="outbox" style={{ marginTop: 16 }} data-testid="hazard-outbox" data-waiting={items.length} data-sending={sending ? 'true' : 'false'}>
      {items.length > 0 ? (
        <Card
          size="small"
          title={
            <span data-testid="outbox-count">
              <CloudSyncOutlined /> {t('hazards.outbox.waiting', { count: items.length })}
            </span>
          }
          extra={
            <Button onClick={() => void syncOutbox(me.id, i18n.language, () => void qc.invalidateQueries({ queryKey: ['hazards', 'list'] }))} loading={sending} data-testid="outbox-send">
              {t('hazards.outbox.sendNow')}
            </Button>
          }
        >
          <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
            {t('hazards.outbox.help')}
          </Typography.Paragraph>
          <List
            dataSource={items}
            rowKey={(i) => i.id}
            renderItem={(i) => (
              <List.Item
                data-testid="outbox-item"
                actions={
                  i.failed
                    ? [
                        <Button key="d" danger icon={<DeleteOutlined />} onClick={() => void discardOutboxItem(me.id, i.id)}>
                          {t('hazards.outbox.discard')}
                        </Button>,
                      ]
                    : []
                }
              >
                <List.Item.Meta
                  title={i.fields.title}
                  description={
                    <Flex vertical gap={2}>
                      <span>
                        {formatTime(i.createdAt)} · {t('hazards.outbox.photos', { n: i.photos.length })}
                      </span>
                      {i.failed ? (
                        <Typography.Text type="danger">{t('hazards.outbox.refused', { reason: i.failed })}</Typography.Text>
                      ) : (
                        <Tag color={sending ? 'processing' : 'default'}>{sending ? t('hazards.outbox.sending') : t('hazards.outbox.queued')}</Tag>
                      )}
                    </Flex>
                  }
                />
              </List.Item>
            )}
          />
        </Card>
      ) : null}
      {sent.length > 0 ? (
        <Alert
          type="success"
          showIcon
          style={{ marginTop: 12 }}
          data-testid="outbox-sent"
          title={t('hazards.outbox.sent', { count: sent.length })}
          description={
            <Flex wrap gap={8}>
              {sent.map((h) =>
                h.anonymous ? (
                  <span key={h.id}>{h.number}</span>
                ) : (
                  <Link key={h.id} to={`/hazards/${h.id}`}>
                    {h.number}
                  </Link>
                ),
              )}
            </Flex>
          }
        />
      ) : null}
    </div>
  );
}
