import { createContext, useContext } from 'react';
import type { SeqRef, Selection, Step } from './types.ts';
import type { Issue } from './validate.ts';

/** What every part of the drawn tree needs from the editor: the edits, the selection and the issues. */
export interface TreeEditing {
  selection: Selection;
  /** Issues per node id; empty until the designer first checks or publishes. */
  issues: Readonly<Record<string, readonly Issue[]>>;
  select: (s: Selection) => void;
  insert: (ref: SeqRef, index: number, type: Step['type']) => void;
  remove: (id: string) => void;
  move: (id: string, delta: -1 | 1) => void;
  addBranch: (conditionId: string) => void;
  removeBranch: (conditionId: string, index: number) => void;
}

export const TreeEditingContext = createContext<TreeEditing | null>(null);

export function useTreeEditing(): TreeEditing {
  const v = useContext(TreeEditingContext);
  if (!v) throw new Error('useTreeEditing outside the flow editor');
  return v;
}
