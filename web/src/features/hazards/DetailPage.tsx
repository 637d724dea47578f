import { ArrowLeftOutlined, EnvironmentOutlined, PrinterOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Descriptions, Empty, Flex, Image, Row, Spin, Tag, Timeline, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { useCan } from '../../app/session.ts';
import { dash, formatTime, fromNow } from '../../shared/format.ts';
import { QueryError } from '../../shared/QueryError.tsx';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { dictLabel, hazardNoticePdfUrl, useHazard, useHazardConfig, type FileRef, type HazardDetail, type HazardLevel } from './api.ts';
import { ActionPanel } from './ActionPanel.tsx';
import { LevelTag, OverdueTag, StatusTag, useLevelLabel, useStatusLabel, useTimelineLabel } from './labels.tsx';

/** One hazard: everything about it, its photos before and after, every step, and what I may do now. */
export function DetailPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const isPhone = useIsPhone();
  const navigate = useNavigate();
  const { can } = useCan();
  const q = useHazard(id);
  if (q.isError) return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <Spin style={{ display: 'block', margin: '48px auto' }} />;
  const h = q.data;
  // The safety office prints (and on the first print issues) the notice of an open finding; once one was
  // issued, anyone who reads the hazard may print it again.
  const hasNotice = h.timeline.some((s) => s.action === 'notice_issued');
  const canPrintNotice = hasNotice || (can('hazard:triage') && h.status !== 'closed' && h.status !== 'rejected');
  const actions = (
    <Card size="small" title={t('hazards.detail.actions')} data-testid="hazard-actions-card">
      <ActionPanel hazard={h} onReload={() => void q.refetch()} />
    </Card>
  );
  return (
    <div data-testid="hazard-detail-page" data-hazard-id={h.id} data-status={h.status} data-version={h.version}>
      <Flex align="center" gap={8} style={{ marginBottom: 12 }}>
        <Button icon={<ArrowLeftOutlined />} aria-label={t('hazards.detail.back')} onClick={() => void navigate(-1)} />
        <div style={{ minWidth: 0, flex: 1 }}>
          <Typography.Text type="secondary" data-testid="hazard-number">
            {h.number}
          </Typography.Text>
          <Typography.Title level={isPhone ? 4 : 3} style={{ margin: 0, overflowWrap: 'anywhere' }} data-testid="page-title">
            {h.title}
          </Typography.Title>
        </div>
      </Flex>
      <Flex wrap gap={6} style={{ marginBottom: 12 }}>
        <StatusTag status={h.status} />
        <LevelTag level={h.level} label={h.levelLabel} />
        <Tag>{h.categoryLabel}</Tag>
        <OverdueTag show={h.respondOverdue || h.rectifyOverdue} />
        {h.fixOnSpot ? <Tag color="cyan">{t('hazards.fixOnSpot')}</Tag> : null}
        {h.reworkCount > 0 ? <Tag color="volcano">{t('hazards.detail.rework', { n: h.reworkCount })}</Tag> : null}
        {h.escalationLevel > 0 ? <Tag color="magenta">{t('hazards.detail.escalated', { n: h.escalationLevel })}</Tag> : null}
      </Flex>
      {canPrintNotice ? (
        <Flex wrap gap={8} style={{ marginBottom: 12 }}>
          {/* A new tab: the browser's PDF viewer prints it. The first print may issue the notice, so the timeline is
              refetched when the user comes back (queries do not refetch on focus by themselves). */}
          <Button
            icon={<PrinterOutlined />}
            href={hazardNoticePdfUrl(h.id)}
            target="_blank"
            rel="noopener"
            onClick={() => window.addEventListener('focus', () => void q.refetch(), { once: true })}
            data-testid="hazard-notice-pdf"
          >
            {t('hazards.notice.print')}
          </Button>
        </Flex>
      ) : null}
      <Notices h={h} />
      <Row gutter={[16, 16]}>
        {/* On a phone the next step comes first, where the thumb is; with nothing to do it is left out. */}
        {isPhone && h.actions.length > 0 ? <Col xs={24}>{actions}</Col> : null}
        <Col xs={24} lg={16}>
          <Flex vertical gap={16}>
            <Card size="small" title={t('hazards.detail.photos')}>
              <Photos title={t('hazards.detail.before')} files={h.photos} testId="hazard-photos" />
              {h.afterPhotos.length > 0 ? <Photos title={t('hazards.detail.after')} files={h.afterPhotos} testId="hazard-after-photos" /> : null}
              {h.video ? <video src={h.video.url} controls style={{ width: '100%', maxHeight: 320, marginTop: 8 }} /> : null}
              {h.voice ? <audio src={h.voice.url} controls style={{ width: '100%', marginTop: 8 }} /> : null}
            </Card>
            <Card size="small" title={t('hazards.detail.info')}>
              <Descriptions column={{ xs: 1, md: 2 }} size="small">
                <Descriptions.Item label={t('hazards.fields.area')}>{dash(h.areaName)}</Descriptions.Item>
                <Descriptions.Item label={t('hazards.fields.department')}>{dash(h.departmentName)}</Descriptions.Item>
                <Descriptions.Item label={t('hazards.fields.reporter')}>{h.anonymous ? t('hazards.anonymous') : dash(h.reporterName)}</Descriptions.Item>
                <Descriptions.Item label={t('hazards.fields.reportedAt')}>{formatTime(h.reportedAt)}</Descriptions.Item>
                <Descriptions.Item label={t('hazards.fields.assignee')}>
                  <span data-testid="hazard-assignee" data-user-id={h.assigneeUserId ?? ''}>
                    {dash(h.assigneeName)}
                    {h.assigneeUnitName ? ` · ${h.assigneeUnitName}` : ''}
                  </span>
                </Descriptions.Item>
                <Descriptions.Item label={t('hazards.fields.verifier')}>
                  <span data-testid="hazard-verifier" data-user-id={h.verifierUserId ?? ''}>
                    {h.verifierName ?? t('hazards.detail.anyVerifier')}
                  </span>
                </Descriptions.Item>
                <Descriptions.Item label={t('hazards.fields.source')}>{dash(h.sourceLabel)}</Descriptions.Item>
                {h.alarmId ? (
                  <Descriptions.Item label={t('hazards.fields.alarm')}>
                    {/* The evidence of a hazard opened from an alarm: its readings and timeline in the console. */}
                    <Link to={`/iot/monitor?alarm=${h.alarmId}`} data-testid="hazard-alarm-link">
                      {t('hazards.fields.alarmLink')}
                    </Link>
                  </Descriptions.Item>
                ) : null}
                {h.location ? (
                  <Descriptions.Item label={t('hazards.fields.location')}>
                    <a href={`geo:${h.location.lat},${h.location.lng}`}>
                      <EnvironmentOutlined /> {h.location.lat.toFixed(5)}, {h.location.lng.toFixed(5)}
                    </a>
                    {h.location.accuracy ? ` ±${Math.round(h.location.accuracy)} m` : ''}
                  </Descriptions.Item>
                ) : null}
              </Descriptions>
              <Field label={t('hazards.fields.description')} value={h.description} />
              <Field label={t('hazards.fields.suggestedFix')} value={h.suggestedFix} />
              <Field label={t('hazards.fields.rectifyNotes')} value={h.rectifyNotes} />
              {h.rejectReason ? <Field label={t('hazards.fields.rejectReason')} value={h.rejectReason} /> : null}
            </Card>
            {h.plan ? (
              <Card size="small" title={t('hazards.plan.title')} data-testid="hazard-plan">
                <Descriptions column={1} size="small">
                  <Descriptions.Item label={t('hazards.plan.measures')}>{h.plan.measures}</Descriptions.Item>
                  <Descriptions.Item label={t('hazards.fields.funds')}>{t('hazards.yuan', { n: h.plan.fundsYuan })}</Descriptions.Item>
                  <Descriptions.Item label={t('hazards.plan.deadline')}>{formatTime(h.plan.deadline)}</Descriptions.Item>
                  <Descriptions.Item label={t('hazards.plan.responsible')}>{dash(h.plan.responsiblePersonName)}</Descriptions.Item>
                  <Descriptions.Item label={t('hazards.plan.interim')}>{h.plan.interimMeasures}</Descriptions.Item>
                </Descriptions>
              </Card>
            ) : null}
            {h.treatmentPlan || h.signoffRequirements.length > 0 ? <MajorCard h={h} /> : null}
            <Card size="small" title={t('hazards.detail.timeline')}>
              <HazardTimeline h={h} />
            </Card>
          </Flex>
        </Col>
        <Col xs={24} lg={8}>
          <Flex vertical gap={16}>
            {isPhone ? null : actions}
            <Card size="small" title={t('hazards.detail.deadlines')} data-testid="hazard-deadlines">
              <Descriptions column={1} size="small">
                <Descriptions.Item label={t('hazards.fields.respondDue')}>
                  <Due at={h.respondDueAt} overdue={h.respondOverdue} done={h.respondedAt} />
                </Descriptions.Item>
                <Descriptions.Item label={t('hazards.fields.rectifyDue')}>
                  <Due at={h.rectifyDueAt} overdue={h.rectifyOverdue} done={h.submittedAt} />
                </Descriptions.Item>
                {h.closedAt ? (
                  <Descriptions.Item label={t('hazards.fields.closedAt')}>
                    {formatTime(h.closedAt)} {h.closedOnTime === false ? <Tag color="red">{t('hazards.detail.late')}</Tag> : h.closedOnTime ? <Tag color="green">{t('hazards.detail.onTime')}</Tag> : null}
                  </Descriptions.Item>
                ) : null}
              </Descriptions>
            </Card>
            {h.extensions.length > 0 ? (
              <Card size="small" title={t('hazards.detail.extensions')}>
                <Flex vertical gap={8}>
                  {h.extensions.map((e) => (
                    <div key={e.id}>
                      <Tag color={e.status === 'approved' ? 'green' : e.status === 'refused' ? 'red' : 'gold'}>{t(`hazards.extension.${e.status}`)}</Tag>
                      {formatTime(e.newDueAt)} · {e.requestedByName ?? '—'}
                      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
                        {e.reason}
                        {e.decisionComment ? ` — ${e.decisionComment}` : ''}
                      </Typography.Paragraph>
                    </div>
                  ))}
                </Flex>
              </Card>
            ) : null}
            {h.points.length > 0 ? (
              <Card size="small" title={t('hazards.detail.points')}>
                {h.points.map((p, i) => (
                  <div key={i}>
                    {t(`hazards.pointReason.${p.reason}`, { defaultValue: p.reason })}: {p.points > 0 ? `+${p.points}` : p.points}
                  </div>
                ))}
              </Card>
            ) : null}
          </Flex>
        </Col>
      </Row>
    </div>
  );
}

