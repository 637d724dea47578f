import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { AddButton } from './AddButton.tsx';
import { BranchCard } from './BranchCard.tsx';
import { IssueList } from './IssueList.tsx';
import { StepList } from './StepList.tsx';
import { branchColumn, branches, headerColours } from './styles.ts';
import { useTreeEditing } from './treeContext.ts';
import type { ConditionStep } from './types.ts';

/**
 * A condition step: "add condition" on top, the branches side by side (each its own column of steps),
 * joined again below. Its own problems (no default, too few branches…) show above the columns.
 */
export function ConditionBlock({ step }: { step: ConditionStep }) {
  const { t } = useTranslation();
  const { selection, issues, select, addBranch, removeBranch, remove, move } = useTreeEditing();
  const own = issues[step.id] ?? [];
  const general = own.filter((i) => i.branch === undefined);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', position: 'relative', zIndex: 1 }} data-testid={`wf-node-${step.id}`} data-invalid={own.length > 0 ? 'true' : undefined}>
      <div style={{ display: 'flex', gap: 4, marginBottom: -14, position: 'relative', zIndex: 2 }}>
        <Button size="small" shape="round" style={{ color: headerColours.condition }} onClick={() => addBranch(step.id)} data-testid={`wf-node-${step.id}-add-branch`}>
          {t('workflow.tree.addBranch')}
        </Button>
        <Button size="small" shape="round" onClick={() => move(step.id, -1)} aria-label={t('workflow.tree.moveUp')}>
          ↑
        </Button>
        <Button size="small" shape="round" onClick={() => move(step.id, 1)} aria-label={t('workflow.tree.moveDown')}>
          ↓
        </Button>
        <Button size="small" shape="round" danger onClick={() => remove(step.id)} data-testid={`wf-node-${step.id}-remove`}>
          {t('workflow.tree.remove')}
        </Button>
      </div>
      <div style={branches}>
        {step.branches.map((b, i) => (
          <div key={i} style={branchColumn}>
            <BranchCard
              branch={b}
              index={i}
              invalid={own.some((x) => x.branch === i)}
              selected={selection?.kind === 'branch' && selection.id === step.id && selection.branch === i}
              testId={`wf-branch-${step.id}-${i}`}
              onClick={() => select({ kind: 'branch', id: step.id, branch: i })}
              onRemove={() => removeBranch(step.id, i)}
            />
            <AddButton seq={{ conditionId: step.id, branch: i }} index={0} />
            <StepList steps={b.steps} seq={{ conditionId: step.id, branch: i }} />
          </div>
        ))}
      </div>
      {general.length > 0 ? (
        <div style={{ marginTop: 8, maxWidth: 420 }}>
          <IssueList issues={general} step={step} testId={`wf-node-${step.id}-issues`} />
        </div>
      ) : null}
    </div>
  );
}
