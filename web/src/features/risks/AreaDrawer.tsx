import { FilePdfOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Drawer, Empty, Flex, List, Spin, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { apiUrl } from '../../api/client.ts';
import { QueryError } from '../../shared/QueryError.tsx';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { LevelTag } from './labels.tsx';
import { useAreaDrill } from './mapApi.ts';

type CycleUnit = 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

/** One area's drill-down: its risk events (highest first) with their control measures, and recent hazards. */
export function AreaDrawer({ areaId, onClose, onOpenEvent }: { areaId: string | null; onClose: () => void; onOpenEvent: (eventId: string) => void }) {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const drill = useAreaDrill(areaId);
  const d = drill.data;
  return (
    <Drawer
      open={areaId !== null}
      onClose={onClose}
      size={isPhone ? '100%' : 560}
      title={d?.area.name ?? ' '}
      data-testid="risk-area-drawer"
      extra={
        areaId ? (
          <Button href={apiUrl(`/risks/maps/areas/${areaId}/notice-card.pdf`)} target="_blank" icon={<FilePdfOutlined />} data-testid="area-notice-card">
            {t('risks.map.noticeCard')}
          </Button>
        ) : null
      }
    >
      {drill.isLoading ? <Spin /> : null}
      {drill.error ? <QueryError error={drill.error} /> : null}
      {d ? (
        <Flex vertical gap={16}>
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t('risks.map.events', { count: d.events.length })}
          </Typography.Title>
          {d.events.length === 0 ? <Empty description={t('risks.map.noEvents')} /> : null}
          {d.events.map((e) => (
            <Card
              key={e.id}
              size="small"
              data-testid="area-event"
              data-level={e.level ?? 'unassessed'}
              title={
                <Flex gap={8} align="center" wrap>
                  <LevelTag level={e.level} colour={e.colour} score={e.score} />
                  <span style={{ whiteSpace: 'normal' }}>{e.name}</span>
                </Flex>
              }
              extra={
                <Button size="small" type="link" onClick={() => onOpenEvent(e.id)}>
                  {t('risks.map.openEvent')}
                </Button>
              }
            >
              <Typography.Text type="secondary">
                {e.unitName}
                {e.consequences ? ` · ${t('risks.event.consequences')}: ${e.consequences}` : ''}
              </Typography.Text>
              <List
                size="small"
                dataSource={e.measures}
                locale={{ emptyText: t('risks.map.noMeasures') }}
                renderItem={(m) => (
                  <List.Item data-testid="area-measure">
                    <Flex vertical>
                      <span>{m.description}</span>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {m.troubleshootContent} · {m.checkCycle} {t(`risks.cycleUnit.${m.checkCycleUnit as CycleUnit}`)}
                      </Typography.Text>
                    </Flex>
                  </List.Item>
                )}
              />
            </Card>
          ))}
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t('risks.map.hazards')}
          </Typography.Title>
          {d.area.orgUnitId === null ? <Alert type="info" showIcon title={t('risks.map.noHazardArea')} /> : null}
          <List
            size="small"
            dataSource={d.hazards}
            locale={{ emptyText: t('risks.map.noHazards') }}
            renderItem={(h) => (
              <List.Item data-testid="area-hazard">
                <a href={`/hazards/${h.id}`}>
                  {h.number} {h.title}
                </a>
                <Flex gap={4}>
                  <Tag>{h.open ? t('risks.map.hazardStatus.open') : t('risks.map.hazardStatus.closed')}</Tag>
                  <Typography.Text type="secondary">{dayjs(h.reportedAt).format('YYYY-MM-DD')}</Typography.Text>
                </Flex>
              </List.Item>
            )}
          />
        </Flex>
      ) : null}
    </Drawer>
  );
}
