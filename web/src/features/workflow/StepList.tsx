import { Fragment } from 'react';
import { AddButton } from './AddButton.tsx';
import { StepView } from './StepView.tsx';
import type { SeqRef, Step } from './types.ts';

/** A list of steps top to bottom with a "+" below each (the "+" above the first is the caller's). */
export function StepList({ steps, seq }: { steps: readonly Step[]; seq: SeqRef }) {
  return (
    <>
      {steps.map((s, i) => (
        <Fragment key={s.id}>
          <StepView step={s} />
          <AddButton seq={seq} index={i + 1} />
        </Fragment>
      ))}
    </>
  );
}
