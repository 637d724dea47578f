import { AlertOutlined } from '@ant-design/icons';
import { Button, Card, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { QueryError } from '../../shared/QueryError.tsx';
import { useHazards, usePendingExtensions, type HazardFilter } from './api.ts';
import { HazardList } from './HazardList.tsx';
import { OutboxPanel } from './OutboxPanel.tsx';
import { PendingExtensions } from './PendingExtensions.tsx';

type TaskKey = 'rectify' | 'verify' | 'triage' | 'extensions' | 'reported';
type ListKey = Exclude<TaskKey, 'extensions'>;

const filters: Record<ListKey, HazardFilter> = {
  // Assigned to me and waiting for my step (not yet with the verifier).
  rectify: { mine: 'assigned', status: ['assigned', 'rectifying', 'rework'], sort: 'due_asc' },
  verify: { mine: 'verify', sort: 'due_asc' },
  triage: { status: ['reported'], sort: 'reported_asc' },
  reported: { mine: 'reported' },
};

/** "What is waiting for me": the first screen for people in the field. */
export function TasksPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const navigate = useNavigate();
  const isPhone = useIsPhone();
  // 谁发现谁验收: a reporter without hazard:verify is still the named verifier of their own findings, so
  // everyone asks for "mine to verify" and the tile shows up as soon as there is something in it.
  const verify = useHazards(filters.verify, { limit: 50 });
  const showVerify = can('hazard:verify') || (verify.data?.pages[0]?.items.length ?? 0) > 0;
  const tabs: TaskKey[] = [...(can('hazard:rectify') ? (['rectify'] as const) : []), ...(showVerify ? (['verify'] as const) : []), ...(can('hazard:triage') ? (['triage'] as const) : []), ...(can('hazard:approve_extension') ? (['extensions'] as const) : []), 'reported'];
  const [active, setActive] = useState<TaskKey>(tabs[0] ?? 'reported');
  const rectify = useHazards(filters.rectify, { limit: 50, enabled: tabs.includes('rectify') });
  const triage = useHazards(filters.triage, { limit: 50, enabled: tabs.includes('triage') });
  const reported = useHazards(filters.reported, { limit: 50 });
  const extensions = usePendingExtensions(tabs.includes('extensions'));
  const queries = { rectify, verify, triage, reported };
  const q = active === 'extensions' ? null : queries[active];
  const rows = useMemo(() => q?.data?.pages.flatMap((p) => p.items) ?? [], [q?.data]);
  const tile = (k: TaskKey) => (k === 'extensions' ? extensions : queries[k]);
  const count = (k: TaskKey) => (tile(k).data?.pages as { items: unknown[] }[] | undefined)?.reduce((n, p) => n + p.items.length, 0) ?? 0;

  return (
    <div data-testid="hazard-tasks-page">
      <PageHeader title={t('hazards.tasks.title')} sub={t('hazards.tasks.subtitle')} />
      {can('hazard:report') ? (
        <Button type="primary" size="large" block={isPhone} icon={<AlertOutlined />} onClick={() => void navigate('/hazards/report')} style={{ height: 56, fontSize: 18, marginBottom: 12, minWidth: 240 }} data-testid="tasks-report">
          {t('hazards.tasks.report')}
        </Button>
      ) : null}
      <OutboxPanel />
      <Card size="small" style={{ marginTop: 12 }}>
        {/* Big tiles, not tabs: four tabs do not fit 390 px and their overflow menu is a tiny target. */}
        <div role="tablist" style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(140px, 1fr))', gap: 8, marginBottom: 12 }}>
          {tabs.map((k) => {
            const n = count(k);
            const selected = k === active;
            return (
              <Button
                key={k}
                role="tab"
                aria-selected={selected}
                type={selected ? 'primary' : 'default'}
                onClick={() => setActive(k)}
                style={{ height: 64, display: 'flex', flexDirection: 'column', alignItems: 'center', justifyContent: 'center', gap: 0, lineHeight: 1.2 }}
                data-testid={`tasks-tab-${k}`}
              >
                <span>{t(`hazards.tasks.${k}`)}</span>
                <Typography.Text strong style={{ fontSize: 20, color: 'inherit' }} data-testid={`tasks-count-${k}`}>
                  {tile(k).isLoading ? '…' : tile(k).hasNextPage ? `${n}+` : n}
                </Typography.Text>
              </Button>
            );
          })}
        </div>
        {!q ? (
          <PendingExtensions query={extensions} />
        ) : q.isError ? (
          <QueryError error={q.error} onRetry={() => void q.refetch()} />
        ) : (
          <HazardList testId={`tasks-${active}`} rows={rows} loading={q.isLoading} hasMore={q.hasNextPage} loadingMore={q.isFetchingNextPage} onLoadMore={() => void q.fetchNextPage()} />
        )}
      </Card>
    </div>
  );
}
