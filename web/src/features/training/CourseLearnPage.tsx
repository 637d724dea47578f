import { Alert, Button, Card, Flex, Progress, Segmented, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { fileUrl, useCourse, useHeartbeat } from './planApi.ts';

/** Clients beat every 30 s (the server credits at most the wall time between beats). */
const BEAT_MS = 30_000;

/**
 * Learning a course on a phone or a desk: the materials one at a time and the progress toward the required
 * minutes. While the page is visible it sends a heartbeat every 30 s; a hidden tab sends nothing, so time in
 * the background is not claimed (the server would not credit it anyway).
 */
export function CourseLearnPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const course = useCourse(id);
  const beat = useHeartbeat(id ?? '');
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  const [index, setIndex] = useState(0);
  const last = useRef(Date.now());
  const c = course.data;
  const done = Boolean(c?.progress?.completedAt);
  const send = useRef(beat.mutate);
  send.current = beat.mutate;

  useEffect(() => {
    const onVis = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onVis);
    return () => document.removeEventListener('visibilitychange', onVis);
  }, []);

  useEffect(() => {
    if (!c || !c.active || done || !visible) return;
    // The first beat starts the server's clock; later ones report the seconds since the previous one.
    last.current = Date.now();
    send.current(0);
    const timer = window.setInterval(() => {
      const now = Date.now();
      const seconds = Math.round((now - last.current) / 1000);
      last.current = now;
      send.current(seconds);
    }, BEAT_MS);
    return () => window.clearInterval(timer);
  }, [c?.id, c?.active, done, visible]);

  if (course.error) return <QueryError error={course.error} onRetry={() => void course.refetch()} />;
  if (!c) return <Card loading />;
  const m = c.materials[Math.min(index, c.materials.length - 1)];
  const minutes = Math.floor((c.progress?.secondsCredited ?? 0) / 60);
  return (
    <>
      <PageHeader title={c.title} sub={<Link to="/training/courses">{t('training.courses.back')}</Link>} />
      <Card size="small" style={{ marginBottom: 12 }} data-testid="learn-progress">
        <Flex gap={8} wrap align="center" style={{ marginBottom: 4 }}>
          <Tag>{c.category}</Tag>
          <Tag color="blue">
            {c.creditHours} {t('training.courses.creditHours')}
          </Tag>
          <Typography.Text type="secondary">{t('training.courses.progress', { minutes, required: c.requiredMinutes })}</Typography.Text>
        </Flex>
        <Progress percent={c.progress?.percent ?? 0} status={done ? 'success' : 'active'} />
        {done ? (
          <Alert type="success" showIcon title={t('training.courses.done', { hours: c.creditHours })} data-testid="learn-done" />
        ) : (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {visible ? t('training.courses.learning') : t('training.courses.paused')}
          </Typography.Text>
        )}
      </Card>
      {c.materials.length > 1 ? (
        <Segmented block style={{ marginBottom: 12 }} value={index} onChange={(v) => setIndex(Number(v))} options={c.materials.map((x, i) => ({ value: i, label: x.title }))} />
      ) : null}
      {m ? (
        <Card size="small" title={`${t(`training.courses.materialKind.${m.kind}`)} · ${m.title}`} data-testid="learn-material">
          {m.kind === 'text' ? <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', fontSize: 16, lineHeight: 1.8 }}>{m.text}</Typography.Paragraph> : null}
          {m.kind === 'video' && m.fileId ? <video src={fileUrl(m.fileId)} controls playsInline style={{ width: '100%', maxHeight: 420, background: '#000' }} /> : null}
          {(m.kind === 'pdf' || m.kind === 'slides') && m.fileId ? (
            <>
              <iframe title={m.title} src={fileUrl(m.fileId)} style={{ width: '100%', height: 480, border: 0 }} />
              <Button href={fileUrl(m.fileId)} target="_blank" rel="noreferrer">
                {t('training.courses.open')}
              </Button>
            </>
          ) : null}
        </Card>
      ) : null}
    </>
  );
}
