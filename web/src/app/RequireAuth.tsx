import { Button, Result } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { errorText, isApiError } from '../api/client.ts';
import { useMe } from '../features/auth/api.ts';
import { PageSpinner } from './PageSpinner.tsx';
import { SessionContext } from './session.ts';

/** Everything but the login page needs a session; without one we go to /login and come back after. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <PageSpinner full />;
  if (me.isError) {
    const detail = isApiError(me.error) && me.error.code !== 'network' ? errorText(me.error) : t('errors.network');
    return (
      <Result
        status="warning"
        title={t('errors.serverUnavailable')}
        subTitle={detail}
        extra={
          <Button type="primary" onClick={() => void me.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  }
  if (!me.data) {
    const next = location.pathname + location.search;
    // The fragment (a scanned label's `#area=…` or checkpoint code) stays a fragment of the login URL: inside
    // `?next=` it would reach the server (and its logs) on a reload of the login page.
    return <Navigate to={{ pathname: '/login', search: next === '/' ? '' : `?next=${encodeURIComponent(next)}`, hash: location.hash }} replace />;
  }
  return <SessionContext value={me.data}>{children}</SessionContext>;
}
