import { describe, expect, it } from 'vitest';
import { allowedParentKinds, kindPlacementProblem } from './kindRules.ts';
import { orgUnitKinds, type OrgUnitKind } from './schema.ts';

describe('org unit kind rules', () => {
  const ok: [OrgUnitKind, OrgUnitKind][] = [
    ['plant', 'company'],
    ['workshop', 'plant'],
    ['team', 'workshop'],
    ['team', 'department'],
    ['department', 'company'],
    ['department', 'plant'],
    ['contractor', 'company'],
  ];
  it.each(ok)('allows a %s under a %s', (kind, parent) => {
    expect(kindPlacementProblem(kind, parent)).toBeNull();
  });

  const refused: [OrgUnitKind, OrgUnitKind][] = [
    ['team', 'plant'],
    ['team', 'company'],
    ['team', 'team'],
    ['workshop', 'company'],
    ['workshop', 'workshop'],
    ['contractor', 'plant'],
    ['contractor', 'workshop'],
    ['plant', 'plant'],
    ['company', 'company'],
    ['team', 'contractor'],
  ];
  it.each(refused)('refuses a %s under a %s with a reason naming the allowed parents', (kind, parent) => {
    const problem = kindPlacementProblem(kind, parent);
    expect(problem).toMatch(kind === 'company' ? /only be the root/ : /must be placed under/);
  });

  it('has a rule for every kind and never lets a kind contain the company', () => {
    for (const k of orgUnitKinds) {
      expect(allowedParentKinds[k]).toBeDefined();
      expect(kindPlacementProblem('company', k)).not.toBeNull();
    }
  });
});
