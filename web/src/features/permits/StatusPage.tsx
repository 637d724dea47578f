import { Alert, Card, Flex, Layout, List, Result, Spin, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client.ts';
import { formatTime } from '../../shared/format.ts';
import { LanguageSwitch } from '../../shared/LanguageSwitch.tsx';
import { publicStatus, type PublicStatus } from './api.ts';

const stateColor = { valid: 'success', suspended: 'warning', expired: 'error', closed: 'info', not_active: 'info' } as const;

/**
 * The public e-permit opened from the printed QR: `/permit-status#<token>`. The token stays after `#`
 * (never in a server log) and is posted in the body; the answer carries names only.
 */
export function StatusPage() {
  const { t } = useTranslation();
  const [token] = useState(() => window.location.hash.replace(/^#/, '').trim());
  const [data, setData] = useState<PublicStatus | null>(null);
  const [error, setError] = useState<string | null>(token ? null : t('permits.public.noToken'));

  useEffect(() => {
    if (!token) return;
    publicStatus(token).then(setData, (e: unknown) => setError(isApiError(e) && e.status === 404 ? t('permits.public.notFound') : String(e)));
    // Only the token in the address on first load.
  }, []);

  return (
    <Layout style={{ minHeight: '100vh', background: '#f5f7fa' }}>
      <Flex vertical gap={12} style={{ width: '100%', maxWidth: 560, margin: '0 auto', padding: 16 }} data-testid="permit-status-page">
        <Flex justify="space-between" align="center">
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('permits.public.title')}
          </Typography.Title>
          <LanguageSwitch compact />
        </Flex>
        {error ? <Alert type="error" showIcon title={error} /> : null}
        {!data && !error ? <Spin /> : null}
        {data ? (
          <>
            <Result status={stateColor[data.state]} title={<span data-testid="permit-public-state">{t(`permits.public.${data.state}`)}</span>} subTitle={`${data.number} · ${data.typeName}${data.grade === 'none' ? '' : ` · ${data.gradeName}`}`} style={{ padding: 16, background: '#fff' }} />
            <Card size="small">
              <Flex vertical gap={4}>
                <Typography.Text>{`${data.areaName ?? ''} ${data.location}`}</Typography.Text>
                <Typography.Text>{data.content}</Typography.Text>
                <Typography.Text type="secondary">{`${t('permits.public.window')}：${formatTime(data.validFrom)} – ${formatTime(data.validUntil)}`}</Typography.Text>
                <Typography.Text>
                  {t('permits.public.guardian')}：<span data-testid="permit-public-guardian">{data.guardianName}</span>
                </Typography.Text>
                <Typography.Text>
                  {t('permits.public.workers')}：{data.workers.map((w) => `${w.name}（${t(`permits.role.${w.role as 'worker'}`)}）`).join('、')}
                </Typography.Text>
              </Flex>
            </Card>
            <Card size="small" title={t('permits.public.measures')}>
              <List size="small" dataSource={data.measures} renderItem={(m) => <List.Item>{`${m.seq}. ${m.text} ${m.confirmed ? (m.applicable ? '✓' : '—') : '○'}`}</List.Item>} />
            </Card>
            <Card size="small" title={t('permits.public.gas')}>
              <Table
                rowKey="takenAt"
                size="small"
                pagination={false}
                dataSource={data.gasReadings}
                columns={[
                  { title: '', dataIndex: 'takenAt', render: (v: string) => formatTime(v) },
                  { title: '', dataIndex: 'point' },
                  { title: 'O₂', dataIndex: 'o2Pct' },
                  { title: 'LEL', dataIndex: 'flammablePct' },
                  { title: '', dataIndex: 'passed', render: (v: boolean) => <Tag color={v ? 'green' : 'red'}>{v ? '✓' : '✗'}</Tag> },
                ]}
              />
            </Card>
          </>
        ) : null}
      </Flex>
    </Layout>
  );
}
