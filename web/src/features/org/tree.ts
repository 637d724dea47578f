import type { OrgUnit } from './api.ts';

export interface OrgNode {
  unit: OrgUnit;
  children: OrgNode[];
}

/** The flat list from GET /org/units → a forest ordered by sort, then name (Chinese collation). */
export function buildTree(units: readonly OrgUnit[]): OrgNode[] {
  const nodes = new Map<string, OrgNode>();
  for (const u of units) nodes.set(u.id, { unit: u, children: [] });
  const roots: OrgNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.unit.parentId ? nodes.get(n.unit.parentId) : undefined;
    // A parent outside the list (data scope) makes the node a root rather than dropping it.
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  const collator = new Intl.Collator('zh-CN');
  const sortRec = (list: OrgNode[]) => {
    list.sort((a, b) => a.unit.sort - b.unit.sort || collator.compare(a.unit.name, b.unit.name));
    for (const n of list) sortRec(n.children);
  };
  sortRec(roots);
  return roots;
}

/** Ids of a unit and everything below it (a unit cannot be moved under itself). */
export function subtreeIds(units: readonly OrgUnit[], id: string): Set<string> {
  const root = units.find((u) => u.id === id);
  if (!root) return new Set([id]);
  return new Set(units.filter((u) => u.path.startsWith(root.path)).map((u) => u.id));
}

/** "华东重机 › 一厂 › 机加车间" for a unit, from its path of ids. */
export function pathNames(units: readonly OrgUnit[], unit: OrgUnit): string {
  const byId = new Map(units.map((u) => [u.id, u]));
  return unit.path
    .split('/')
    .filter(Boolean)
    .map((id) => byId.get(id)?.name ?? '…')
    .join(' › ');
}

/** Data for antd TreeSelect: value = id, title = name; inactive units are shown but not selectable. */
export interface UnitOption {
  value: string;
  title: string;
  disabled?: boolean;
  children: UnitOption[];
}

export function toTreeOptions(nodes: OrgNode[], opts: { exclude?: Set<string>; onlyKinds?: readonly string[] } = {}): UnitOption[] {
  const out: UnitOption[] = [];
  for (const n of nodes) {
    if (opts.exclude?.has(n.unit.id)) continue;
    const children = toTreeOptions(n.children, opts);
    const kindOk = !opts.onlyKinds || opts.onlyKinds.includes(n.unit.kind);
    if (!kindOk && children.length === 0) continue;
    out.push({ value: n.unit.id, title: n.unit.name, disabled: !n.unit.active || !kindOk, children });
  }
  return out;
}
