import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import { useOrgUnits } from './api.ts';
import { buildTree, toTreeOptions } from './tree.ts';

export interface OrgUnitSelectProps {
  value?: string | null;
  onChange?: (id: string | undefined) => void;
  /** Units that may be picked (others are shown for context but disabled). */
  onlyKinds?: readonly string[];
  /** Units hidden with their subtrees (a unit cannot move under itself). */
  exclude?: Set<string>;
  placeholder?: string;
  allowClear?: boolean;
  testId?: string;
}

/** Org unit picker as a searchable tree, for antd Form.Item and filters. */
export function OrgUnitSelect({ value, onChange, onlyKinds, exclude, placeholder, allowClear, testId }: OrgUnitSelectProps) {
  const units = useOrgUnits();
  const options = useMemo(() => toTreeOptions(buildTree(units.data ?? []), { onlyKinds, exclude }), [units.data, onlyKinds, exclude]);
  return (
    <TreeSelect
      treeData={options}
      value={value ?? undefined}
      onChange={(v: string | undefined) => onChange?.(v)}
      showSearch={{ treeNodeFilterProp: 'title' }}
      allowClear={allowClear}
      loading={units.isLoading}
      placeholder={placeholder}
      treeDefaultExpandedKeys={options.map((o) => o.value)}
      popupMatchSelectWidth={false}
      style={{ width: '100%' }}
      data-testid={testId}
    />
  );
}
