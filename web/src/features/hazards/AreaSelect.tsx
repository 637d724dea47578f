import { Select } from 'antd';
import { useCan, useSession } from '../../app/session.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';

/**
 * The area of a hazard, from the org/site tree. Roles without org:read (contractors) cannot load the
 * tree: they get their own unit, which is also where the server's data scope puts them.
 */
export function AreaSelect({ value, onChange, placeholder, allowClear, testId }: { value?: string | null; onChange?: (v: string | undefined) => void; placeholder?: string; allowClear?: boolean; testId?: string }) {
  const { can } = useCan();
  const me = useSession();
  if (can('org:read')) return <OrgUnitSelect value={value} onChange={onChange} placeholder={placeholder} allowClear={allowClear} testId={testId} />;
  const options = me.orgUnit ? [{ value: me.orgUnit.id, label: me.orgUnit.name }] : [];
  return <Select value={value ?? undefined} onChange={(v: string | undefined) => onChange?.(v)} options={options} placeholder={placeholder} allowClear={allowClear} style={{ width: '100%' }} data-testid={testId} />;
}
