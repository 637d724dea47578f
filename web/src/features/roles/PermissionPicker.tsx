import { Alert, Card, Checkbox, Flex, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { PermissionDef } from './api.ts';

/**
 * Permission checkboxes grouped by the catalog's group, labelled in the user's language, with the code
 * beside each for people who configure tokens and integrations. Works as an antd Form control.
 */
export function PermissionPicker({ catalog, value = [], onChange, disabled }: { catalog: PermissionDef[]; value?: string[]; onChange?: (v: string[]) => void; disabled?: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN';
  const groups = useMemo(() => {
    const m = new Map<string, PermissionDef[]>();
    for (const p of catalog) m.set(p.group, [...(m.get(p.group) ?? []), p]);
    return [...m.entries()];
  }, [catalog]);
  const groupNames = t('permGroups', { returnObjects: true }) as Record<string, string>;

  if (value.includes('*')) return <Alert type="info" showIcon title={t('roles.allPermissionsHelp')} />;
  const selected = new Set(value);
  const setGroup = (codes: string[], on: boolean) => {
    const next = new Set(selected);
    for (const c of codes) {
      if (on) next.add(c);
      else next.delete(c);
    }
    onChange?.([...next]);
  };

  return (
    <Flex vertical gap={12} data-testid="permission-picker">
      {groups.map(([group, perms]) => {
        const codes = perms.map((p) => p.code);
        const on = codes.filter((c) => selected.has(c)).length;
        // A `group:*` grant (seen on roles made through the API) covers the whole group.
        const wildcard = selected.has(`${group}:*`);
        return (
          <Card
            key={group}
            size="small"
            title={
              <Checkbox
                checked={wildcard || on === codes.length}
                indeterminate={!wildcard && on > 0 && on < codes.length}
                disabled={disabled}
                onChange={(e) => setGroup(codes, e.target.checked)}
              >
                {groupNames[group] ?? group}
              </Checkbox>
            }
          >
            <Flex vertical gap={6}>
              {perms.map((p) => (
                <Checkbox key={p.code} checked={wildcard || selected.has(p.code)} disabled={disabled || wildcard} onChange={(e) => setGroup([p.code], e.target.checked)} data-perm={p.code}>
                  {p.label[lang]} <Typography.Text type="secondary" code>{p.code}</Typography.Text>
                </Checkbox>
              ))}
            </Flex>
          </Card>
        );
      })}
    </Flex>
  );
}