function Notices({ h }: { h: HazardDetail }) {
  const { t } = useTranslation();
  const out: ReactNode[] = [];
  if (h.possibleDuplicateOf && h.status !== 'rejected')
    out.push(
      <Alert
        key="dup"
        type="warning"
        showIcon
        title={t('hazards.report.duplicateTitle')}
        description={
          <span>
            {t('hazards.report.duplicateText')} <Link to={`/hazards/${h.possibleDuplicateOf}`}>{h.possibleDuplicateNumber ?? '…'}</Link>
          </span>
        }
      />,
    );
  if (h.mergedIntoId)
    out.push(
      <Alert
        key="merged"
        type="info"
        showIcon
        title={
          <span>
            {t('hazards.detail.mergedInto')} <Link to={`/hazards/${h.mergedIntoId}`}>{h.mergedIntoNumber ?? '…'}</Link>
          </span>
        }
      />,
    );
  if (h.blockers.length > 0) out.push(<Alert key="blk" type="warning" showIcon title={t('hazards.detail.blockers')} description={<ul style={{ margin: 0, paddingInlineStart: 18 }}>{h.blockers.map((b) => <li key={b}>{b}</li>)}</ul>} />);
  if (h.reportToAuthority && !h.reportedToAuthorityAt) out.push(<Alert key="auth" type="error" showIcon title={t('hazards.detail.authorityDue')} />);
  if (out.length === 0) return null;
  return (
    <Flex vertical gap={8} style={{ marginBottom: 16 }}>
      {out}
    </Flex>
  );
}

