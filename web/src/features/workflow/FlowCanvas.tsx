import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { AddButton } from './AddButton.tsx';
import { DetachedNodes } from './DetachedNodes.tsx';
import { NodeCard } from './NodeCard.tsx';
import { StepList } from './StepList.tsx';
import { canvas, column, headerColours } from './styles.ts';
import type { EditorFlow } from './types.ts';

/** The whole tree: 发起人 on top, the steps, 流程结束 at the bottom, then any unconnected nodes. */
export function FlowCanvas({ flow }: { flow: EditorFlow }) {
  const { t } = useTranslation();
  return (
    <div style={canvas} data-testid="wf-canvas">
      <div style={{ display: 'flex', justifyContent: 'center', minWidth: 'fit-content' }}>
        <div style={column}>
          <NodeCard testId="wf-node-start" colour={headerColours.applicant} title={t('workflow.tree.applicant')} body={t('workflow.tree.applicantSub')} />
          <AddButton seq={{ conditionId: null }} index={0} />
          <StepList steps={flow.steps} seq={{ conditionId: null }} />
          <div style={{ background: '#f5f5f7', padding: '4px 12px', position: 'relative', zIndex: 1 }} data-testid="wf-node-end">
            <Typography.Text type="secondary">{t('workflow.tree.end')}</Typography.Text>
          </div>
        </div>
      </div>
      <DetachedNodes nodes={flow.detached} />
    </div>
  );
}
