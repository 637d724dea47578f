import type { TFunction } from 'i18next';
import type { Step } from './types.ts';
import type { Issue } from './validate.ts';

/** A validation issue in the user's language; branch issues name the branch. */
export function issueText(t: TFunction, issue: Issue, step?: Step): string {
  const branch = issue.branch !== undefined && step?.type === 'condition' ? (step.branches[issue.branch]?.name ?? String(issue.branch + 1)) : '';
  return t(`workflow.issues.${issue.code}`, { branch, message: issue.message ?? '' });
}
