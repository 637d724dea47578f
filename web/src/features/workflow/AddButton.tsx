import { AuditOutlined, BranchesOutlined, PlusOutlined, SendOutlined } from '@ant-design/icons';
import { Button, Flex, Popover } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { headerColours } from './styles.ts';
import { useTreeEditing } from './treeContext.ts';
import type { SeqRef, Step } from './types.ts';

/** The round "+" between two nodes: insert an approver, a CC or a condition branch here. */
export function AddButton({ seq, index }: { seq: SeqRef; index: number }) {
  const { t } = useTranslation();
  const { insert } = useTreeEditing();
  const [open, setOpen] = useState(false);
  const where = `${seq.conditionId ?? 'root'}${seq.conditionId === null ? '' : `-${seq.branch}`}-${index}`;
  const pick = (type: Step['type']) => {
    setOpen(false);
    insert(seq, index, type);
  };
  const choice = (type: Step['type'], icon: ReactNode, label: string, colour: string) => (
    <Button icon={icon} onClick={() => pick(type)} style={{ color: colour, borderColor: colour }} data-testid={`wf-add-${type}`}>
      {label}
    </Button>
  );
  return (
    <div style={{ padding: '20px 0', position: 'relative', zIndex: 1 }}>
      <Popover
        open={open}
        onOpenChange={setOpen}
        trigger="click"
        placement="right"
        destroyOnHidden
        content={
          <Flex gap={8} wrap>
            {choice('approval', <AuditOutlined />, t('workflow.tree.addApproval'), headerColours.approval)}
            {choice('cc', <SendOutlined />, t('workflow.tree.addCc'), headerColours.cc)}
            {choice('condition', <BranchesOutlined />, t('workflow.tree.addCondition'), headerColours.condition)}
          </Flex>
        }
      >
        <Button type="primary" shape="circle" size="small" icon={<PlusOutlined />} aria-label={t('workflow.tree.add')} data-testid={`wf-add-${where}`} />
      </Popover>
    </div>
  );
}
