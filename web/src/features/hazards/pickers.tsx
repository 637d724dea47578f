import { Select } from 'antd';
import { useDeferredValue, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePeopleSearch } from '../people/api.ts';
import { useHazards, type HazardStatus } from './api.ts';

/** A person with a login (assignee, verifier): the value is the user id, found by name or number. */
export function UserPicker({ value, onChange, testId }: { value?: string; onChange?: (v: string | undefined) => void; testId?: string }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const deferred = useDeferredValue(q.trim());
  const search = usePeopleSearch(deferred, open || Boolean(q));
  const options = (search.data?.items ?? [])
    .filter((p) => p.userId)
    .map((p) => ({ value: p.userId ?? '', label: `${p.name} · ${p.employeeNo}${p.orgUnitName ? ` · ${p.orgUnitName}` : ''}` }));
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      allowClear
      value={value}
      onChange={(v: string | undefined) => onChange?.(v)}
      onOpenChange={setOpen}
      options={options}
      loading={search.isFetching}
      placeholder={t('hazards.pickers.user')}
      notFoundContent={search.isError ? t('hazards.pickers.noPeopleAccess') : search.isFetching ? t('app.loading') : t('common.empty')}
      data-testid={testId}
    />
  );
}

const openStatuses: HazardStatus[] = ['reported', 'assigned', 'rectifying', 'rework', 'pending_verification'];

/** An open hazard to merge a duplicate into (number or title). */
export function HazardPicker({ value, onChange, exclude, initial }: { value?: string; onChange?: (v: string | undefined) => void; exclude: string; initial?: { id: string; label: string } | null }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const deferred = useDeferredValue(q.trim());
  const list = useHazards({ status: openStatuses, q: deferred || undefined }, { limit: 20 });
  const options = (list.data?.pages.flatMap((p) => p.items) ?? []).filter((h) => h.id !== exclude).map((h) => ({ value: h.id, label: `${h.number} · ${h.title}` }));
  if (initial && !options.some((o) => o.value === initial.id)) options.unshift({ value: initial.id, label: initial.label });
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value}
      onChange={(v: string | undefined) => onChange?.(v)}
      options={options}
      loading={list.isFetching}
      placeholder={t('hazards.pickers.hazard')}
    />
  );
}
