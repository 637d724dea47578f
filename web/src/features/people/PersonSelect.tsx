import { Select } from 'antd';
import { useDeferredValue, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePeopleSearch } from './api.ts';

/** Searchable person picker (name, employee number or phone), for antd Form.Item. */
export function PersonSelect({ value, onChange, initialLabel }: { value?: string | null; onChange?: (v: string | null) => void; initialLabel?: string | null }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const deferred = useDeferredValue(q.trim());
  const search = usePeopleSearch(deferred, open);
  const options = (search.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.name} · ${p.employeeNo}${p.orgUnitName ? ` · ${p.orgUnitName}` : ''}` }));
  if (value && initialLabel && !options.some((o) => o.value === value)) options.unshift({ value, label: initialLabel });
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      allowClear
      value={value ?? undefined}
      onChange={(v: string | undefined) => onChange?.(v ?? null)}
      onOpenChange={setOpen}
      options={options}
      loading={search.isFetching}
      placeholder={t('people.searchPlaceholder')}
      notFoundContent={search.isFetching ? t('app.loading') : t('common.empty')}
    />
  );
}
