import { App } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client.ts';
import { useApiError } from '../../shared/useApiError.ts';

/**
 * Shows a refused permit action by its rule in the user's language (with the server's detail, e.g. each
 * worker's certificate reasons), anything else as every page does.
 */
export function usePermitError(): (err: unknown) => void {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const fallback = useApiError();
  return useCallback(
    (err: unknown) => {
      if (isApiError(err) && err.code === 'permit_refused' && typeof err.problem.rule === 'string') {
        const rule = err.problem.rule as keyof ReturnType<typeof ruleKeys>;
        const workers = Array.isArray(err.problem.workers) ? (err.problem.workers as { reasons: { detail: string }[] }[]).flatMap((w) => w.reasons.map((r) => r.detail)) : [];
        const text = ruleKeys()[rule] ? t(`permits.rule.${rule}`) : err.title;
        message.error(`${text}${workers.length ? `：${workers.join('；')}` : `（${err.detail}）`}`, 8);
        return;
      }
      fallback(err);
    },
    [t, message, fallback],
  );
}

const ruleKeys = () => ({
  gas_test_missing: 1,
  gas_test_failed: 1,
  gas_test_stale: 1,
  gas_retest_required: 1,
  measure_unconfirmed: 1,
  worker_not_qualified: 1,
  guardian_overloaded: 1,
  qr_mismatch: 1,
  not_started: 1,
  validity_ended: 1,
  extension_not_allowed: 1,
  site_not_clean: 1,
  fire_watch_pending: 1,
});
