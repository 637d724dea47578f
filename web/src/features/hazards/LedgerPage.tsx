import { DownloadOutlined, FilterOutlined, UploadOutlined } from '@ant-design/icons';
import { Button, Card, Checkbox, Col, DatePicker, Input, Row, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import { exportUrl, hazardLevels, hazardStatuses, useHazardConfig, useHazards, type HazardFilter, type HazardLevel, type HazardStatus } from './api.ts';
import { AreaSelect } from './AreaSelect.tsx';
import { HazardList } from './HazardList.tsx';
import { useLevelLabel, useStatusLabel } from './labels.tsx';

/** The hazard ledger (隐患台账): every hazard in my data scope, filtered, exported to Excel. */
export function LedgerPage() {
  const { t, i18n } = useTranslation();
  const { can } = useCan();
  const isPhone = useIsPhone();
  const statusLabel = useStatusLabel();
  const levelLabel = useLevelLabel();
  const config = useHazardConfig();
  const [filter, setFilter] = useState<HazardFilter>({});
  const [showFilters, setShowFilters] = useState(false);
  const list = useHazards(filter, { limit: 50 });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const patch = (p: Partial<HazardFilter>) => setFilter((f) => ({ ...f, ...p }));
  const filtersOpen = !isPhone || showFilters;

  return (
    <div data-testid="hazard-ledger-page">
      <PageHeader
        title={t('hazards.ledger.title')}
        extra={
          <>
            {isPhone ? (
              <Button icon={<FilterOutlined />} onClick={() => setShowFilters(!showFilters)} data-testid="ledger-filters-toggle">
                {t('hazards.ledger.filters')}
              </Button>
            ) : null}
            {can('hazard:export') ? (
              <Button icon={<DownloadOutlined />} href={exportUrl(filter)} download data-testid="ledger-export">
                {t('hazards.ledger.export')}
              </Button>
            ) : null}
            {can('hazard:import') ? (
              <Link to="/hazards/import">
                <Button icon={<UploadOutlined />}>{t('hazards.ledger.import')}</Button>
              </Link>
            ) : null}
          </>
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Row gutter={[12, 12]}>
          <Col xs={24} md={8}>
            <Input.Search allowClear enterButton placeholder={t('hazards.ledger.search')} onSearch={(q) => patch({ q: q.trim() || undefined })} data-testid="ledger-search" />
          </Col>
          {filtersOpen ? (
            <>
              <Col xs={24} md={8}>
                <Select<HazardStatus[]>
                  mode="multiple"
                  allowClear
                  style={{ width: '100%' }}
                  placeholder={t('hazards.fields.status')}
                  value={filter.status}
                  onChange={(status) => patch({ status: status.length ? status : undefined })}
                  options={hazardStatuses.map((s) => ({ value: s, label: statusLabel(s) }))}
                  data-testid="ledger-status"
                />
              </Col>
              <Col xs={24} md={8}>
                <Select<HazardLevel[]>
                  mode="multiple"
                  allowClear
                  style={{ width: '100%' }}
                  placeholder={t('hazards.fields.level')}
                  value={filter.level}
                  onChange={(level) => patch({ level: level.length ? level : undefined })}
                  options={hazardLevels.map((l) => ({ value: l, label: levelLabel(l) }))}
                />
              </Col>
              <Col xs={24} md={8}>
                <Select<string[]>
                  mode="multiple"
                  allowClear
                  style={{ width: '100%' }}
                  placeholder={t('hazards.fields.category')}
                  value={filter.category}
                  onChange={(category) => patch({ category: category.length ? category : undefined })}
                  options={(config.data?.categories ?? []).map((c) => ({ value: c.code, label: i18n.language === 'en' ? c.labelEn : c.labelZh }))}
                />
              </Col>
              <Col xs={24} md={8}>
                <AreaSelect allowClear placeholder={t('hazards.fields.area')} value={filter.areaUnitId} onChange={(areaUnitId) => patch({ areaUnitId })} />
              </Col>
              {can('org:read') ? (
                <Col xs={24} md={8}>
                  <OrgUnitSelect allowClear placeholder={t('hazards.fields.department')} value={filter.departmentId} onChange={(departmentId) => patch({ departmentId })} />
                </Col>
              ) : null}
              <Col xs={24} md={8}>
                <DatePicker.RangePicker
                  style={{ width: '100%' }}
                  inputReadOnly={isPhone}
                  placeholder={[t('hazards.ledger.from'), t('hazards.ledger.to')]}
                  onChange={(r: [Dayjs | null, Dayjs | null] | null) => patch({ from: r?.[0]?.format('YYYY-MM-DD'), to: r?.[1]?.format('YYYY-MM-DD') })}
                />
              </Col>
              <Col xs={24} md={8} style={{ display: 'flex', alignItems: 'center' }}>
                <Checkbox checked={filter.overdue === true} onChange={(e) => patch({ overdue: e.target.checked || undefined })} style={{ minHeight: 44, alignItems: 'center' }} data-testid="ledger-overdue">
                  {t('hazards.ledger.overdueOnly')}
                </Checkbox>
              </Col>
            </>
          ) : null}
        </Row>
      </Card>
      {list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <HazardList testId="hazard-ledger-list" rows={rows} loading={list.isLoading} hasMore={list.hasNextPage} loadingMore={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()} />
      )}
    </div>
  );
}
