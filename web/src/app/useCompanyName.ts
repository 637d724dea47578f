import { useOrgUnits } from '../features/org/api.ts';
import { useCan, useSession } from './session.ts';

/**
 * The company shown in the header. /me carries only the tenant id today, so we take the root of the org
 * tree when the user may read it, and fall back to the product name otherwise (contractors).
 */
export function useCompanyName(): string | null {
  const me = useSession();
  const { can } = useCan();
  const fromMe = me.tenant?.name ?? null;
  const units = useOrgUnits(!fromMe && can('org:read'));
  if (fromMe) return fromMe;
  const root = units.data?.find((u) => u.parentId === null && u.kind === 'company') ?? units.data?.find((u) => u.parentId === null);
  return root?.name ?? null;
}
