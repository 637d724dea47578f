import { Select } from 'antd';
import { useCan } from '../../app/session.ts';
import { usePositions } from '../positions/api.ts';
import { useRoles } from '../roles/api.ts';
import { useRoleName } from '../roles/useRoleName.ts';

/**
 * Role or position codes for a rule. The lists come from the roles and positions APIs when the designer
 * may read them; otherwise codes are typed in (tags), since the server only needs the codes.
 */
export function CodesSelect({ kind, value, onChange, testId }: { kind: 'role' | 'position'; value: string[]; onChange: (codes: string[]) => void; testId?: string }) {
  const { can } = useCan();
  const roles = useRoles(kind === 'role' && can('roles:read'));
  const positions = usePositions(kind === 'position' && can('org:read'));
  const roleName = useRoleName();
  const options =
    kind === 'role'
      ? (roles.data ?? []).map((r) => ({ value: r.code, label: `${roleName(r)} (${r.code})` }))
      : (positions.data ?? []).filter((p) => p.active).map((p) => ({ value: p.code, label: `${p.name} (${p.code})` }));
  return <Select mode="tags" value={value} onChange={(v: string[]) => onChange(v)} options={options} optionFilterProp="label" style={{ width: '100%' }} data-testid={testId} />;
}