function Field({ label, value }: { label: string; value: string | null }) {
  if (!value) return null;
  return (
    <div style={{ marginTop: 8 }}>
      <Typography.Text type="secondary">{label}</Typography.Text>
      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{value}</Typography.Paragraph>
    </div>
  );
}

function Due({ at, overdue, done }: { at: string | null; overdue: boolean; done: string | null }) {
  const { t } = useTranslation();
  if (!at) return <>—</>;
  return (
    <span>
      {formatTime(at)}{' '}
      {done ? (
        <Tag color="green">{t('hazards.detail.done')}</Tag>
      ) : overdue ? (
        <Tag color="red">{t('hazards.overdue')}</Tag>
      ) : (
        <Typography.Text type="secondary">({fromNow(at)})</Typography.Text>
      )}
    </span>
  );
}

/** Thumbnails; a tap opens the full picture (swipe through the group). */
export function Photos({ title, files, testId }: { title?: string; files: FileRef[]; testId?: string }) {
  const { t } = useTranslation();
  if (files.length === 0) return title ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('hazards.detail.noPhotos')} /> : null;
  return (
    <div style={{ marginBottom: 8 }} data-testid={testId}>
      {title ? (
        <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 6 }}>
          {title}
        </Typography.Text>
      ) : null}
      <Image.PreviewGroup>
        <Flex wrap gap={8}>
          {files
            .filter((f) => f.kind === 'image')
            .map((f) => (
              <Image key={f.id} src={f.thumbUrl ?? f.url} preview={{ src: f.url }} width={88} height={88} style={{ objectFit: 'cover', borderRadius: 6 }} alt="" />
            ))}
        </Flex>
      </Image.PreviewGroup>
    </div>
  );
}

