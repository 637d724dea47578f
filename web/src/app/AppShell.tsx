import { MenuOutlined } from '@ant-design/icons';
import { App, Button, Drawer, Flex, Layout, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useNavigate } from 'react-router';
import { HazardOutboxSync } from '../features/hazards/HazardOutboxSync.tsx';
import { CheckOutboxSync } from '../features/inspections/CheckOutboxSync.tsx';
import type { Notification } from '../features/notifications/api.ts';
import { NotificationBell } from '../features/notifications/NotificationBell.tsx';
import { useNotificationStream } from '../features/notifications/useNotificationStream.ts';
import { NotFound } from '../shared/Forbidden.tsx';
import { LanguageSwitch } from '../shared/LanguageSwitch.tsx';
import { useIsPhone } from '../shared/useIsPhone.ts';
import { NavMenu } from './NavMenu.tsx';
import { PageGuard } from './PageGuard.tsx';
import { pages } from './pages.tsx';
import { useCompanyName } from './useCompanyName.ts';
import { UserMenu } from './UserMenu.tsx';

const HEADER_HEIGHT = 56;

/** Signed-in layout: side menu on desktop, drawer menu on phones, header with language, bell and user. */
export function AppShell() {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const company = useCompanyName();
  const [drawer, setDrawer] = useState(false);
  const { notification } = App.useApp();
  const navigate = useNavigate();

  const onLive = useCallback(
    (n: Notification) => {
      // Critical ones stay until dismissed: in a noisy plant a toast that fades may never be seen.
      const open = n.severity === 'critical' ? notification.error : n.severity === 'warning' ? notification.warning : notification.info;
      open({
        key: n.id,
        title: n.title,
        description: n.body ?? undefined,
        duration: n.severity === 'critical' ? 0 : 6,
        placement: isPhone ? 'top' : 'topRight',
        onClick: n.link?.startsWith('/') && !n.link.startsWith('//') ? () => void navigate(n.link ?? '/') : undefined,
      });
    },
    [notification, isPhone, navigate],
  );
  const stream = useNotificationStream(onLive);

  const brand = (
    <Flex align="center" gap={8} style={{ minWidth: 0 }}>
      <img src="/favicon.svg" alt="" width={28} height={28} />
      <Typography.Text strong ellipsis style={{ fontSize: isPhone ? 15 : 16, minWidth: 0 }} data-testid="company-name">
        {company ?? t('app.name')}
      </Typography.Text>
    </Flex>
  );

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {/* Hazard reports queued offline go out on start and when the signal returns (issue 4). */}
      <HazardOutboxSync />
      {/* Checks done offline likewise (issue 5). */}
      <CheckOutboxSync />
      {isPhone ? null : (
        <Layout.Sider width={224} theme="light" style={{ borderInlineEnd: '1px solid #f0f0f0', position: 'sticky', top: 0, height: '100vh', overflowY: 'auto' }} data-testid="sider">
          <Flex vertical gap={2} style={{ height: HEADER_HEIGHT, justifyContent: 'center', paddingInline: 20 }}>
            <Typography.Text strong style={{ fontSize: 17, color: '#1f5fbf' }}>
              SafeLoop
            </Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('app.title')}
            </Typography.Text>
          </Flex>
          <NavMenu />
        </Layout.Sider>
      )}
      <Layout style={{ minWidth: 0 }}>
        <Layout.Header
          style={{
            background: '#fff',
            height: HEADER_HEIGHT,
            lineHeight: 'normal',
            paddingInline: isPhone ? 4 : 20,
            borderBottom: '1px solid #f0f0f0',
            position: 'sticky',
            top: 0,
            zIndex: 10,
            display: 'flex',
            alignItems: 'center',
            gap: 8,
          }}
        >
          {isPhone ? <Button type="text" icon={<MenuOutlined />} aria-label={t('header.openMenu')} onClick={() => setDrawer(true)} data-testid="menu-toggle" /> : null}
          <div style={{ flex: 1, minWidth: 0 }}>{brand}</div>
          <LanguageSwitch compact={isPhone} />
          <NotificationBell stream={stream} />
          <UserMenu compact={isPhone} />
        </Layout.Header>
        <Layout.Content style={{ padding: isPhone ? 12 : 24, minWidth: 0 }}>
          <Routes>
            {pages.map((p) => (
              <Route
                key={p.key}
                path={p.path}
                element={
                  <PageGuard anyOf={p.anyOf}>
                    <p.component />
                  </PageGuard>
                }
              />
            ))}
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Layout.Content>
      </Layout>
      {isPhone ? (
        <Drawer
          open={drawer}
          onClose={() => setDrawer(false)}
          placement="left"
          size={280}
          title={
            <Flex vertical>
              <span>SafeLoop</span>
              <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>
                {t('app.title')}
              </Typography.Text>
            </Flex>
          }
          styles={{ body: { padding: 0 } }}
          data-testid="menu-drawer"
        >
          <NavMenu onNavigate={() => setDrawer(false)} />
        </Drawer>
      ) : null}
    </Layout>
  );
}
