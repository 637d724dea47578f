import { Alert, Button, Skeleton } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { QueryError } from '../../shared/QueryError.tsx';
import { useDefinition } from './api.ts';
import { FlowEditor } from './FlowEditor.tsx';
import { asGraph, fromGraph } from './treeModel.ts';

/** /workflow/definitions/:id — loads the draft and hands it to the editor once. */
export function EditorPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const def = useDefinition(id);
  if (def.isError) return <QueryError error={def.error} onRetry={() => void def.refetch()} />;
  if (!def.data) return <Skeleton active />;
  const graph = asGraph(def.data.draft);
  return (
    <>
      <Link to="/workflow/definitions">
        <Button type="link" style={{ paddingInline: 0 }}>
          ← {t('workflow.editor.back')}
        </Button>
      </Link>
      {graph ? (
        // Keyed by id: the editor owns its tree from the first load; saves refresh only the version.
        <FlowEditor key={def.data.id} definition={def.data} initial={fromGraph(graph)} />
      ) : (
        <Alert type="error" title={t('workflow.editor.notTree')} />
      )}
    </>
  );
}
