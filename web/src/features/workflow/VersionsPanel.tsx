import { Card, Empty, List, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../shared/format.ts';
import { useDefinitionVersions, useRunningInstances } from './api.ts';
import type { FlowDefinition } from './types.ts';

/** Beside the editor: the published versions, and which version each running approval keeps. */
export function VersionsPanel({ definition }: { definition: FlowDefinition }) {
  const { t } = useTranslation();
  const versions = useDefinitionVersions(definition.id);
  const running = useRunningInstances();
  const mine = (running.data ?? []).filter((i) => i.key === definition.key);
  return (
    <>
      <Card size="small" title={t('workflow.editor.versions')} style={{ marginBottom: 16 }} data-testid="wf-versions">
        {(versions.data ?? []).length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('workflow.editor.noVersions')} />
        ) : (
          <List
            size="small"
            dataSource={[...(versions.data ?? [])].sort((a, b) => b.versionNo - a.versionNo)}
            renderItem={(v) => (
              <List.Item data-testid={`wf-version-${v.versionNo}`}>
                <div>
                  <Tag color={v.versionNo === definition.publishedVersion ? 'green' : undefined}>v{v.versionNo}</Tag>
                  <Typography.Text type="secondary">{t('workflow.editor.publishedAt', { at: formatTime(v.publishedAt) })}</Typography.Text>
                  {v.warnings.length > 0 ? (
                    <div>
                      <Typography.Text type="warning" title={v.warnings.map((w) => w.message).join('\n')}>
                        {t('workflow.editor.warnings', { count: v.warnings.length })}
                      </Typography.Text>
                    </div>
                  ) : null}
                </div>
              </List.Item>
            )}
          />
        )}
      </Card>
      <Card size="small" title={t('workflow.editor.running')} data-testid="wf-running">
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('workflow.editor.runningHint')}
        </Typography.Paragraph>
        {mine.length === 0 ? (
          <Typography.Text type="secondary">{t('workflow.editor.noRunning')}</Typography.Text>
        ) : (
          <List
            size="small"
            dataSource={mine}
            renderItem={(i) => (
              <List.Item>
                <span>
                  <Tag>v{i.definitionVersionNo}</Tag>
                  {i.title}
                </span>
              </List.Item>
            )}
          />
        )}
      </Card>
    </>
  );
}
