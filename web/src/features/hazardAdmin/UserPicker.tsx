import { Select } from 'antd';
import { useDeferredValue, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePeopleSearch } from '../people/api.ts';

/**
 * Picks sign-in users through the people directory (the same search as the people PersonSelect), but
 * answers with the person's user id: assignment rules and sign-off lists name users, and a person
 * without a login could never receive a task.
 */
export function UserPicker({
  value,
  onChange,
  knownLabels,
  testId,
}: {
  value?: string | null;
  onChange?: (v: string | null) => void;
  /** Labels for the current value, which a fresh search may not contain. */
  knownLabels?: Record<string, string | null>;
  testId?: string;
}) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const deferred = useDeferredValue(q.trim());
  const search = usePeopleSearch(deferred, open);
  const options = (search.data?.items ?? [])
    .filter((p): p is typeof p & { userId: string } => p.userId !== null)
    .map((p) => ({ value: p.userId, label: `${p.name} · ${p.employeeNo}${p.orgUnitName ? ` · ${p.orgUnitName}` : ''}` }));
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: knownLabels?.[value] ?? t('hazardAdmin.userFallback', { id: value.slice(0, 8) }) });
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      allowClear
      value={value ?? undefined}
      onChange={(v: string | undefined) => onChange?.(v ?? null)}
      onOpenChange={setOpen}
      options={options}
      loading={search.isFetching}
      placeholder={t('hazardAdmin.userPlaceholder')}
      notFoundContent={search.isFetching ? t('app.loading') : t('common.empty')}
      data-testid={testId}
    />
  );
}

/** The same for a list of users (sign-off by name). */
export function UsersPicker({ value, onChange, testId }: { value?: string[]; onChange?: (v: string[]) => void; testId?: string }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  // Labels seen in this session, so chosen users keep their names when the search moves on.
  const [seen, setSeen] = useState<Record<string, string>>({});
  const deferred = useDeferredValue(q.trim());
  const search = usePeopleSearch(deferred, open);
  const found = (search.data?.items ?? [])
    .filter((p): p is typeof p & { userId: string } => p.userId !== null)
    .map((p) => ({ value: p.userId, label: `${p.name} · ${p.employeeNo}` }));
  const options = [...found];
  for (const id of value ?? []) {
    if (!options.some((o) => o.value === id)) options.push({ value: id, label: seen[id] ?? t('hazardAdmin.userFallback', { id: id.slice(0, 8) }) });
  }
  return (
    <Select
      mode="multiple"
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value ?? []}
      onChange={(v: string[]) => {
        setSeen((s) => ({ ...s, ...Object.fromEntries(found.filter((o) => v.includes(o.value)).map((o) => [o.value, o.label])) }));
        onChange?.(v);
      }}
      onOpenChange={setOpen}
      options={options}
      loading={search.isFetching}
      placeholder={t('hazardAdmin.userPlaceholder')}
      notFoundContent={search.isFetching ? t('app.loading') : t('common.empty')}
      data-testid={testId}
    />
  );
}
