import { Select } from 'antd';
import { useDeferredValue, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePeopleSearch } from '../people/api.ts';

/**
 * Searchable multi-person picker. Approver rules name people by person id; a delegate is a login, so
 * `by="userId"` offers only people who have one and returns user ids.
 */
export function PeoplePicker({ value, onChange, by = 'id', single = false, testId }: { value: string[]; onChange: (ids: string[]) => void; by?: 'id' | 'userId'; single?: boolean; testId?: string }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const deferred = useDeferredValue(q.trim());
  const search = usePeopleSearch(deferred, open);
  const options = (search.data?.items ?? []).flatMap((p) => {
    const id = by === 'id' ? p.id : p.userId;
    return id ? [{ value: id, label: `${p.name} · ${p.employeeNo}${p.orgUnitName ? ` · ${p.orgUnitName}` : ''}` }] : [];
  });
  // Ids already chosen but not in this search page still show (by id) rather than disappear.
  for (const id of value) if (!options.some((o) => o.value === id)) options.push({ value: id, label: id.slice(0, 8) });
  return (
    <Select
      mode={single ? undefined : 'multiple'}
      showSearch={{ filterOption: false, onSearch: setQ }}
      allowClear
      value={single ? value[0] : value}
      onChange={(v: string | string[] | undefined) => onChange(v === undefined ? [] : Array.isArray(v) ? v : [v])}
      onOpenChange={setOpen}
      options={options}
      loading={search.isFetching}
      placeholder={t('people.searchPlaceholder')}
      notFoundContent={search.isFetching ? t('app.loading') : t('common.empty')}
      data-testid={testId}
    />
  );
}
