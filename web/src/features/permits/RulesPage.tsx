import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Flex, Input, InputNumber, List, Select, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, isApiError, request } from '../../api/client.ts';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { formatTime } from '../../shared/format.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { useDefinitions } from '../workflow/api.ts';
import { permitKeys, permitTypes, usePermitConfig, type PermitConfig, type PermitType } from './api.ts';

type Grade = PermitConfig['types'][PermitType]['grades'][number];

interface ConfigVersion {
  version: number;
  config: PermitConfig;
  createdAt: string;
  createdBy: string | null;
}

function useConfigVersions() {
  return useQuery({ queryKey: [...permitKeys.config, 'versions'], queryFn: ({ signal }) => api.get<{ items: ConfigVersion[] }>('/permits/config/versions', undefined, { signal }) });
}

/** A number or "none" (null): e.g. no validity limit, no extension, no periodic re-analysis. */
function NullableNumber({ value, onChange, disabled, testId, min = 0 }: { value: number | null; onChange: (v: number | null) => void; disabled: boolean; testId?: string; min?: number }) {
  return <InputNumber size="small" min={min} value={value} onChange={(v) => onChange(v === null || v === undefined ? null : Number(v))} disabled={disabled} style={{ width: 90 }} data-testid={testId} />;
}

/**
 * 作业票规则: the tenant's permit rules (grades, validity limits, gas windows and thresholds, measures per
 * type and grade, guardian load) as one versioned document. Saving writes a new version; running permits
 * keep the version they were applied under. Approvers per grade live in the type's approval flow.
 */
