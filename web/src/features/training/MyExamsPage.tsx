import { App, Button, Card, Empty, Flex, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { isApiError } from '../../api/client.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useMyExams, useStartAttempt, type MyExam } from './examApi.ts';

/** The exams a worker can take, on a phone first: one card per exam with attempts left and best score. */
export function MyExamsPage() {
  const { t } = useTranslation();
  const exams = useMyExams();
  const items = exams.data?.items ?? [];
  return (
    <>
      <PageHeader title={t('training.exams.title')} />
      {exams.error ? <QueryError error={exams.error} onRetry={() => void exams.refetch()} /> : null}
      {exams.isSuccess && items.length === 0 ? <Empty description={t('training.exams.empty')} /> : null}
      <Flex vertical gap={12}>
        {items.map((e) => (
          <ExamCard key={e.id} exam={e} />
        ))}
      </Flex>
    </>
  );
}

function ExamCard({ exam: e }: { exam: MyExam }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { modal, message } = App.useApp();
  const start = useStartAttempt();
  const showError = useApiError();
  const left = e.attemptsAllowed - e.attemptsUsed;
  const begin = () =>
    modal.confirm({
      title: e.title,
      content: t('training.exams.confirmStart'),
      okText: t('training.exams.start'),
      onOk: () =>
        start.mutateAsync(e.id).then(
          (a) => navigate(`/training/attempts/${a.id}`),
          (err: unknown) => {
            const reason = isApiError(err) ? err.problem.reason : undefined;
            if (typeof reason === 'string' && ['attempt_active', 'retakes_exhausted', 'already_passed'].includes(reason)) void message.warning(t(`training.exams.refused.${reason as 'attempt_active'}`));
            else showError(err);
          },
        ),
    });
  return (
    <Card size="small" title={e.title} data-testid="exam-card" extra={e.passed ? <Tag color="green">{t('training.exams.passed')}</Tag> : null}>
      {e.description ? <Typography.Paragraph type="secondary">{e.description}</Typography.Paragraph> : null}
      <Flex wrap gap={8} style={{ marginBottom: 12 }}>
        <Tag>{t('training.exams.questions', { n: e.questionCount })}</Tag>
        <Tag>{t('training.exams.minutes', { n: e.timeLimitMinutes })}</Tag>
        <Tag>{t('training.exams.passMark', { n: e.passMark })}</Tag>
        <Tag>{t('training.exams.attempts', { used: e.attemptsUsed, allowed: e.attemptsAllowed })}</Tag>
        {e.bestScore !== null ? <Tag color={e.passed ? 'green' : 'red'}>{t('training.exams.best', { score: e.bestScore })}</Tag> : null}
      </Flex>
      {e.activeAttemptId ? (
        <Button type="primary" block onClick={() => navigate(`/training/attempts/${e.activeAttemptId}`)} data-testid="exam-resume">
          {t('training.exams.resume')}
        </Button>
      ) : e.passed ? null : left > 0 ? (
        <Button type="primary" block loading={start.isPending} onClick={begin} data-testid="exam-start">
          {e.attemptsUsed > 0 ? t('training.exams.retake') : t('training.exams.start')}
        </Button>
      ) : (
        <Typography.Text type="secondary">{t('training.exams.noMore')}</Typography.Text>
      )}
    </Card>
  );
}
