import { AlertOutlined, EnvironmentOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Flex, Result, Spin, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { errorText, isApiError } from '../../api/client.ts';
import { InspectionOffer } from '../inspections/InspectionOffer.tsx';
import { scanCheckpoint, type ScanBody, type ScanResult } from './api.ts';

/** The code from `/s#<code>`: after `#`, so it never reached a server log on the way here. */
export function codeFromHash(hash: string): string | null {
  const code = decodeURIComponent(hash.replace(/^#/, '')).trim();
  return /^[A-Za-z2-7\s-]{12,100}$/.test(code) ? code : null;
}

/** The phone's position if it gives one within a few seconds; a scan never waits longer for GPS. */
function currentPosition(): Promise<Pick<ScanBody, 'lat' | 'lng' | 'accuracy'>> {
  return new Promise((resolve) => {
    if (!('geolocation' in navigator)) {
      resolve({});
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: Math.min(p.coords.accuracy, 100_000) }),
      () => resolve({}),
      { enableHighAccuracy: true, timeout: 5000, maximumAge: 30_000 },
    );
  });
}

function Checked({ r, code }: { r: ScanResult; code: string }) {
  const { t } = useTranslation();
  const e = r.equipment;
  const dueColour = e?.dueState === 'overdue' ? 'red' : e?.dueState === 'due_soon' ? 'orange' : 'green';
  return (
    <Card data-testid="scan-ok">
      <Result status="success" title={t('equipment.scan.ok')} subTitle={r.name} style={{ padding: '16px 0' }} />
      <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label={t('equipment.scan.area')}>{r.orgUnitName ?? '—'}</Descriptions.Item>
        {e ? (
          <Descriptions.Item label={t('equipment.scan.equipment')}>
            <Flex vertical gap={4}>
              <Typography.Text strong>
                {e.code} · {e.name}
              </Typography.Text>
              <Typography.Text type="secondary">{e.kindName}</Typography.Text>
              {e.nextInspectionDue ? (
                <span>
                  <Tag color={dueColour}>{t(`equipment.due.${e.dueState === 'overdue' || e.dueState === 'due_soon' || e.dueState === 'ok' ? e.dueState : 'none'}`)}</Tag>
                  {t('equipment.scan.equipmentDue', { day: e.nextInspectionDue })}
                </span>
              ) : null}
            </Flex>
          </Descriptions.Item>
        ) : null}
        {r.description ? <Descriptions.Item label={t('equipment.checkpoints.description')}>{r.description}</Descriptions.Item> : null}
        {r.distanceM !== null ? (
          <Descriptions.Item label={<EnvironmentOutlined />}>{t('equipment.scan.distance', { metres: Math.round(r.distanceM) })}</Descriptions.Item>
        ) : null}
      </Descriptions>
      <InspectionOffer checkpointId={r.checkpointId} code={code} />
      {r.orgUnitId ? (
        <Link to={`/hazards/report#area=${r.orgUnitId}`}>
          <Button type="primary" danger block size="large" icon={<AlertOutlined />} style={{ marginTop: 16 }} data-testid="scan-report-hazard">
            {t('equipment.scan.reportHazard')}
          </Button>
        </Link>
      ) : null}
    </Card>
  );
}

/**
 * `/s#<code>`: what a checkpoint's QR label opens on a phone. Proves presence (the code, and the position
 * when the phone gives one) and shows the checkpoint, its area and equipment. The inspection flow will
 * open the checklist from here.
 */
export function ScanPage() {
  const { t } = useTranslation();
  const location = useLocation();
  const code = codeFromHash(location.hash);
  const scan = useQuery({
    queryKey: ['equipment', 'scan', code] as const,
    queryFn: async () => scanCheckpoint({ code: code ?? '', ...(await currentPosition()) }),
    enabled: code !== null,
    // A scan is a logged event: once per visit of the label, not on every re-render or focus.
    retry: false,
    staleTime: Infinity,
    gcTime: 0,
  });

  return (
    <div style={{ maxWidth: 520, margin: '0 auto' }}>
      <Typography.Title level={3}>{t('equipment.scan.title')}</Typography.Title>
      {code === null ? (
        <Result status="warning" title={t('equipment.scan.noCode')} subTitle={t('equipment.scan.noCodeHelp')} data-testid="scan-no-code" />
      ) : scan.isPending ? (
        <Flex vertical align="center" gap={12} style={{ padding: 48 }}>
          <Spin size="large" />
          <Typography.Text type="secondary">{t('equipment.scan.checking')}</Typography.Text>
        </Flex>
      ) : scan.isError ? (
        <Result
          status="error"
          title={t('equipment.scan.refused')}
          subTitle={isApiError(scan.error) ? errorText(scan.error) : t('errors.generic')}
          extra={
            <Button onClick={() => void scan.refetch()} data-testid="scan-again">
              {t('equipment.scan.again')}
            </Button>
          }
          data-testid="scan-refused"
        />
      ) : (
        <Checked r={scan.data} code={code} />
      )}
    </div>
  );
}
