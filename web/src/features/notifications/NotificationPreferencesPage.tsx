import { LockOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Space, Spin, Table, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../shared/useApiError.ts';
import { preferenceChannels, useMyPreferences, useSavePreferences, type PreferenceChannel, type Preferences, type PreferenceSeverity } from './api.ts';

const rows: PreferenceSeverity[] = ['critical', 'warning', 'info'];

/** Severity × channel grid: what reaches me where. Critical in-app stays on (locked, with the reason). */
export function NotificationPreferencesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const query = useMyPreferences();
  const save = useSavePreferences();
  const onError = useApiError();
  const [draft, setDraft] = useState<Preferences | null>(null);

  useEffect(() => {
    if (query.data) setDraft(query.data.preferences);
  }, [query.data]);

  if (query.isLoading || !draft || !query.data) return <Spin />;
  const locked = query.data.locked;
  const isLocked = (c: PreferenceChannel, s: PreferenceSeverity) => locked[c].includes(s);
  const toggle = (c: PreferenceChannel, s: PreferenceSeverity, on: boolean) =>
    setDraft({ ...draft, [c]: on ? [...new Set([...draft[c], s])] : draft[c].filter((x) => x !== s) });

  const columns = [
    {
      key: 'severity',
      title: '',
      render: (_: unknown, s: PreferenceSeverity) => (
        <div>
          <Typography.Text strong>{t(`notificationPrefs.severity.${s}`)}</Typography.Text>
          <br />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t(`notificationPrefs.severityHint.${s}`)}
          </Typography.Text>
        </div>
      ),
    },
    ...preferenceChannels.map((c) => ({
      key: c,
      title: t(`notificationPrefs.channel.${c}`),
      align: 'center' as const,
      render: (_: unknown, s: PreferenceSeverity) => {
        const box = (
          <Checkbox
            data-testid={`pref-${c}-${s}`}
            aria-label={`${t(`notificationPrefs.channel.${c}`)} · ${t(`notificationPrefs.severity.${s}`)}`}
            checked={isLocked(c, s) || draft[c].includes(s)}
            disabled={isLocked(c, s)}
            onChange={(e) => toggle(c, s, e.target.checked)}
          />
        );
        return isLocked(c, s) ? (
          <Tooltip title={t('notificationPrefs.lockedWhy')}>
            <Space size={4}>
              {box}
              <LockOutlined aria-hidden style={{ color: '#8c8c8c' }} />
            </Space>
          </Tooltip>
        ) : (
          box
        );
      },
    })),
  ];

  return (
    <Card title={t('notificationPrefs.title')} data-testid="notification-preferences">
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          {t('notificationPrefs.intro')}
        </Typography.Paragraph>
        <Alert type="info" showIcon icon={<LockOutlined />} message={t('notificationPrefs.lockedWhy')} data-testid="locked-why" />
        <Table<PreferenceSeverity> rowKey={(s) => s} dataSource={rows} columns={columns} pagination={false} size="middle" scroll={{ x: 560 }} />
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          {t('notificationPrefs.storm')}
        </Typography.Paragraph>
        <Space>
          <Button
            type="primary"
            data-testid="save-preferences"
            loading={save.isPending}
            onClick={() => save.mutate(draft, { onSuccess: () => void message.success(t('notificationPrefs.saved')), onError: (e) => onError(e) })}
          >
            {t('notificationPrefs.save')}
          </Button>
          <Button onClick={() => setDraft(query.data.defaults)}>{t('notificationPrefs.reset')}</Button>
        </Space>
      </Space>
    </Card>
  );
}
