import type { Tx } from '../../platform/db/client.ts';
import { invalid } from '../../platform/http/errors.ts';
import { riskLevelsOfUnits } from '../risks/service.ts';

/**
 * Links to risk units of the risks module, checked through its service (its tables are not ours to read):
 * `riskLevelsOfUnits` answers only the tenant's active units, so an id it leaves out is unknown, of another
 * company, or archived. Only ids being added are checked: a unit archived after it was linked does not
 * block editing the rest of the record.
 */
export async function checkRiskUnitLinks(tx: Tx, tenantId: string, ids: string[], alreadyLinked: readonly string[] = []): Promise<string[]> {
  const unique = [...new Set(ids.map((s) => s.toLowerCase()))];
  const added = unique.filter((id) => !alreadyLinked.includes(id));
  if (added.length === 0) return unique;
  const found = new Set((await riskLevelsOfUnits(tx, tenantId, added)).map((u) => u.unitId));
  const missing = added.find((id) => !found.has(id));
  if (missing) {
    const i = ids.findIndex((s) => s.toLowerCase() === missing);
    throw invalid(`riskUnitIds.${i}`, 'exists', `riskUnitIds.${i}: no active risk unit ${missing} in this company`);
  }
  return unique;
}
