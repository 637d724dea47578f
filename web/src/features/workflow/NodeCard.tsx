import { ArrowDownOutlined, ArrowUpOutlined, CloseOutlined, ExclamationCircleFilled } from '@ant-design/icons';
import { Button } from 'antd';
import type { MouseEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { issueText } from './issueText.ts';
import { card, cardError, cardSelected } from './styles.ts';
import type { Step } from './types.ts';
import type { Issue } from './validate.ts';

/**
 * One node card: a coloured header with the name and its tools (move, delete), a body describing it, and
 * its problems in red under the body.
 */
export function NodeCard({
  testId,
  colour,
  title,
  body,
  issues = [],
  step,
  selected,
  onClick,
  onMove,
  onRemove,
}: {
  testId: string;
  colour: string;
  title: ReactNode;
  body: ReactNode;
  issues?: readonly Issue[];
  step?: Step;
  selected?: boolean;
  onClick?: () => void;
  onMove?: (delta: -1 | 1) => void;
  onRemove?: () => void;
}) {
  const { t } = useTranslation();
  const stop = (fn: () => void) => (e: MouseEvent) => {
    e.stopPropagation();
    fn();
  };
  const style = { ...card, ...(issues.length > 0 ? cardError : {}), ...(selected ? cardSelected : {}), cursor: onClick ? 'pointer' : 'default' };
  return (
    <div style={style} onClick={onClick} data-testid={testId} data-invalid={issues.length > 0 ? 'true' : undefined} role={onClick ? 'button' : undefined}>
      <div style={{ background: colour, color: '#fff', padding: '4px 8px', borderRadius: '6px 6px 0 0', display: 'flex', alignItems: 'center', gap: 4, minHeight: 30 }}>
        <span style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{title}</span>
        {onMove ? (
          <>
            <Button size="small" type="text" style={{ color: '#fff' }} icon={<ArrowUpOutlined />} onClick={stop(() => onMove(-1))} aria-label={t('workflow.tree.moveUp')} data-testid={`${testId}-up`} />
            <Button size="small" type="text" style={{ color: '#fff' }} icon={<ArrowDownOutlined />} onClick={stop(() => onMove(1))} aria-label={t('workflow.tree.moveDown')} data-testid={`${testId}-down`} />
          </>
        ) : null}
        {onRemove ? <Button size="small" type="text" style={{ color: '#fff' }} icon={<CloseOutlined />} onClick={stop(onRemove)} aria-label={t('workflow.tree.remove')} data-testid={`${testId}-remove`} /> : null}
      </div>
      <div style={{ padding: '10px 12px', fontSize: 13 }}>{body}</div>
      {issues.length > 0 ? (
        <div style={{ padding: '0 12px 8px', color: '#ff4d4f', fontSize: 12 }} data-testid={`${testId}-issues`}>
          {issues.map((i, n) => (
            <div key={n}>
              <ExclamationCircleFilled /> {issueText(t, i, step)}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
