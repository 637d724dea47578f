import { FilePdfOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Drawer, Empty, Flex, List, Spin, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { apiUrl } from '../../api/client.ts';
import { QueryError } from '../../shared/QueryError.tsx';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { LevelTag } from './labels.tsx';
import { useAreaDrill, type AreaDrillDown } from './mapApi.ts';

type CycleUnit = 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';
type Check = AreaDrillDown['events'][number]['measures'][number]['recentChecks'][number];

const checkColour: Record<string, string> = { done: 'green', missed: 'red', in_progress: 'blue' };

/** A measure's latest checks (what the reader may see): status, day, failed items and the hazards raised. */
function MeasureChecks({ checks }: { checks: Check[] }) {
  const { t } = useTranslation();
  if (checks.length === 0) return <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('risks.map.noChecks')}</Typography.Text>;
  return (
    <Flex gap={4} wrap align="center" data-testid="measure-checks">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('risks.map.checks')}:
      </Typography.Text>
      {checks.map((c) => (
        <Flex key={c.taskId} gap={2} align="center" data-testid="measure-check" data-status={c.status}>
          <Link to={`/inspections/tasks/${c.taskId}`}>
            <Tag color={checkColour[c.status]} style={{ marginInlineEnd: 0 }}>
              {dayjs(c.doneAt ?? c.windowStart).format('MM-DD')} {t(`inspections.status.${c.status as 'done'}`)}
              {c.onTime === false ? ` · ${t('risks.map.checkLate')}` : ''}
              {c.failedCount > 0 ? ` · ${t('risks.map.checkFailed', { count: c.failedCount })}` : ''}
            </Tag>
          </Link>
          {c.hazards.map((h) => (
            <Link key={h.id} to={`/hazards/${h.id}`}>
              <Tag color="red">{h.number ?? '…'}</Tag>
            </Link>
          ))}
        </Flex>
      ))}
    </Flex>
  );
}

/** One area's drill-down: its risk events (highest first) with their control measures and their latest checks, the permits at work and recent hazards. */
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
                    <Flex vertical gap={4} style={{ width: '100%' }}>
                      <span>{m.description}</span>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {m.troubleshootContent} · {m.checkCycle} {t(`risks.cycleUnit.${m.checkCycleUnit as CycleUnit}`)}
                      </Typography.Text>
                      <MeasureChecks checks={m.recentChecks} />
                    </Flex>
                  </List.Item>
                )}
              />
            </Card>
          ))}
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t('risks.map.permits', { count: d.permits.length })}
          </Typography.Title>
          <List
            size="small"
            dataSource={d.permits}
            locale={{ emptyText: t('risks.map.noPermits') }}
            renderItem={(p) => (
              <List.Item data-testid="area-permit">
                <Link to={`/permits/${p.id}`}>
                  {p.number} {t(`permits.type.${p.type}`)}
                </Link>
                <Flex gap={4} align="center">
                  <Tag color={p.status === 'suspended' ? 'orange' : 'green'}>{t(`permits.status.${p.status}`)}</Tag>
                  <Typography.Text type="secondary">{p.location}</Typography.Text>
                </Flex>
              </List.Item>
            )}
          />
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
