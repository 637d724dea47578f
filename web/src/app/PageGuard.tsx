import { Button, Result } from 'antd';
import { Component, Suspense, type ErrorInfo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Forbidden } from '../shared/Forbidden.tsx';
import { PageSpinner } from './PageSpinner.tsx';
import { useCan } from './session.ts';

/** A page the user may not open shows 403; a page that throws shows an error, not a white screen. */
export function PageGuard({ anyOf, children }: { anyOf: readonly string[] | null; children: ReactNode }) {
  const { canAny } = useCan();
  if (!canAny(anyOf)) return <Forbidden />;
  return (
    <PageErrorBoundary>
      <Suspense fallback={<PageSpinner />}>{children}</Suspense>
    </PageErrorBoundary>
  );
}

// React offers error boundaries only as class components.
class PageErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('page crashed', error, info.componentStack);
  }

  override render() {
    if (this.state.error) return <PageCrashed error={this.state.error} />;
    return this.props.children;
  }
}

function PageCrashed({ error }: { error: Error }) {
  const { t } = useTranslation();
  // A chunk that fails to load after a new deployment is fixed by loading the new index.html.
  return (
    <Result
      status="error"
      title={t('errors.pageCrashed')}
      subTitle={error.message}
      extra={
        <Button type="primary" onClick={() => window.location.reload()}>
          {t('common.reload')}
        </Button>
      }
    />
  );
}
