import { BellOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Avatar, Button, Dropdown, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useLogout } from '../features/auth/api.ts';
import { useRoleLabel } from '../shared/labels.ts';
import { useSession } from './session.ts';

export function UserMenu({ compact }: { compact: boolean }) {
  const { t } = useTranslation();
  const me = useSession();
  const navigate = useNavigate();
  const logout = useLogout();
  const roleLabel = useRoleLabel();
  const items = [
    {
      key: 'who',
      disabled: true,
      label: (
        <div style={{ maxWidth: 240 }}>
          <Typography.Text strong>{me.displayName}</Typography.Text>
          <br />
          <Typography.Text type="secondary">{me.roles.map(roleLabel).join('、') || me.username}</Typography.Text>
        </div>
      ),
    },
    { type: 'divider' as const },
    { key: 'notifications', icon: <BellOutlined />, label: <span data-testid="menu-notification-settings">{t('notificationPrefs.menu')}</span> },
    { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="logout">{t('header.logout')}</span> },
  ];
  return (
    <Dropdown
      trigger={['click']}
      placement="bottomRight"
      menu={{
        items,
        onClick: ({ key }) => {
          if (key === 'notifications') void navigate('/me/notifications');
          if (key === 'logout') logout.mutate(undefined, { onSettled: () => void navigate('/login', { replace: true }) });
        },
      }}
    >
      <Button type="text" data-testid="user-menu" aria-label={t('header.account')} style={{ paddingInline: 6 }}>
        <Avatar size={28} icon={<UserOutlined />} style={{ background: '#1f5fbf' }} />
        {compact ? null : <span style={{ maxWidth: 140, overflow: 'hidden', textOverflow: 'ellipsis' }}>{me.displayName}</span>}
      </Button>
    </Dropdown>
  );
}
