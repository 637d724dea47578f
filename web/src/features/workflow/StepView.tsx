import { useTranslation } from 'react-i18next';
import { ConditionBlock } from './ConditionBlock.tsx';
import { NodeCard } from './NodeCard.tsx';
import { ruleText, timeoutText } from './ruleText.ts';
import { headerColours } from './styles.ts';
import { useTreeEditing } from './treeContext.ts';
import type { Step } from './types.ts';

/** One step of the tree: an approver or CC card, or a condition with its branch columns. */
export function StepView({ step }: { step: Step }) {
  const { t } = useTranslation();
  const { selection, issues, select, remove, move } = useTreeEditing();
  if (step.type === 'condition') return <ConditionBlock step={step} />;
  const rule = step.type === 'approval' ? step.approvers : step.recipients;
  const body = (
    <>
      <div>{ruleText(t, rule)}</div>
      {step.type === 'approval' ? (
        <div style={{ color: '#8c8c8c', fontSize: 12 }}>
          {t(`workflow.rule.mode_${step.mode}`)}
          {step.requireSignature ? ` · ${t('workflow.rule.signature')}` : ''}
          {step.timeout ? <div>{timeoutText(t, step.timeout)}</div> : null}
        </div>
      ) : null}
    </>
  );
  return (
    <NodeCard
      testId={`wf-node-${step.id}`}
      colour={headerColours[step.type]}
      title={step.name || '—'}
      body={body}
      issues={issues[step.id]}
      step={step}
      selected={selection?.kind === 'node' && selection.id === step.id}
      onClick={() => select({ kind: 'node', id: step.id })}
      onMove={(d) => move(step.id, d)}
      onRemove={() => remove(step.id)}
    />
  );
}
