import { Card, Flex, Input, Select, Table, Tag, Typography } from 'antd';
import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { QuestionImport } from './QuestionImport.tsx';
import { useQuestionBank, useQuestionCategories, type BankFilter, type Question } from './examApi.ts';

/** The question bank for exam setters: filter by category, difficulty, type and text; answers shown. */
export function QuestionBankPage() {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<BankFilter>({});
  const [q, setQ] = useState('');
  const deferred = useDeferredValue(q.trim());
  const effective = useMemo(() => ({ ...filter, ...(deferred ? { q: deferred } : {}) }), [filter, deferred]);
  const bank = useQuestionBank(effective);
  const cats = useQuestionCategories();
  const rows = useMemo(() => bank.data?.pages.flatMap((p) => p.items) ?? [], [bank.data]);
  const categories = [...new Set((cats.data?.items ?? []).map((c) => c.category))];
  const patch = (p: Partial<BankFilter>) => setFilter((f) => ({ ...f, ...p }));
  const answerText = (x: Question) => (x.kind === 'true_false' ? (x.answer[0] === 'T' ? '正确 / T' : '错误 / F') : x.answer.join(''));
  return (
    <>
      <PageHeader title={t('training.bank.title')} sub={t('training.bank.subtitle')} />
      <Card size="small" style={{ marginBottom: 12 }}>
        <QuestionImport />
      </Card>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Flex wrap gap={8}>
          <Select allowClear placeholder={t('training.bank.category')} style={{ minWidth: 140 }} options={categories.map((c) => ({ value: c, label: c }))} value={filter.category} onChange={(v?: string) => patch({ category: v })} data-testid="bank-category" />
          <Select allowClear placeholder={t('training.bank.difficulty')} style={{ minWidth: 100 }} options={[1, 2, 3].map((d) => ({ value: d, label: t(`training.bank.levels.d${d as 1 | 2 | 3}`) }))} value={filter.difficulty} onChange={(v?: number) => patch({ difficulty: v })} />
          <Select allowClear placeholder={t('training.bank.kind')} style={{ minWidth: 120 }} options={(['single', 'multiple', 'true_false'] as const).map((k) => ({ value: k, label: t(`training.exams.kind.${k}`) }))} value={filter.kind} onChange={(v?: Question['kind']) => patch({ kind: v })} />
          <Input.Search allowClear placeholder={t('training.bank.search')} style={{ maxWidth: 260 }} value={q} onChange={(e) => setQ(e.target.value)} />
        </Flex>
      </Card>
      {bank.error ? <QueryError error={bank.error} onRetry={() => void bank.refetch()} /> : null}
      <Table<Question>
        rowKey="id"
        size="small"
        loading={bank.isLoading}
        dataSource={rows}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        data-testid="bank-table"
        scroll={{ x: 720 }}
        columns={[
          { title: t('training.bank.category'), dataIndex: 'category', width: 110 },
          { title: t('training.bank.kind'), dataIndex: 'kind', width: 90, render: (k: Question['kind']) => <Tag>{t(`training.exams.kind.${k}`)}</Tag> },
          { title: t('training.bank.difficulty'), dataIndex: 'difficulty', width: 70, render: (d: number) => t(`training.bank.levels.d${d as 1 | 2 | 3}`) },
          {
            title: t('training.bank.stem'),
            dataIndex: 'stem',
            render: (_: string, x: Question) => (
              <>
                <Typography.Text>{x.stem}</Typography.Text>
                {x.kind !== 'true_false' ? (
                  <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 12 }}>
                    {x.options.map((o) => `${o.key}. ${o.text}`).join('　')}
                  </Typography.Paragraph>
                ) : null}
              </>
            ),
          },
          { title: t('training.bank.answer'), key: 'answer', width: 90, render: (_: unknown, x: Question) => <Typography.Text strong>{answerText(x)}</Typography.Text> },
          { title: '', dataIndex: 'active', width: 70, render: (a: boolean) => (a ? null : <Tag>{t('training.bank.retired')}</Tag>) },
        ]}
      />
      {bank.hasNextPage ? (
        <Typography.Link onClick={() => void bank.fetchNextPage()}>…</Typography.Link>
      ) : null}
    </>
  );
}
