import { DeleteOutlined, EyeOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Popconfirm, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { DataView, type DataColumn } from '../../shared/DataView.tsx';
import { useDataScopeLabel } from '../../shared/labels.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useDeleteRole, useRoles, type Role } from './api.ts';
import { RoleDrawer } from './RoleDrawer.tsx';
import { useRoleName } from './useRoleName.ts';

export function RolesPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const roles = useRoles();
  const del = useDeleteRole();
  const onError = useApiError();
  const scopeLabel = useDataScopeLabel();
  const roleName = useRoleName();
  const [open, setOpen] = useState<Role | 'new' | null>(null);
  const writable = can('roles:write');

  const columns: DataColumn<Role>[] = [
    {
      key: 'name',
      title: t('roles.name'),
      hideOnCard: true,
      render: (r) => (
        <span>
          <Typography.Text strong>{roleName(r)}</Typography.Text>
          {r.builtin ? <Tag style={{ marginInlineStart: 6 }}>{t('roles.builtin')}</Tag> : <Tag color="purple" style={{ marginInlineStart: 6 }}>{t('roles.custom')}</Tag>}
        </span>
      ),
    },
    { key: 'code', title: t('roles.code'), render: (r) => <Typography.Text code>{r.code}</Typography.Text> },
    { key: 'scope', title: t('roles.dataScope'), render: (r) => scopeLabel(r.dataScope) },
    { key: 'perms', title: t('roles.permissions'), render: (r) => (r.permissions.includes('*') ? t('roles.allPermissions') : t('roles.permissionCount', { count: r.permissions.length })) },
    { key: 'users', title: t('roles.userCount'), render: (r) => r.userCount },
  ];

  if (roles.isError) return <QueryError error={roles.error} onRetry={() => void roles.refetch()} />;
  return (
    <div data-testid="roles-page">
      <PageHeader
        title={t('roles.title')}
        sub={t('roles.subtitle')}
        extra={
          writable ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen('new')} data-testid="role-new">
              {t('roles.new')}
            </Button>
          ) : null
        }
      />
      <DataView
        testId="roles-list"
        rows={roles.data ?? []}
        rowKey={(r) => r.id}
        columns={columns}
        loading={roles.isLoading}
        cardTitle={(r) => columns[0]?.render(r)}
        actions={(r) => (
          <>
            <Button icon={writable && !r.builtin ? <EditOutlined /> : <EyeOutlined />} onClick={() => setOpen(r)} data-testid="role-open">
              {writable && !r.builtin ? t('common.edit') : t('common.view')}
            </Button>
            {writable && !r.builtin ? (
              <Popconfirm title={t('roles.deleteConfirm', { name: roleName(r) })} onConfirm={() => del.mutate(r.id, { onError: (e) => onError(e) })} disabled={r.userCount > 0}>
                <Button danger icon={<DeleteOutlined />} disabled={r.userCount > 0} title={r.userCount > 0 ? t('roles.deleteHasUsers') : undefined}>
                  {t('common.delete')}
                </Button>
              </Popconfirm>
            ) : null}
          </>
        )}
      />
      <RoleDrawer role={open} onClose={() => setOpen(null)} />
    </div>
  );
}
