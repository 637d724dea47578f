import { App, type FormInstance } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, isApiError } from '../api/client.ts';

export interface ApiErrorOptions {
  /** Put the server's field errors beside the fields of this form. */
  form?: FormInstance;
  /** What "reload" means after a 409 version_conflict (refetch the record, close the editor…). */
  onReload?: () => void;
}

/**
 * One way to show a failed call: field errors go next to their fields, a stale version gets a dialog that
 * says someone else changed the record and offers to reload, anything else the server's own message
 * (already in the user's language, from Accept-Language).
 */
export function useApiError(): (err: unknown, opts?: ApiErrorOptions) => void {
  const { message, modal } = App.useApp();
  const { t } = useTranslation();
  return useCallback(
    (err: unknown, opts?: ApiErrorOptions) => {
      if (!isApiError(err)) {
        message.error(err instanceof Error ? err.message : t('errors.generic'));
        return;
      }
      if (err.code === 'version_conflict') {
        modal.warning({
          title: t('errors.versionConflictTitle'),
          content: t('errors.versionConflict'),
          okText: t('common.reload'),
          onOk: opts?.onReload,
        });
        return;
      }
      if (err.code === 'network') {
        message.error(t('errors.network'));
        return;
      }
      const form = opts?.form;
      if (form && err.errors.length > 0) {
        const known = new Set(Object.keys(form.getFieldsValue() as Record<string, unknown>));
        const fields = err.errors
          .map((e) => ({ name: e.field.split('.')[0] ?? e.field, errors: [e.message] }))
          .filter((f) => known.has(f.name));
        if (fields.length > 0) form.setFields(fields);
      }
      message.error(errorText(err));
    },
    [message, modal, t],
  );
}
