import { ArrowDownOutlined, CloseOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import type { MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { card, cardError, cardSelected } from './styles.ts';
import type { Condition, EditorBranch } from './types.ts';

const valueText = (c: Condition) => (Array.isArray(c.value) ? c.value.join(' / ') : String(c.value));

/** The card on top of a branch column: its name, priority and conditions (or "otherwise"). */
export function BranchCard({
  branch,
  index,
  invalid,
  selected,
  testId,
  onClick,
  onRemove,
}: {
  branch: EditorBranch;
  index: number;
  invalid: boolean;
  selected: boolean;
  testId: string;
  onClick: () => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const when = branch.when ?? [];
  const summary =
    branch.default === true
      ? t('workflow.tree.otherwise')
      : when.length === 0
        ? t('workflow.tree.noCondition')
        : when.map((c) => `${c.field || '?'} ${t(`workflow.drawer.ops.${c.op}`)} ${valueText(c)}`).join('；');
  const stop = (e: MouseEvent) => {
    e.stopPropagation();
    onRemove();
  };
  return (
    <div style={{ ...card, ...(invalid ? cardError : {}), ...(selected ? cardSelected : {}), padding: '8px 12px' }} onClick={onClick} role="button" data-testid={testId} data-invalid={invalid ? 'true' : undefined}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
        <span style={{ flex: 1, color: '#15bc83', fontWeight: 500 }}>{branch.name || '—'}</span>
        <span style={{ color: '#8c8c8c', fontSize: 12 }}>{t('workflow.tree.priority', { n: index + 1 })}</span>
        <Button size="small" type="text" icon={<CloseOutlined />} onClick={stop} aria-label={t('workflow.tree.removeBranch')} data-testid={`${testId}-remove`} />
      </div>
      <div style={{ fontSize: 13, color: when.length === 0 && branch.default !== true ? '#ff4d4f' : undefined }}>
        {branch.default === true ? <ArrowDownOutlined style={{ marginInlineEnd: 4 }} /> : null}
        {summary}
      </div>
    </div>
  );
}
