import { App, Alert, Button, Col, Popconfirm, Row, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useArchive, usePublish, useSaveDraft, useValidateDraft } from './api.ts';
import { FlowCanvas } from './FlowCanvas.tsx';
import { IssueList } from './IssueList.tsx';
import { NodeDrawer } from './NodeDrawer.tsx';
import { TreeEditingContext } from './treeContext.ts';
import { toGraph } from './treeModel.ts';
import { allIds } from './treeOps.ts';
import type { EditorFlow, FlowDefinition } from './types.ts';
import { useFlowState } from './useFlowState.ts';
import { issueCount, mergeResults, serverIssuesByNode, validateFlow, type ServerFieldError, type ValidationResult } from './validate.ts';
import { VersionsPanel } from './VersionsPanel.tsx';

const none: ValidationResult = { nodes: {}, flow: [] };

/**
 * The visual flow editor for one definition. Problems show on the nodes once the designer first checks
 * or publishes (a node just added is not "wrong" yet), then follow every edit. The server checks again
 * on publish, and its problem+json field errors land on the same nodes.
 */
export function FlowEditor({ definition, initial }: { definition: FlowDefinition; initial: EditorFlow }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const [showIssues, setShowIssues] = useState(false);
  // The server's findings hold for the tree they were made on; any edit drops them until the next check.
  const [server, setServer] = useState<{ flow: EditorFlow; result: ValidationResult } | null>(null);
  const save = useSaveDraft();
  const check = useValidateDraft();
  const publish = usePublish();
  const archive = useArchive();

  const state = useFlowState(initial);
  const local = useMemo(() => validateFlow(state.flow), [state.flow]);
  const current = useMemo(() => mergeResults(local, server?.flow === state.flow ? server.result : none), [local, server, state.flow]);
  const editing = useMemo(() => ({ ...state.editing, issues: showIssues ? current.nodes : none.nodes }), [state.editing, showIssues, current]);

  const fieldErrors = (e: unknown): ServerFieldError[] | null => (isApiError(e) && e.errors.length > 0 ? e.errors : null);
  const showServer = (errors: ServerFieldError[]) => {
    setServer({ flow: state.flow, result: serverIssuesByNode(errors, allIds(state.flow)) });
    setShowIssues(true);
  };

  /** Saves when changed; returns the definition version to publish against, or null on failure. */
  const saveDraft = async (): Promise<number | null> => {
    if (!state.dirty) return definition.version;
    try {
      const saved = await save.mutateAsync({ id: definition.id, name: definition.name, description: definition.description, graph: toGraph(state.flow), version: definition.version });
      state.markSaved();
      setServer(null);
      return saved.version;
    } catch (e) {
      const errors = fieldErrors(e);
      if (errors) showServer(errors);
      showError(e);
      return null;
    }
  };

  const blocked = () => {
    setShowIssues(true);
    const count = issueCount(local);
    if (count > 0) message.error(t('workflow.editor.publishBlocked', { count }));
    return count > 0;
  };

  const onCheck = async () => {
    if (blocked()) return;
    if ((await saveDraft()) === null) return;
    try {
      const r = await check.mutateAsync(definition.id);
      if (r.valid) message.success(t('workflow.editor.checkOk'));
      else showServer(r.errors);
    } catch (e) {
      showError(e);
    }
  };

  const onPublish = async () => {
    if (blocked()) return;
    const version = await saveDraft();
    if (version === null) return;
    try {
      const r = await publish.mutateAsync({ id: definition.id, version });
      setServer(null);
      message.success(t('workflow.editor.published', { version: r.version.versionNo }));
    } catch (e) {
      const errors = fieldErrors(e);
      if (errors) showServer(errors);
      showError(e);
    }
  };

  const onSave = async () => {
    if ((await saveDraft()) !== null) message.success(t('workflow.editor.saved'));
  };

  const onArchive = async () => {
    try {
      await archive.mutateAsync({ id: definition.id, version: definition.version });
    } catch (e) {
      showError(e);
    }
  };

  const busy = save.isPending || check.isPending || publish.isPending;
  const selectedIssues = state.selected ? (current.nodes[state.selected.id] ?? []) : [];
  return (
    <TreeEditingContext.Provider value={editing}>
      <PageHeader
        title={t('workflow.editor.title', { name: definition.name })}
        sub={
          <>
            <Tag>{definition.key}</Tag>
            {definition.publishedVersion !== null ? <Tag color="green" data-testid="wf-published-version">{t('workflow.list.published', { version: definition.publishedVersion })}</Tag> : <Tag>{t('workflow.list.unpublished')}</Tag>}
            {definition.archivedAt ? <Tag color="red">{t('workflow.list.archived')}</Tag> : null}
            {state.dirty ? <Tag color="orange">{t('workflow.editor.dirty')}</Tag> : null}
          </>
        }
        extra={
          <>
            <Button onClick={() => void onSave()} loading={save.isPending} disabled={busy || !state.dirty} data-testid="wf-save">
              {t('workflow.editor.save')}
            </Button>
            <Button onClick={() => void onCheck()} disabled={busy} data-testid="wf-check">
              {t('workflow.editor.check')}
            </Button>
            {definition.publishedVersion !== null && definition.archivedAt === null ? (
              <Popconfirm title={t('workflow.editor.archiveConfirm')} onConfirm={() => void onArchive()}>
                <Button danger disabled={busy || state.dirty} loading={archive.isPending} data-testid="wf-archive">
                  {t('workflow.editor.archive')}
                </Button>
              </Popconfirm>
            ) : null}
            <Button type="primary" onClick={() => void onPublish()} loading={publish.isPending} disabled={busy} data-testid="wf-publish">
              {t('workflow.editor.publish')}
            </Button>
          </>
        }
      />
      {showIssues && current.flow.length > 0 ? <IssueList issues={current.flow} testId="wf-flow-issues" /> : null}
      {showIssues && issueCount(current) > 0 ? <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('workflow.editor.publishBlocked', { count: issueCount(current) })} data-testid="wf-issue-count" /> : null}
      <Row gutter={16}>
        <Col xs={24} xl={18}>
          <FlowCanvas flow={state.flow} />
        </Col>
        <Col xs={24} xl={6}>
          <VersionsPanel definition={definition} />
        </Col>
      </Row>
      <NodeDrawer selection={state.editing.selection} step={state.selected} issues={showIssues ? selectedIssues : []} onChange={state.update} onClose={state.closeDrawer} />
    </TreeEditingContext.Provider>
  );
}
