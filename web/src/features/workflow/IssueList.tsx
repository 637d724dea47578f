import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { issueText } from './issueText.ts';
import type { Step } from './types.ts';
import type { Issue } from './validate.ts';

/** The problems of one node (or of the whole flow), as the drawer and the flow header show them. */
export function IssueList({ issues, step, testId }: { issues: readonly Issue[]; step?: Step; testId?: string }) {
  const { t } = useTranslation();
  if (issues.length === 0) return null;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 12 }}
      title={
        <ul style={{ margin: 0, paddingInlineStart: 16 }}>
          {issues.map((i, n) => (
            <li key={n}>{issueText(t, i, step)}</li>
          ))}
        </ul>
      }
      data-testid={testId}
    />
  );
}
