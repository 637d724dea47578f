import { Button, Drawer, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApprovalFields } from './ApprovalFields.tsx';
import { ApproverRuleEditor } from './ApproverRuleEditor.tsx';
import { BranchFields } from './BranchFields.tsx';
import { IssueList } from './IssueList.tsx';
import { replaceBranch } from './treeOps.ts';
import type { Selection, Step } from './types.ts';
import type { Issue } from './validate.ts';

/**
 * The side drawer that edits the clicked node or branch. Every change goes straight into the editor's
 * tree (no separate OK), as in DingTalk; the draft is only sent on "save" or "publish".
 */
export function NodeDrawer({ selection, step, issues, onChange, onClose }: { selection: Selection; step: Step | undefined; issues: readonly Issue[]; onChange: (s: Step) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const open = selection !== null && step !== undefined;
  const branchIndex = selection?.kind === 'branch' ? selection.branch : null;
  const branch = step?.type === 'condition' && branchIndex !== null ? step.branches[branchIndex] : undefined;
  const title = !step
    ? ''
    : branch
      ? t('workflow.drawer.branchTitle')
      : step.type === 'approval'
        ? t('workflow.drawer.approvalTitle')
        : step.type === 'cc'
          ? t('workflow.drawer.ccTitle')
          : t('workflow.drawer.conditionTitle');
  const shown = branchIndex === null ? issues : issues.filter((i) => i.branch === undefined || i.branch === branchIndex);
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={title}
      size={460}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose} data-testid="wf-drawer-done">
          {t('workflow.drawer.done')}
        </Button>
      }
      data-testid="wf-drawer"
    >
      {step ? (
        <Form layout="vertical">
          <IssueList issues={shown} step={step} testId="wf-drawer-issues" />
          {step.type === 'condition' && branch && branchIndex !== null ? (
            <BranchFields branch={branch} onChange={(b) => onChange(replaceBranch(step, branchIndex, b))} />
          ) : (
            <>
              <Form.Item label={t('workflow.drawer.name')} required>
                <Input value={step.name} maxLength={100} onChange={(e) => onChange({ ...step, name: e.target.value })} data-testid="wf-node-name" />
              </Form.Item>
              {step.type === 'approval' ? <ApprovalFields step={step} onChange={onChange} /> : null}
              {step.type === 'cc' ? <ApproverRuleEditor label={t('workflow.drawer.recipientKind')} value={step.recipients} onChange={(recipients) => onChange({ ...step, recipients })} /> : null}
              <Typography.Text type="secondary">
                {t('workflow.drawer.nodeId')}: {step.id}
              </Typography.Text>
            </>
          )}
        </Form>
      ) : null}
    </Drawer>
  );
}
