import { Alert, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText, isApiError } from '../api/client.ts';
import { Forbidden } from './Forbidden.tsx';

/** A failed load: 403 becomes the forbidden page, anything else the server's message and a retry. */
export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (isApiError(error) && error.status === 403) return <Forbidden />;
  const detail = isApiError(error) ? (error.code === 'network' ? t('errors.network') : errorText(error)) : String(error);
  return (
    <Alert
      type="error"
      showIcon
      title={t('errors.loadFailed')}
      description={detail}
      action={
        onRetry ? (
          <Button onClick={onRetry} size="small">
            {t('common.retry')}
          </Button>
        ) : undefined
      }
    />
  );
}
