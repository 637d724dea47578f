import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { PageSpinner } from '../../app/PageSpinner.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useHazardConfig } from './api.ts';
import { AssignmentTab } from './AssignmentTab.tsx';
import { DictionaryTab } from './DictionaryTab.tsx';
import { SettingsTab } from './SettingsTab.tsx';
import { SlaTab } from './SlaTab.tsx';

const tabs = ['dictionaries', 'sla', 'settings', 'assignment'] as const;
type TabKey = (typeof tabs)[number];
const isTab = (v: string | null): v is TabKey => tabs.includes(v as TabKey);

/** Hazard configuration for the safety director (hazard:configure). The open tab lives in the URL. */
export function HazardConfigPage() {
  const { t } = useTranslation();
  const config = useHazardConfig();
  const [params, setParams] = useSearchParams();
  const tabParam = params.get('tab');
  const tab: TabKey = isTab(tabParam) ? tabParam : 'dictionaries';
  const reload = () => void config.refetch();

  if (config.isError) return <QueryError error={config.error} onRetry={reload} />;
  if (!config.data) return <PageSpinner />;
  const data = config.data;
  return (
    <div data-testid="hazard-config-page">
      <PageHeader title={t('hazardAdmin.config.title')} sub={t('hazardAdmin.config.subtitle')} />
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams({ tab: k }, { replace: true })}
        destroyOnHidden
        items={[
          { key: 'dictionaries', label: <span data-testid="tab-dictionaries">{t('hazardAdmin.config.tabs.dictionaries')}</span>, children: <DictionaryTab config={data} onReload={reload} /> },
          { key: 'sla', label: <span data-testid="tab-sla">{t('hazardAdmin.config.tabs.sla')}</span>, children: <SlaTab config={data} onReload={reload} /> },
          { key: 'settings', label: <span data-testid="tab-settings">{t('hazardAdmin.config.tabs.settings')}</span>, children: <SettingsTab config={data} onReload={reload} /> },
          { key: 'assignment', label: <span data-testid="tab-assignment">{t('hazardAdmin.config.tabs.assignment')}</span>, children: <AssignmentTab config={data} /> },
        ]}
      />
    </div>
  );
}