function HazardTimeline({ h }: { h: HazardDetail }) {
  const { t, i18n } = useTranslation();
  const label = useTimelineLabel();
  const status = useStatusLabel();
  const level = useLevelLabel();
  const config = useHazardConfig();
  /** "一般 → 较大 · 安全 → 设备" of a regrade step (only what changed). */
  const regrade = (d: Record<string, unknown>): string | null => {
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    const parts: string[] = [];
    const [fl, tl, fc, tc] = [str(d.fromLevel), str(d.toLevel), str(d.fromCategory), str(d.toCategory)];
    if (fl && tl && fl !== tl) parts.push(`${level(fl as HazardLevel)} → ${level(tl as HazardLevel)}`);
    if (fc && tc && fc !== tc) parts.push(`${dictLabel(config.data?.categories, fc, i18n.language)} → ${dictLabel(config.data?.categories, tc, i18n.language)}`);
    return parts.length ? parts.join(' · ') : null;
  };
  const color = (a: string) => (['rejected', 'failed', 'overdue', 'escalated'].includes(a) ? 'red' : a === 'passed' ? 'green' : 'blue');
  return (
    <Timeline
      data-testid="hazard-timeline"
      items={h.timeline.map((s) => {
        const assignee = typeof s.data.assigneeName === 'string' ? s.data.assigneeName : null;
        const noticeNumber = typeof s.data.noticeNumber === 'string' ? s.data.noticeNumber : null;
        return {
          key: s.id,
          color: color(s.action),
          content: (
            <div data-testid="timeline-step" data-action={s.action}>
              <Typography.Text strong>{label(s.action)}</Typography.Text>
              {s.toStatus && s.fromStatus !== s.toStatus ? <Typography.Text type="secondary"> → {status(s.toStatus)}</Typography.Text> : null}
              <div>
                <Typography.Text type="secondary">
                  {formatTime(s.at)} · {s.actorName ?? (s.actorUserId ? '—' : t('hazards.detail.system'))}
                </Typography.Text>
              </div>
              {assignee ? <div>{t('hazards.detail.toAssignee', { name: assignee })}</div> : null}
              {noticeNumber ? <div>{t('hazards.notice.number', { number: noticeNumber })}</div> : null}
              {s.action === 'regraded' && regrade(s.data) ? <div data-testid="timeline-regrade">{regrade(s.data)}</div> : null}
              {s.comment ? <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{s.comment}</Typography.Paragraph> : null}
              {s.photos.length > 0 ? <Photos files={s.photos} /> : null}
            </div>
          ),
        };
      })}
    />
  );
}

