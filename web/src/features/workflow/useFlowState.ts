import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TreeEditing } from './treeContext.ts';
import { addBranch, findStep, insertStep, moveStep, newStep, removeBranch, removeStep, replaceStep } from './treeOps.ts';
import type { ConditionStep, EditorFlow, Selection, Step } from './types.ts';

/**
 * The editor's state: the tree, the selection, and whether it changed since the last save. The edits are
 * the pure functions of treeOps.ts; a new node is selected at once so its drawer opens for filling in.
 */
export function useFlowState(initial: EditorFlow) {
  const { t } = useTranslation();
  const [flow, setFlowRaw] = useState(initial);
  const [selection, setSelection] = useState<Selection>(null);
  const [dirty, setDirty] = useState(false);
  const setFlow = useCallback((fn: (f: EditorFlow) => EditorFlow) => {
    setFlowRaw(fn);
    setDirty(true);
  }, []);

  const editing = useMemo<Omit<TreeEditing, 'issues'>>(() => {
    const names = {
      approval: t('workflow.newNames.approval'),
      cc: t('workflow.newNames.cc'),
      condition: t('workflow.newNames.condition'),
      branch: (n: number) => t('workflow.newNames.branch', { n }),
      otherwise: t('workflow.newNames.otherwise'),
    };
    const onCondition = (id: string, fn: (c: ConditionStep) => ConditionStep) =>
      setFlow((f) => {
        const c = findStep(f.steps, id);
        return c?.type === 'condition' ? replaceStep(f, fn(c)) : f;
      });
    return {
      selection,
      select: setSelection,
      insert: (seq, index, type) => {
        const step = newStep(flow, type, names);
        setFlow((f) => insertStep(f, seq, index, step));
        setSelection(step.type === 'condition' ? { kind: 'branch', id: step.id, branch: 0 } : { kind: 'node', id: step.id });
      },
      remove: (id) => {
        setFlow((f) => removeStep(f, id));
        setSelection(null);
      },
      move: (id, delta) => setFlow((f) => moveStep(f, id, delta)),
      addBranch: (id) => onCondition(id, (c) => addBranch(c, names.branch(c.branches.length))),
      removeBranch: (id, index) => {
        onCondition(id, (c) => removeBranch(c, index));
        setSelection(null);
      },
    };
  }, [flow, selection, setFlow, t]);

  const selected: Step | undefined = selection ? findStep(flow.steps, selection.id) : undefined;
  const update = (s: Step) => setFlow((f) => replaceStep(f, s));
  return { flow, editing, selected, update, dirty, markSaved: () => setDirty(false), closeDrawer: () => setSelection(null) };
}
