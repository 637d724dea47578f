import { App, Affix, Button, Card, Checkbox, Empty, Flex, Progress, Radio, Result, Spin, Switch, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { isApiError } from '../../api/client.ts';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useAttempt, useSaveAnswer, useSubmitAttempt, type Attempt } from './examApi.ts';

/**
 * Taking an exam on a phone: all questions in one scroll list with a sticky timer, each choice saved at
 * once; submit (or the end of the time) shows the score and the wrong-answer review. The countdown runs
 * on the server's clock (deadline − serverNow), so a phone with a wrong clock still counts right.
 */
export function ExamAttemptPage() {
  const { id } = useParams();
  const attempt = useAttempt(id);
  if (attempt.error) return <QueryError error={attempt.error} onRetry={() => void attempt.refetch()} />;
  if (!attempt.data) return <Spin />;
  return attempt.data.status === 'active' ? <TakeExam attempt={attempt.data} onClosed={() => void attempt.refetch()} /> : <ExamResult attempt={attempt.data} />;
}

const fmt = (ms: number) => {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

function TakeExam({ attempt: a, onClosed }: { attempt: Attempt; onClosed: () => void }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const showError = useApiError();
  const save = useSaveAnswer(a.id);
  const submit = useSubmitAttempt(a.id);
  const [answers, setAnswers] = useState<Record<string, string[]>>(() => Object.fromEntries(a.questions.map((q) => [q.questionId, q.chosen])));
  // Offset between this device's clock and the server's, fixed when the attempt was loaded.
  const skew = useMemo(() => Date.now() - new Date(a.serverNow).getTime(), [a.serverNow]);
  const deadline = new Date(a.deadlineAt).getTime() + skew;
  const [left, setLeft] = useState(deadline - Date.now());
  const submitted = useRef(false);
  const answered = a.questions.filter((q) => (answers[q.questionId] ?? []).length > 0).length;

  const closedByServer = useCallback(
    (err: unknown) => {
      const reason = isApiError(err) ? err.problem.reason : undefined;
      if (reason === 'deadline_passed' || reason === 'attempt_finished') {
        void message.info(t('training.exams.timeUp'));
        onClosed();
      } else showError(err);
    },
    [message, onClosed, showError, t],
  );

  const send = useCallback(() => {
    if (submitted.current) return;
    submitted.current = true;
    submit.mutateAsync(answers).catch((err: unknown) => {
      submitted.current = false;
      closedByServer(err);
    });
  }, [answers, closedByServer, submit]);

  useEffect(() => {
    const timer = setInterval(() => {
      const ms = deadline - Date.now();
      setLeft(ms);
      // Time is up: the server grades what it has; ask it for the result.
      if (ms <= 0) {
        clearInterval(timer);
        if (!submitted.current) send();
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [deadline, send]);

  const choose = (questionId: string, answer: string[]) => {
    setAnswers((prev) => ({ ...prev, [questionId]: answer }));
    save.mutateAsync({ questionId, answer }).catch(closedByServer);
  };

  const confirmSubmit = () =>
    modal.confirm({
      title: t('training.exams.confirmSubmit'),
      content: answered < a.questions.length ? t('training.exams.unanswered', { n: a.questions.length - answered }) : null,
      okText: t('training.exams.submit'),
      onOk: send,
    });

  return (
    <>
      <Affix offsetTop={0}>
        <Card size="small" style={{ marginBottom: 12 }}>
          <Flex justify="space-between" align="center" gap={8} wrap>
            <Typography.Text strong ellipsis style={{ maxWidth: '60%' }}>
              {a.examTitle}
            </Typography.Text>
            <Tag color={left < 60_000 ? 'red' : 'blue'} data-testid="exam-timer">
              {t('training.exams.remaining', { time: fmt(left) })}
            </Tag>
          </Flex>
          <Progress percent={Math.round((answered * 100) / Math.max(1, a.questions.length))} size="small" format={() => t('training.exams.answered', { n: answered, total: a.questions.length })} />
        </Card>
      </Affix>
      <Flex vertical gap={12}>
        {a.questions.map((q, i) => (
          <Card key={q.questionId} size="small" data-testid="question-card" data-qid={q.questionId}>
            <Typography.Paragraph style={{ marginBottom: 8 }}>
              <Tag>{t(`training.exams.kind.${q.kind}`)}</Tag>
              {i + 1}. {q.stem}
            </Typography.Paragraph>
            {q.kind === 'multiple' ? (
              <Checkbox.Group value={answers[q.questionId] ?? []} onChange={(v) => choose(q.questionId, v as string[])} style={{ width: '100%' }}>
                <Flex vertical gap={8}>
                  {q.options.map((o, k) => (
                    <Checkbox key={o.key} value={o.key} data-testid={`option-${o.key}`}>
                      {q.kind === 'multiple' ? `${String.fromCharCode(65 + k)}. ` : ''}
                      {o.text}
                    </Checkbox>
                  ))}
                </Flex>
              </Checkbox.Group>
            ) : (
              <Radio.Group value={answers[q.questionId]?.[0]} onChange={(e) => choose(q.questionId, [e.target.value as string])} style={{ width: '100%' }}>
                <Flex vertical gap={8}>
                  {q.options.map((o, k) => (
                    <Radio key={o.key} value={o.key} data-testid={`option-${o.key}`}>
                      {q.kind === 'single' ? `${String.fromCharCode(65 + k)}. ` : ''}
                      {o.text}
                    </Radio>
                  ))}
                </Flex>
              </Radio.Group>
            )}
          </Card>
        ))}
        <Button type="primary" size="large" block loading={submit.isPending} onClick={confirmSubmit} data-testid="exam-submit">
          {t('training.exams.submit')}
        </Button>
      </Flex>
    </>
  );
}

/** Letters as shown on this taker's paper (A, B, … in the shuffled order), or 对/错 for true/false. */
function shownAnswer(q: Attempt['questions'][number], keys: string[], none: string): string {
  if (keys.length === 0) return none;
  return q.options
    .map((o, k) => ({ o, label: q.kind === 'true_false' ? o.text : `${String.fromCharCode(65 + k)}. ${o.text}` }))
    .filter((x) => keys.includes(x.o.key))
    .map((x) => x.label)
    .join('；');
}

function ExamResult({ attempt: a }: { attempt: Attempt }) {
  const { t } = useTranslation();
  const [onlyWrong, setOnlyWrong] = useState(true);
  const r = a.result;
  const wrong = a.questions.filter((q) => q.correct === false);
  const shown = onlyWrong ? wrong : a.questions;
  return (
    <>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Result
          status={r?.passed ? 'success' : 'warning'}
          title={
            <span data-testid="exam-score">
              {t('training.exams.score', { score: r?.score ?? 0 })} · <span data-testid="exam-verdict">{r?.passed ? t('training.exams.pass') : t('training.exams.fail')}</span>
            </span>
          }
          subTitle={r ? t('training.exams.correctOf', { correct: r.correctCount, total: r.total, passMark: a.passMark }) : null}
          extra={<Link to="/training/exams">{t('training.exams.back')}</Link>}
          style={{ padding: 12 }}
        />
      </Card>
      <Flex justify="space-between" align="center" style={{ marginBottom: 8 }}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('training.exams.review')} ({wrong.length})
        </Typography.Title>
        <Flex gap={6} align="center">
          <Switch size="small" checked={onlyWrong} onChange={setOnlyWrong} data-testid="only-wrong" />
          <Typography.Text>{t('training.exams.onlyWrong')}</Typography.Text>
        </Flex>
      </Flex>
      {shown.length === 0 ? <Empty description={t('training.exams.noWrong')} /> : null}
      <Flex vertical gap={12}>
        {shown.map((q) => (
          <Card key={q.questionId} size="small" data-testid="review-item" style={q.correct ? undefined : { borderColor: '#ff4d4f' }}>
            <Typography.Paragraph style={{ marginBottom: 6 }}>
              <Tag color={q.correct ? 'green' : 'red'}>{t(`training.exams.kind.${q.kind}`)}</Tag>
              {q.stem}
            </Typography.Paragraph>
            {q.options.length > 0 && q.kind !== 'true_false' ? (
              <Typography.Paragraph type="secondary" style={{ marginBottom: 6 }}>
                {q.options.map((o, k) => `${String.fromCharCode(65 + k)}. ${o.text}`).join('　')}
              </Typography.Paragraph>
            ) : null}
            <Typography.Text type={q.correct ? 'success' : 'danger'} style={{ display: 'block' }}>
              {t('training.exams.yourAnswer', { answer: shownAnswer(q, q.chosen, t('training.exams.none')) })}
            </Typography.Text>
            <Typography.Text strong style={{ display: 'block' }} data-testid="review-right">
              {t('training.exams.rightAnswer', { answer: shownAnswer(q, q.answer ?? [], '—') })}
            </Typography.Text>
            {q.explanation ? <Typography.Text type="secondary">{t('training.exams.explanation', { text: q.explanation })}</Typography.Text> : null}
          </Card>
        ))}
      </Flex>
    </>
  );
}