export function RulesPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can } = useCan();
  const editable = can('permit:configure');
  const q = usePermitConfig();
  const versions = useConfigVersions();
  const flows = useDefinitions();
  const qc = useQueryClient();
  const showError = useApiError();
  const [draft, setDraft] = useState<PermitConfig | null>(null);
  const [type, setType] = useState<PermitType>('hot_work');
  const [fieldError, setFieldError] = useState<string | null>(null);
  useEffect(() => {
    if (q.data && !draft) setDraft(structuredClone(q.data.config));
  }, [q.data, draft]);
  const save = useMutation({
    mutationFn: (body: { config: PermitConfig; version: number }) => request<{ config: PermitConfig; version: number }>('PUT', '/permits/config', { body }),
    onSuccess: (r) => {
      qc.setQueryData(permitKeys.config, r);
      void qc.invalidateQueries({ queryKey: permitKeys.config });
      setDraft(structuredClone(r.config));
      setFieldError(null);
      message.success(t('permits.rules.saved', { version: r.version }));
    },
    onError: (e) => {
      if (isApiError(e) && e.errors.length > 0) {
        setFieldError(e.errors.map((f) => f.message).join('; '));
        return;
      }
      showError(e, { onReload: () => void q.refetch().then(() => setDraft(null)) });
    },
  });
  if (q.error) return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  if (!draft || !q.data) return null;
  const lang = i18n.language === 'en' ? 'en' : 'zh';
  const change = (fn: (c: PermitConfig) => void) => {
    const next = structuredClone(draft);
    fn(next);
    setDraft(next);
  };
  const dirty = JSON.stringify(draft) !== JSON.stringify(q.data.config);
  const tc = draft.types[type];
  const grade = (i: number) => (c: PermitConfig) => c.types[type].grades[i]!;
  const flow = flows.data?.find((f) => f.key === tc.flowKey);
  const num = (v: number | null) => (v === null ? 0 : v);

  return (
    <Flex vertical gap={16} data-testid="permit-rules-page">
      <PageHeader
        title={t('permits.rules.title')}
        extra={
          editable ? (
            <Flex gap={8}>
              <Button disabled={!dirty} onClick={() => setDraft(structuredClone(q.data.config))} data-testid="rules-reset">
                {t('permits.rules.reset')}
              </Button>
              <Button type="primary" disabled={!dirty} loading={save.isPending} onClick={() => save.mutate({ config: draft, version: q.data.version })} data-testid="rules-save">
                {t('permits.rules.save')}
              </Button>
            </Flex>
          ) : null
        }
      />
      <Typography.Paragraph type="secondary">{t('permits.rules.hint', { version: q.data.version })}</Typography.Paragraph>
      {fieldError ? <Alert type="error" showIcon title={fieldError} data-testid="rules-error" /> : null}
      <Card size="small" title={t('permits.rules.byType')}>
        <Tabs activeKey={type} onChange={(k) => setType(k as PermitType)} items={permitTypes.map((x) => ({ key: x, label: t(`permits.type.${x}`) }))} />
        <Flex gap={16} wrap align="center" style={{ marginBottom: 12 }}>
          <Typography.Text>
            {t('permits.rules.prefix')}: <Tag>{`ZY-${tc.prefix}`}</Tag>
          </Typography.Text>
          <Flex gap={6} align="center">
            <Switch size="small" checked={tc.checkWorkerQualification} disabled={!editable} onChange={(v) => change((c) => (c.types[type].checkWorkerQualification = v))} />
            <span>{t('permits.rules.checkCert')}</span>
          </Flex>
          <Typography.Text>
            {t('permits.rules.approvers')}: {flow ? <Link to={`/workflow/definitions/${flow.id}`} data-testid="rules-flow-link">{`${flow.name} (v${flow.publishedVersion ?? '—'})`}</Link> : <Tag>{tc.flowKey}</Tag>}
          </Typography.Text>
        </Flex>
        <Table<Grade & { index: number }>
          rowKey="code"
          size="small"
          pagination={false}
          scroll={{ x: true }}
          data-testid="rules-grades"
          dataSource={tc.grades.map((g, index) => ({ ...g, index }))}
          expandable={{
            expandedRowRender: (g) => (
              <Flex vertical gap={6} data-testid={`rules-measures-${g.code}`}>
                <Typography.Text strong>{t('permits.rules.measures')}</Typography.Text>
                <List
                  size="small"
                  dataSource={g.measures.map((m, j) => ({ ...m, j }))}
                  renderItem={(m) => (
                    <List.Item
                      actions={
                        editable
                          ? [<Button key="del" size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('permits.rules.remove')} onClick={() => change((c) => void grade(g.index)(c).measures.splice(m.j, 1))} />]
                          : []
                      }
                    >
                      <Flex gap={6} wrap style={{ width: '100%' }}>
                        <Input size="small" style={{ width: 110 }} value={m.code} disabled={!editable} onChange={(e) => change((c) => (grade(g.index)(c).measures[m.j]!.code = e.target.value))} />
                        <Input size="small" style={{ flex: 2, minWidth: 200 }} value={m.zh} disabled={!editable} onChange={(e) => change((c) => (grade(g.index)(c).measures[m.j]!.zh = e.target.value))} />
                        <Input size="small" style={{ flex: 2, minWidth: 200 }} value={m.en} disabled={!editable} onChange={(e) => change((c) => (grade(g.index)(c).measures[m.j]!.en = e.target.value))} />
                      </Flex>
                    </List.Item>
                  )}
                />
                {editable ? (
                  <Button size="small" icon={<PlusOutlined />} style={{ alignSelf: 'start' }} onClick={() => change((c) => void grade(g.index)(c).measures.push({ code: `m${grade(g.index)(c).measures.length + 1}`, zh: '', en: '' }))} data-testid={`rules-add-measure-${g.code}`}>
                    {t('permits.rules.addMeasure')}
                  </Button>
                ) : null}
              </Flex>
            ),
          }}
          columns={[
            { title: t('permits.apply.grade'), render: (_: unknown, g) => (lang === 'en' ? g.nameEn : g.nameZh) },
            { title: t('permits.rules.maxHours'), render: (_: unknown, g) => <NullableNumber min={0.5} value={g.maxValidityHours} disabled={!editable} onChange={(v) => change((c) => (grade(g.index)(c).maxValidityHours = v))} testId={`rules-max-${g.code}`} /> },
            { title: t('permits.rules.extensionHours'), render: (_: unknown, g) => <NullableNumber min={num(g.maxValidityHours)} value={g.extensionMaxHours} disabled={!editable} onChange={(v) => change((c) => (grade(g.index)(c).extensionMaxHours = v))} /> },
            { title: t('permits.rules.gasRequired'), render: (_: unknown, g) => <Switch size="small" checked={g.gasTestRequired} disabled={!editable} onChange={(v) => change((c) => (grade(g.index)(c).gasTestRequired = v))} /> },
            { title: t('permits.rules.gasValid'), render: (_: unknown, g) => <InputNumber size="small" min={1} value={g.gasTestValidMinutes} disabled={!editable} onChange={(v) => change((c) => (grade(g.index)(c).gasTestValidMinutes = Number(v ?? 0)))} style={{ width: 80 }} /> },
            { title: t('permits.rules.retest'), render: (_: unknown, g) => <InputNumber size="small" min={1} value={g.interruptionRetestMinutes} disabled={!editable} onChange={(v) => change((c) => (grade(g.index)(c).interruptionRetestMinutes = Number(v ?? 0)))} style={{ width: 80 }} /> },
            { title: t('permits.rules.periodic'), render: (_: unknown, g) => <NullableNumber min={1} value={g.periodicReanalysisMinutes} disabled={!editable} onChange={(v) => change((c) => (grade(g.index)(c).periodicReanalysisMinutes = v))} /> },
            { title: t('permits.rules.measureCount'), render: (_: unknown, g) => g.measures.length },
          ]}
        />
      </Card>
      <Flex gap={16} wrap align="start">
        <Card size="small" title={t('permits.rules.gas')} style={{ flex: 1, minWidth: 320 }} data-testid="rules-gas">
          <Flex vertical gap={8}>
            <Flex gap={8} align="center" wrap>
              <span>{t('permits.rules.o2')}</span>
              <InputNumber size="small" step={0.1} value={draft.gas.o2MinPct} disabled={!editable} onChange={(v) => change((c) => (c.gas.o2MinPct = Number(v ?? 0)))} data-testid="rules-o2-min" />
              <span>–</span>
              <InputNumber size="small" step={0.1} value={draft.gas.o2MaxPct} disabled={!editable} onChange={(v) => change((c) => (c.gas.o2MaxPct = Number(v ?? 0)))} data-testid="rules-o2-max" />
              <span>%</span>
            </Flex>
            <Flex gap={8} align="center" wrap>
              <span>{t('permits.rules.lel', { boundary: draft.gas.lelBoundaryPct })}</span>
              <InputNumber size="small" step={0.1} value={draft.gas.lelBoundaryPct} disabled={!editable} onChange={(v) => change((c) => (c.gas.lelBoundaryPct = Number(v ?? 0)))} />
            </Flex>
            <Flex gap={8} align="center" wrap>
              <span>{t('permits.rules.highLel')}</span>
              <InputNumber size="small" step={0.05} value={draft.gas.highLelMaxPct} disabled={!editable} onChange={(v) => change((c) => (c.gas.highLelMaxPct = Number(v ?? 0)))} />
              <span>{t('permits.rules.lowLel')}</span>
              <InputNumber size="small" step={0.05} value={draft.gas.lowLelMaxPct} disabled={!editable} onChange={(v) => change((c) => (c.gas.lowLelMaxPct = Number(v ?? 0)))} data-testid="rules-low-lel" />
            </Flex>
            <Typography.Text strong>{t('permits.rules.toxics')}</Typography.Text>
            {draft.gas.toxics.map((g, i) => (
              <Flex key={i} gap={6} align="center" wrap>
                <Input size="small" style={{ width: 80 }} value={g.code} disabled={!editable} onChange={(e) => change((c) => (c.gas.toxics[i]!.code = e.target.value))} />
                <Input size="small" style={{ width: 120 }} value={lang === 'en' ? g.nameEn : g.nameZh} disabled={!editable} onChange={(e) => change((c) => void (lang === 'en' ? (c.gas.toxics[i]!.nameEn = e.target.value) : (c.gas.toxics[i]!.nameZh = e.target.value)))} />
                <span>≤</span>
                <InputNumber size="small" min={0} value={g.max} disabled={!editable} onChange={(v) => change((c) => (c.gas.toxics[i]!.max = Number(v ?? 0)))} />
                <span>{g.unit}</span>
                {editable ? <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('permits.rules.remove')} onClick={() => change((c) => void c.gas.toxics.splice(i, 1))} /> : null}
              </Flex>
            ))}
            {editable ? (
              <Button size="small" icon={<PlusOutlined />} style={{ alignSelf: 'start' }} onClick={() => change((c) => void c.gas.toxics.push({ code: '', nameZh: '', nameEn: '', max: 1, unit: 'mg/m³' }))}>
                {t('permits.rules.addToxic')}
              </Button>
            ) : null}
          </Flex>
        </Card>
        <Card size="small" title={t('permits.rules.company')} style={{ flex: 1, minWidth: 280 }}>
          <Flex vertical gap={8}>
            <Flex gap={8} align="center" wrap>
              <span>{t('permits.rules.guardianMax')}</span>
              <InputNumber size="small" min={1} value={draft.guardianMaxActive} disabled={!editable} onChange={(v) => change((c) => (c.guardianMaxActive = Number(v ?? 0)))} data-testid="rules-guardian-max" />
              <Select size="small" value={draft.guardianOverload} disabled={!editable} onChange={(v) => change((c) => (c.guardianOverload = v))} options={[{ value: 'refuse', label: t('permits.rules.refuse') }, { value: 'warn', label: t('permits.rules.warn') }]} style={{ width: 110 }} />
            </Flex>
            <Flex gap={8} align="center" wrap>
              <span>{t('permits.rules.followUp')}</span>
              <InputNumber size="small" min={0} value={draft.followUpDelayMinutes} disabled={!editable} onChange={(v) => change((c) => (c.followUpDelayMinutes = Number(v ?? 0)))} />
            </Flex>
          </Flex>
        </Card>
        <Card size="small" title={t('permits.rules.versions')} style={{ flex: 1, minWidth: 240 }} data-testid="rules-versions">
          {versions.error ? <QueryError error={versions.error} onRetry={() => void versions.refetch()} /> : null}
          <List
            size="small"
            dataSource={versions.data?.items ?? []}
            locale={{ emptyText: t('permits.rules.noVersions') }}
            renderItem={(v) => (
              <List.Item data-testid={`rules-version-${v.version}`}>
                <Tag color={v.version === q.data.version ? 'green' : undefined}>{`v${v.version}`}</Tag>
                <Typography.Text type="secondary">{formatTime(v.createdAt)}</Typography.Text>
              </List.Item>
            )}
          />
        </Card>
      </Flex>
    </Flex>
  );
}
