import { PlusOutlined } from '@ant-design/icons';
import { Button, Form, Input, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { ConditionRow } from './ConditionRow.tsx';
import type { Condition, EditorBranch } from './types.ts';

/** The drawer's fields of one branch of a condition node: its name, "otherwise", and its conditions. */
export function BranchFields({ branch, onChange }: { branch: EditorBranch; onChange: (b: EditorBranch) => void }) {
  const { t } = useTranslation();
  const when = branch.when ?? [];
  const setWhen = (list: Condition[]) => onChange({ ...branch, when: list });
  return (
    <>
      <Form.Item label={t('workflow.drawer.branchName')}>
        <Input value={branch.name ?? ''} maxLength={100} onChange={(e) => onChange({ ...branch, name: e.target.value })} data-testid="wf-branch-name" />
      </Form.Item>
      <Form.Item label={t('workflow.drawer.isDefault')}>
        <Switch
          checked={branch.default === true}
          onChange={(on) => {
            const next: EditorBranch = { ...branch, default: on };
            // The default branch takes no conditions; a conditional branch starts with none to fill in.
            if (on) delete next.when;
            else next.when = [];
            onChange(next);
          }}
          data-testid="wf-branch-default"
        />
      </Form.Item>
      {branch.default === true ? null : (
        <Form.Item label={t('workflow.drawer.conditions')}>
          {when.map((c, i) => (
            <ConditionRow key={i} index={i} value={c} onChange={(nc) => setWhen(when.map((x, j) => (j === i ? nc : x)))} onRemove={() => setWhen(when.filter((_, j) => j !== i))} />
          ))}
          <Button icon={<PlusOutlined />} onClick={() => setWhen([...when, { field: '', op: 'eq', value: '' }])} data-testid="wf-cond-add">
            {t('workflow.drawer.addCondition')}
          </Button>
        </Form.Item>
      )}
    </>
  );
}
