import { Image, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { apiUrl } from '../../api/client.ts';
import { formatTime } from '../../shared/format.ts';
import type { HistoryEntry } from './types.ts';

const colours: Record<string, string> = { approved: 'green', rejected: 'red', sent_back: 'orange', withdrawn: 'gray', escalated: 'orange', transferred: 'purple', commented: 'gray', finished: 'blue' };

// Engine bookkeeping that says nothing a person did; the timeline shows who did what when.
const hidden = new Set(['node_entered', 'branch']);

/** Who did what when on one approval: decisions with comment and signature, on whose behalf. */
export function HistoryTimeline({ history, applicantName }: { history: readonly HistoryEntry[]; applicantName: string | null }) {
  const { t, i18n } = useTranslation();
  // An action a newer engine adds shows by its code until it gets a label.
  const label = (action: string) => {
    const key = `workflow.actions.${action}`;
    return i18n.exists(key) ? t(key as 'workflow.actions.started') : action;
  };
  const items = history
    .filter((h) => !hidden.has(h.action))
    .map((h) => ({
      key: h.id,
      color: colours[h.action] ?? 'blue',
      content: (
        <div data-testid={`timeline-${h.action}`}>
          <Typography.Text strong>
            {label(h.action)}
            {h.action === 'finished' && typeof h.data.outcome === 'string' && i18n.exists(`workflow.status.${h.data.outcome}`) ? ` · ${t(`workflow.status.${h.data.outcome}` as 'workflow.status.approved')}` : ''}
          </Typography.Text>
          {h.nodeName ? <Typography.Text type="secondary"> · {h.nodeName}</Typography.Text> : null}
          <div>
            {/* A module may start the flow as the system on the applicant's behalf; the applicant is who asked. */}
            {(h.action === 'started' ? applicantName : null) ?? h.actorName ?? '—'}
            {h.onBehalfOfName ? t('workflow.instance.onBehalf', { name: h.onBehalfOfName }) : ''}
            <Typography.Text type="secondary"> · {formatTime(h.at)}</Typography.Text>
          </div>
          {h.comment ? <div style={{ whiteSpace: 'pre-wrap' }}>{h.comment}</div> : null}
          {h.signatureFileId ? (
            <div>
              <Image src={apiUrl(`/files/${h.signatureFileId}`)} alt={t('workflow.instance.signature')} height={48} style={{ border: '1px solid #f0f0f0', background: '#fff' }} data-testid="timeline-signature" />
            </div>
          ) : null}
        </div>
      ),
    }));
  return <Timeline items={items} data-testid="instance-timeline" />;
}