function MajorCard({ h }: { h: HazardDetail }) {
  const { t } = useTranslation();
  const p = h.treatmentPlan;
  return (
    <Card size="small" title={t('hazards.treatment.title')} data-testid="hazard-treatment">
      {p ? (
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t('hazards.treatment.goal')}>{p.goal}</Descriptions.Item>
          <Descriptions.Item label={t('hazards.treatment.methods')}>{p.methods}</Descriptions.Item>
          <Descriptions.Item label={t('hazards.fields.funds')}>{t('hazards.yuan', { n: p.fundsYuan })}</Descriptions.Item>
          <Descriptions.Item label={t('hazards.treatment.materials')}>{p.materials}</Descriptions.Item>
          <Descriptions.Item label={t('hazards.treatment.responsibleOrg')}>{p.responsibleOrg}</Descriptions.Item>
          <Descriptions.Item label={t('hazards.treatment.responsiblePeople')}>{p.responsiblePeople}</Descriptions.Item>
          <Descriptions.Item label={t('hazards.treatment.timeLimit')}>{formatTime(p.timeLimit)}</Descriptions.Item>
          <Descriptions.Item label={t('hazards.treatment.requirements')}>{p.requirements}</Descriptions.Item>
          <Descriptions.Item label={t('hazards.treatment.safetyMeasures')}>{p.safetyMeasures}</Descriptions.Item>
          <Descriptions.Item label={t('hazards.treatment.emergencyPlan')}>{p.emergencyPlan}</Descriptions.Item>
        </Descriptions>
      ) : (
        <Typography.Text type="secondary">{t('hazards.treatment.missing')}</Typography.Text>
      )}
      {h.signoffRequirements.length > 0 ? (
        <div style={{ marginTop: 12 }}>
          <Typography.Text strong>{t('hazards.treatment.signoffs', { v: h.treatmentPlanVersion })}</Typography.Text>
          <Flex vertical gap={4} style={{ marginTop: 6 }}>
            {h.signoffRequirements.map((r, i) => (
              <span key={i}>
                <Tag color={r.satisfied ? 'green' : 'default'}>{r.satisfied ? t('hazards.treatment.signed') : t('hazards.treatment.waiting')}</Tag>
                {r.label}
                {r.signedBy ? ` · ${r.signedBy}` : ''}
              </span>
            ))}
          </Flex>
        </div>
      ) : null}
      {h.reportToAuthority ? (
        <div style={{ marginTop: 12 }}>
          {h.reportedToAuthorityAt
            ? t('hazards.detail.authorityDone', { at: formatTime(h.reportedToAuthorityAt), ref: h.authorityReference ?? '—' })
            : t('hazards.detail.authorityDue')}
        </div>
      ) : null}
    </Card>
  );
}
