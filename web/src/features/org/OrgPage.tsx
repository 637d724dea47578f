import { Card, Col, Row } from 'antd';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { useOrgUnits } from './api.ts';
import { OrgTree } from './OrgTree.tsx';
import { OrgUnitDetails } from './OrgUnitDetails.tsx';
import { buildTree } from './tree.ts';

/** Company › plant › workshop › team, plus contractor companies; pick a unit to see and change it. */
export function OrgPage() {
  const { t } = useTranslation();
  const units = useOrgUnits();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const detailsRef = useRef<HTMLDivElement>(null);
  const isPhone = useIsPhone();
  // On a phone the details sit below the tree: bring them into view when a unit is picked.
  const select = (id: string) => {
    setSelectedId(id);
    if (isPhone) setTimeout(() => detailsRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' }), 50);
  };
  const list = useMemo(() => units.data ?? [], [units.data]);
  const tree = useMemo(() => buildTree(list), [list]);
  const selected = list.find((u) => u.id === selectedId) ?? tree[0]?.unit ?? null;

  if (units.isError) return <QueryError error={units.error} onRetry={() => void units.refetch()} />;
  return (
    <div data-testid="org-page">
      <PageHeader title={t('org.title')} sub={t('org.subtitle')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10} xl={9}>
          <Card loading={units.isLoading} styles={{ body: { padding: 12 } }}>
            <OrgTree tree={tree} selectedId={selected?.id ?? null} onSelect={select} />
          </Card>
        </Col>
        <Col xs={24} lg={14} xl={15} ref={detailsRef}>
          {selected ? <OrgUnitDetails unit={selected} units={list} onSelect={setSelectedId} /> : null}
        </Col>
      </Row>
    </div>
  );
}
