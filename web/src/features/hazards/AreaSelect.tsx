import { Select, TreeSelect } from 'antd';
import { useMemo } from 'react';
import { useCan, useSession } from '../../app/session.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import type { OrgUnit } from '../org/api.ts';
import { buildTree, toTreeOptions } from '../org/tree.ts';
import { useReportAreas, type ReportArea } from './api.ts';

/** The area tree as the org tree helpers want it (they read names, parents, sort and active only). */
function asOrgUnit(a: ReportArea): OrgUnit {
  return { ...a, kind: a.kind as OrgUnit['kind'], managerPersonId: null, managerName: null, active: true, headcount: 0, version: 0 };
}

/**
 * The area of a hazard, from the site tree. Everyone who may report loads it from the hazard module
 * (GET /hazards/areas: names and places only, so contractors and workers without org:read get it too).
 * Others (the auditor filtering the ledger) use the org tree if they may read it, else their own unit.
 */
export function AreaSelect({ value, onChange, placeholder, allowClear, testId }: { value?: string | null; onChange?: (v: string | undefined) => void; placeholder?: string; allowClear?: boolean; testId?: string }) {
  const { can } = useCan();
  const me = useSession();
  const reporter = can('hazard:report');
  const areas = useReportAreas(reporter);
  const options = useMemo(() => toTreeOptions(buildTree((areas.data ?? []).map(asOrgUnit))), [areas.data]);
  if (reporter) {
    return (
      <TreeSelect
        treeData={options}
        value={value ?? undefined}
        onChange={(v: string | undefined) => onChange?.(v)}
        showSearch={{ treeNodeFilterProp: 'title' }}
        allowClear={allowClear}
        loading={areas.isLoading}
        placeholder={placeholder}
        treeDefaultExpandedKeys={options.map((o) => o.value)}
        popupMatchSelectWidth={false}
        style={{ width: '100%' }}
        data-testid={testId}
      />
    );
  }
  if (can('org:read')) return <OrgUnitSelect value={value} onChange={onChange} placeholder={placeholder} allowClear={allowClear} testId={testId} />;
  const own = me.orgUnit ? [{ value: me.orgUnit.id, label: me.orgUnit.name }] : [];
  return <Select value={value ?? undefined} onChange={(v: string | undefined) => onChange?.(v)} options={own} placeholder={placeholder} allowClear={allowClear} style={{ width: '100%' }} data-testid={testId} />;
}
