import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Button } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, isApiError } from '../../api/client.ts';
import { useVerifyAudit } from './api.ts';

/** Re-checks the hash chain on the server and says plainly whether the log was tampered with. */
export function VerifyChainButton({ onResult }: { onResult: (node: ReactNode) => void }) {
  const { t } = useTranslation();
  const verify = useVerifyAudit();
  const run = () =>
    verify.mutate(undefined, {
      onSuccess: (r) =>
        onResult(
          r.ok ? (
            <Alert type="success" showIcon title={t('audit.verifyOk', { count: r.checked, head: r.headSeq })} data-testid="audit-verify-result" data-ok="true" />
          ) : (
            <Alert
              type="error"
              showIcon
              title={t('audit.verifyFailed', { count: r.problems.length })}
              data-testid="audit-verify-result"
              data-ok="false"
              description={
                <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                  {r.problems.map((p, i) => (
                    <li key={i}>
                      {p.seq !== null ? `#${p.seq} ` : ''}
                      <strong>{p.problem}</strong> — {p.detail}
                    </li>
                  ))}
                </ul>
              }
            />
          ),
        ),
      onError: (e) => onResult(<Alert type="error" showIcon title={t('audit.verifyError')} description={isApiError(e) ? errorText(e) : String(e)} />),
    });
  return (
    <Button icon={<SafetyCertificateOutlined />} onClick={run} loading={verify.isPending} data-testid="audit-verify">
      {t('audit.verify')}
    </Button>
  );
}
