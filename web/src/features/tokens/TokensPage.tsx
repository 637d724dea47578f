import { PlusOutlined, StopOutlined } from '@ant-design/icons';
import { Button, Popconfirm, Radio, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { DataView, type DataColumn } from '../../shared/DataView.tsx';
import { dash, formatTime } from '../../shared/format.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useRevokeToken, useTokens, type Token } from './api.ts';
import { CreateTokenModal } from './CreateTokenModal.tsx';

type TokenState = 'active' | 'revoked' | 'expired';

function stateOf(tk: Token): TokenState {
  if (tk.revokedAt) return 'revoked';
  if (tk.expiresAt && dayjs(tk.expiresAt).isBefore(dayjs())) return 'expired';
  return 'active';
}

/** Personal API tokens for integrations; token managers may see and revoke everyone's. */
export function TokensPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const manager = can('tokens:manage');
  const [all, setAll] = useState(false);
  const [creating, setCreating] = useState(false);
  const tokens = useTokens(manager && all);
  const revoke = useRevokeToken();
  const onError = useApiError();
  const canCreate = can('tokens:own') || manager;

  const stateTag = (s: TokenState) => <Tag color={s === 'active' ? 'green' : s === 'revoked' ? 'red' : 'default'}>{t(`tokens.state.${s}`)}</Tag>;
  const columns: DataColumn<Token>[] = [
    {
      key: 'name',
      title: t('tokens.name'),
      hideOnCard: true,
      render: (tk) => (
        <span>
          <Typography.Text strong>{tk.name}</Typography.Text> {stateTag(stateOf(tk))}
        </span>
      ),
    },
    { key: 'prefix', title: t('tokens.prefix'), render: (tk) => <Typography.Text code>{tk.prefix}…</Typography.Text> },
    { key: 'scopes', title: t('tokens.scopes'), render: (tk) => tk.scopes.map((s) => <Tag key={s}>{s}</Tag>) },
    ...(manager && all ? [{ key: 'user', title: t('tokens.owner'), render: (tk: Token) => dash(tk.userName) }] : []),
    { key: 'created', title: t('tokens.createdAt'), render: (tk) => formatTime(tk.createdAt) },
    { key: 'expires', title: t('tokens.expiresAt'), render: (tk) => (tk.expiresAt ? formatTime(tk.expiresAt) : t('tokens.never')) },
    { key: 'used', title: t('tokens.lastUsedAt'), render: (tk) => formatTime(tk.lastUsedAt) },
  ];

  return (
    <div data-testid="tokens-page">
      <PageHeader
        title={t('tokens.title')}
        sub={t('tokens.subtitle')}
        extra={
          <>
            {manager ? (
              <Radio.Group
                optionType="button"
                value={all ? 'all' : 'mine'}
                onChange={(e) => setAll(e.target.value === 'all')}
                options={[
                  { value: 'mine', label: t('tokens.mine') },
                  { value: 'all', label: t('tokens.showAll') },
                ]}
                data-testid="tokens-all"
              />
            ) : null}
            {canCreate ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="token-new">
                {t('tokens.new')}
              </Button>
            ) : null}
          </>
        }
      />
      {tokens.isError ? (
        <QueryError error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : (
        <DataView
          testId="tokens-list"
          rows={tokens.data ?? []}
          rowKey={(tk) => tk.id}
          columns={columns}
          loading={tokens.isLoading}
          cardTitle={(tk) => columns[0]?.render(tk)}
          actions={(tk) =>
            stateOf(tk) === 'active' ? (
              <Popconfirm title={t('tokens.revokeConfirm', { name: tk.name })} onConfirm={() => revoke.mutate(tk.id, { onError: (e) => onError(e) })}>
                <Button danger icon={<StopOutlined />} data-testid="token-revoke">
                  {t('tokens.revoke')}
                </Button>
              </Popconfirm>
            ) : null
          }
        />
      )}
      <CreateTokenModal open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}
