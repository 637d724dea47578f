import { Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { NodeCard } from './NodeCard.tsx';
import { headerColours } from './styles.ts';
import { useTreeEditing } from './treeContext.ts';
import type { FlowNode } from './types.ts';

/** Nodes of a loaded draft that the start cannot reach: flagged, and deletable. */
export function DetachedNodes({ nodes }: { nodes: readonly FlowNode[] }) {
  const { t } = useTranslation();
  const { issues, remove } = useTreeEditing();
  if (nodes.length === 0) return null;
  return (
    <div style={{ marginTop: 32 }} data-testid="wf-detached">
      <Typography.Title level={5}>{t('workflow.editor.detached')}</Typography.Title>
      <Flex gap={16} wrap>
        {nodes.map((n) => (
          <NodeCard key={n.id} testId={`wf-node-${n.id}`} colour={headerColours[n.type]} title={n.name} body={n.id} issues={issues[n.id]} onRemove={() => remove(n.id)} />
        ))}
      </Flex>
    </div>
  );
}
