import { Input, Tag, Tree, Typography, type TreeDataNode } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useOrgKindLabel } from '../../shared/labels.ts';
import type { OrgNode } from './tree.ts';

const kindColor: Record<string, string> = { company: 'geekblue', plant: 'blue', workshop: 'cyan', department: 'purple', team: 'green', contractor: 'orange' };

/** The org tree with a filter box; matching units keep their ancestors so the path stays visible. */
export function OrgTree({ tree, selectedId, onSelect }: { tree: OrgNode[]; selectedId: string | null; onSelect: (id: string) => void }) {
  const { t } = useTranslation();
  const kindLabel = useOrgKindLabel();
  const [filter, setFilter] = useState('');
  const [expanded, setExpanded] = useState<string[] | null>(null);
  const q = filter.trim().toLowerCase();

  const { data, matchedKeys, defaultKeys } = useMemo(() => {
    const matched: string[] = [];
    const defaults: string[] = [];
    const toNodes = (nodes: OrgNode[]): TreeDataNode[] =>
      nodes.flatMap((n) => {
        const children = toNodes(n.children);
        const hit = !q || n.unit.name.toLowerCase().includes(q) || n.unit.code.toLowerCase().includes(q);
        if (!hit && children.length === 0) return [];
        if (q && children.length > 0) matched.push(n.unit.id);
        if (n.unit.depth <= 1 && n.children.length > 0) defaults.push(n.unit.id);
        return [
          {
            key: n.unit.id,
            title: (
              <span data-testid="org-node" style={{ opacity: n.unit.active ? 1 : 0.5 }}>
                <Tag color={kindColor[n.unit.kind] ?? 'default'} style={{ marginInlineEnd: 6 }}>
                  {kindLabel(n.unit.kind)}
                </Tag>
                {n.unit.name}
                <Typography.Text type="secondary" style={{ marginInlineStart: 6 }}>
                  {t('org.headcountShort', { count: n.unit.headcount })}
                </Typography.Text>
                {n.unit.active ? null : (
                  <Tag style={{ marginInlineStart: 6 }} color="default">
                    {t('common.inactive')}
                  </Tag>
                )}
              </span>
            ),
            children,
          },
        ];
      });
    return { data: toNodes(tree), matchedKeys: matched, defaultKeys: defaults };
  }, [tree, q, kindLabel, t]);

  return (
    <>
      <Input.Search allowClear placeholder={t('org.filter')} value={filter} onChange={(e) => setFilter(e.target.value)} style={{ marginBottom: 12 }} data-testid="org-filter" />
      <Tree
        treeData={data}
        blockNode
        showLine
        selectedKeys={selectedId ? [selectedId] : []}
        expandedKeys={q ? matchedKeys : (expanded ?? defaultKeys)}
        onExpand={(keys) => setExpanded(keys.map(String))}
        onSelect={(keys) => {
          const k = keys[0];
          if (k !== undefined) onSelect(String(k));
        }}
        data-testid="org-tree"
      />
    </>
  );
}
