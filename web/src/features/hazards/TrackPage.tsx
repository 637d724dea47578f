import { SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Form, Input, Layout, Tag, Timeline, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, isApiError } from '../../api/client.ts';
import { formatTime } from '../../shared/format.ts';
import { LanguageSwitch } from '../../shared/LanguageSwitch.tsx';
import { trackHazard, type TrackResponse } from './api.ts';
import { LevelTag, StatusTag, useTimelineLabel } from './labels.tsx';

const CODE = /^[0-9A-HJKMNP-TV-Z]{16}$/;

/**
 * Public page for anonymous reporters: `/track#CODE`. The code stays after `#`, which browsers never
 * send, so it does not end up in server or proxy logs; it is posted in the request body instead.
 */
export function TrackPage() {
  const { t } = useTranslation();
  const label = useTimelineLabel();
  const [code, setCode] = useState(() => window.location.hash.replace(/^#/, '').trim().toUpperCase());
  const [result, setResult] = useState<TrackResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const look = async (c: string) => {
    const clean = c.replace(/[\s-]/g, '').toUpperCase();
    if (!CODE.test(clean)) {
      setError(t('hazards.track.badCode'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setResult(await trackHazard(clean));
      window.history.replaceState(null, '', `#${clean}`);
    } catch (e) {
      setResult(null);
      setError(isApiError(e) ? (e.status === 404 ? t('hazards.track.notFound') : errorText(e)) : String(e));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (code) void look(code);
    // Only the code in the address on first load.
  }, []);

  return (
    <Layout style={{ minHeight: '100vh', background: '#f5f7fa' }}>
      <Flex vertical gap={16} style={{ width: '100%', maxWidth: 560, margin: '0 auto', padding: 16 }} data-testid="hazard-track-page">
        <Flex justify="space-between" align="center">
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="page-title">
            {t('hazards.track.title')}
          </Typography.Title>
          <LanguageSwitch compact />
        </Flex>
        <Card size="small">
          <Form layout="vertical" onFinish={() => void look(code)}>
            <Form.Item label={t('hazards.track.code')} style={{ marginBottom: 12 }}>
              <Input value={code} onChange={(e) => setCode(e.target.value)} maxLength={20} autoCapitalize="characters" autoComplete="off" data-testid="track-code" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block size="large" icon={<SearchOutlined />} loading={busy} data-testid="track-submit">
              {t('hazards.track.lookUp')}
            </Button>
          </Form>
        </Card>
        {error ? <Alert type="error" showIcon title={error} data-testid="track-error" /> : null}
        {result ? (
          <Card size="small" title={result.number} data-testid="track-result">
            <Flex wrap gap={6} style={{ marginBottom: 12 }}>
              <StatusTag status={result.status} />
              <LevelTag level={result.level} label={result.levelLabel} />
              <Tag>{result.categoryLabel}</Tag>
            </Flex>
            <Typography.Paragraph type="secondary">
              {t('hazards.fields.reportedAt')}: {formatTime(result.reportedAt)}
              {result.closedAt ? ` · ${t('hazards.fields.closedAt')}: ${formatTime(result.closedAt)}` : ''}
            </Typography.Paragraph>
            <Timeline items={result.timeline.map((s, i) => ({ key: i, content: `${formatTime(s.at)} · ${label(s.action)}` }))} />
          </Card>
        ) : null}
      </Flex>
    </Layout>
  );
}
