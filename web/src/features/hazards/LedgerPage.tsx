import { DownloadOutlined, FileTextOutlined, FilterOutlined, QrcodeOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Col, DatePicker, Flex, Input, Row, Select, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorText, isApiError } from '../../api/client.ts';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { OrgUnitSelect } from '../org/OrgUnitSelect.tsx';
import {
  areaLabelsUrl,
  exportUrl,
  hazardLevels,
  hazardStatuses,
  useHazardConfig,
  useHazards,
  useIssueNotice,
  type HazardFilter,
  type HazardLevel,
  type HazardListItem,
  type HazardNotice,
  type HazardStatus,
} from './api.ts';
import { AreaSelect } from './AreaSelect.tsx';
import { HazardList } from './HazardList.tsx';
import { useLevelLabel, useStatusLabel } from './labels.tsx';

/** Only open findings get a rectification notice (the server refuses closed and rejected ones). */
const noticeable = (h: HazardListItem) => h.status !== 'closed' && h.status !== 'rejected';

/**
 * The hazard ledger (隐患台账): every hazard in my data scope, filtered, exported to Excel; the safety office
 * picks open findings of one department here and issues one rectification notice (整改通知书) for them.
 */
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
  const canIssue = can('hazard:triage');
  const [picking, setPicking] = useState(false);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [issued, setIssued] = useState<HazardNotice | null>(null);
  const [mixed, setMixed] = useState<string | null>(null);
  const issue = useIssueNotice();
  const onError = useApiError();
  const toggle = (h: HazardListItem, checked: boolean) =>
    setPicked((prev) => {
      const next = new Set(prev);
      if (checked) next.add(h.id);
      else next.delete(h.id);
      return next;
    });
  const stopPicking = () => {
    setPicking(false);
    setPicked(new Set());
    setMixed(null);
  };
  const issueNotice = () => {
    setMixed(null);
    issue.mutate([...picked], {
      onSuccess: (notice) => {
        setIssued(notice);
        stopPicking();
      },
      // Findings of several departments: the server names them; the list stays picked to be trimmed.
      onError: (e) => (isApiError(e) && e.code === 'notice_mixed_departments' ? setMixed(errorText(e)) : onError(e)),
    });
  };

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
            {canIssue && !picking ? (
              <Button
                icon={<FileTextOutlined />}
                onClick={() => {
                  setIssued(null);
                  setPicking(true);
                }}
                data-testid="ledger-notice-start"
              >
                {t('hazards.notice.start')}
              </Button>
            ) : null}
            {canIssue ? (
              // The labels of the area picked in the filter and the areas below it; the whole site without one.
              <Button icon={<QrcodeOutlined />} href={areaLabelsUrl(filter.areaUnitId)} target="_blank" rel="noopener" data-testid="ledger-area-labels">
                {t('hazards.ledger.areaLabels')}
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
      {issued ? (
        <Alert
          type="success"
          showIcon
          closable
          onClose={() => setIssued(null)}
          style={{ marginBottom: 16 }}
          data-testid="ledger-notice-issued"
          data-notice-id={issued.id}
          title={t('hazards.notice.issued', { number: issued.number, n: issued.hazards.length, department: issued.departmentName ?? '—' })}
          action={
            <Button href={issued.pdfUrl} target="_blank" rel="noopener" data-testid="ledger-notice-pdf">
              {t('hazards.notice.printIt')}
            </Button>
          }
        />
      ) : null}
      {picking ? (
        <Card size="small" style={{ marginBottom: 16 }} data-testid="ledger-notice-bar">
          <Flex wrap gap={8} align="center">
            <Typography.Text style={{ flex: 1, minWidth: 200 }}>{t('hazards.notice.pickHint', { n: picked.size })}</Typography.Text>
            <Button onClick={stopPicking} data-testid="ledger-notice-cancel">
              {t('common.cancel')}
            </Button>
            <Button type="primary" disabled={picked.size === 0} loading={issue.isPending} onClick={issueNotice} data-testid="ledger-notice-issue">
              {t('hazards.notice.issue', { n: picked.size })}
            </Button>
          </Flex>
          {mixed ? <Alert type="error" showIcon style={{ marginTop: 8 }} title={t('hazards.notice.mixed')} description={mixed} data-testid="ledger-notice-error" /> : null}
        </Card>
      ) : null}
      {list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <HazardList testId="hazard-ledger-list" rows={rows} loading={list.isLoading} hasMore={list.hasNextPage} loadingMore={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()}
          selection={picking ? { selected: picked, onToggle: toggle, selectable: noticeable } : undefined}
        />
      )}
    </div>
  );
}
