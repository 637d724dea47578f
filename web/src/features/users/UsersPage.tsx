import { LockOutlined, PlusOutlined, StopOutlined, TeamOutlined, UnlockOutlined, CheckCircleOutlined } from '@ant-design/icons';
import { Button, Card, Input, Popconfirm, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session.ts';
import { DataView, type DataColumn } from '../../shared/DataView.tsx';
import { dash, formatTime } from '../../shared/format.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useUnlockUser, useUpdateUser, useUsers, type User } from './api.ts';
import { AssignRolesModal, CreateUserDrawer, ResetPasswordModal } from './UserDialogs.tsx';

type Dialog = { kind: 'roles' | 'password'; user: User } | { kind: 'create' } | null;

/** Sign-in accounts: roles, disable, reset password, unlock after too many failed sign-ins. */
export function UsersPage() {
  const { t } = useTranslation();
  const me = useSession();
  const [q, setQ] = useState('');
  const [dialog, setDialog] = useState<Dialog>(null);
  const users = useUsers(q);
  const update = useUpdateUser();
  const unlock = useUnlockUser();
  const onError = useApiError();
  const rows = useMemo(() => users.data?.pages.flatMap((p) => p.items) ?? [], [users.data]);
  const locked = (u: User) => u.lockedUntil !== null && dayjs(u.lockedUntil).isAfter(dayjs());

  const columns: DataColumn<User>[] = [
    {
      key: 'user',
      title: t('users.user'),
      hideOnCard: true,
      render: (u) => (
        <span>
          <Typography.Text strong>{u.displayName}</Typography.Text> <Typography.Text type="secondary">@{u.username}</Typography.Text>
          {u.status === 'disabled' ? <Tag style={{ marginInlineStart: 6 }}>{t('users.disabled')}</Tag> : null}
          {locked(u) ? (
            <Tag color="red" icon={<LockOutlined />} style={{ marginInlineStart: 6 }}>
              {t('users.locked')}
            </Tag>
          ) : null}
        </span>
      ),
    },
    { key: 'roles', title: t('users.roles'), render: (u) => (u.roles.length > 0 ? u.roles.map((r) => <Tag key={r.id} color="blue">{r.name}</Tag>) : '—') },
    { key: 'org', title: t('users.orgUnit'), render: (u) => dash(u.orgUnitName) },
    { key: 'phone', title: t('users.phone'), render: (u) => dash(u.phone) },
    { key: 'lastLogin', title: t('users.lastLogin'), render: (u) => formatTime(u.lastLoginAt) },
  ];

  const actions = (u: User) => (
    <>
      <Button icon={<TeamOutlined />} onClick={() => setDialog({ kind: 'roles', user: u })}>
        {t('users.assignRoles')}
      </Button>
      <Button icon={<LockOutlined />} onClick={() => setDialog({ kind: 'password', user: u })}>
        {t('users.resetPassword')}
      </Button>
      {locked(u) ? (
        <Button icon={<UnlockOutlined />} onClick={() => unlock.mutate(u.id, { onError: (e) => onError(e) })} loading={unlock.isPending}>
          {t('users.unlock')}
        </Button>
      ) : null}
      {u.id === me.id ? null : (
        <Popconfirm
          title={u.status === 'active' ? t('users.disableConfirm', { name: u.displayName }) : t('users.enableConfirm', { name: u.displayName })}
          onConfirm={() => update.mutate({ id: u.id, status: u.status === 'active' ? 'disabled' : 'active', version: u.version }, { onError: (e) => onError(e, { onReload: () => void users.refetch() }) })}
        >
          <Button danger={u.status === 'active'} icon={u.status === 'active' ? <StopOutlined /> : <CheckCircleOutlined />}>
            {u.status === 'active' ? t('users.disable') : t('users.enable')}
          </Button>
        </Popconfirm>
      )}
    </>
  );

  return (
    <div data-testid="users-page">
      <PageHeader
        title={t('users.title')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ kind: 'create' })} data-testid="user-new">
            {t('users.new')}
          </Button>
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Input.Search allowClear enterButton placeholder={t('users.searchPlaceholder')} onSearch={(v) => setQ(v.trim())} style={{ maxWidth: 420 }} />
      </Card>
      {users.isError ? (
        <QueryError error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <DataView
          testId="users-list"
          rows={rows}
          rowKey={(u) => u.id}
          columns={columns}
          loading={users.isLoading}
          cardTitle={(u) => columns[0]?.render(u)}
          actions={actions}
          hasMore={users.hasNextPage}
          loadingMore={users.isFetchingNextPage}
          onLoadMore={() => void users.fetchNextPage()}
        />
      )}
      <AssignRolesModal user={dialog?.kind === 'roles' ? dialog.user : null} onClose={() => setDialog(null)} />
      <ResetPasswordModal user={dialog?.kind === 'password' ? dialog.user : null} onClose={() => setDialog(null)} />
      <CreateUserDrawer open={dialog?.kind === 'create'} onClose={() => setDialog(null)} />
    </div>
  );
}
