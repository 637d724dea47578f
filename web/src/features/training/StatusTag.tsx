import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Certificate, CertificateStatus } from './api.ts';

/** Colours a worker reads at a glance: green valid, orange expiring, red expired or overdue, grey revoked. */
const colours: Record<CertificateStatus, string> = { valid: 'green', expiring: 'orange', review_due: 'red', expired: 'red', revoked: 'default' };

export function CertificateStatusTag({ status }: { status: CertificateStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={colours[status]} data-testid={`cert-status-${status}`}>
      {t(`training.status.${status}`)}
    </Tag>
  );
}

/** Days to the last valid day: "19 d", or "3 d ago" in red once expired. */
export function DaysLeft({ cert }: { cert: Certificate }) {
  const { t } = useTranslation();
  if (cert.status === 'revoked') return <span>—</span>;
  if (cert.daysToExpiry < 0) return <span style={{ color: '#cf1322' }}>{t('training.daysOver', { count: -cert.daysToExpiry })}</span>;
  return <span style={cert.status === 'expiring' ? { color: '#d46b08' } : undefined}>{t('training.daysLeft', { count: cert.daysToExpiry })}</span>;
}

/** A certificate that no longer counts for work (flag it wherever its holder appears). */
export const lapsed = (c: Certificate) => c.status === 'expired' || c.status === 'review_due';
