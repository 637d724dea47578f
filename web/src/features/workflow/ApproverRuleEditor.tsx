import { Form, InputNumber, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { CodesSelect } from './CodesSelect.tsx';
import { PeoplePicker } from './PeoplePicker.tsx';
import { approverKinds, type ApproverKind, type ApproverRule } from './types.ts';

export function emptyRule(kind: ApproverKind): ApproverRule {
  switch (kind) {
    case 'person':
      return { kind, personIds: [] };
    case 'role':
      return { kind, roleCodes: [] };
    case 'position':
      return { kind, positionCodes: [] };
    case 'dept_head':
      return { kind };
    case 'levels_up':
      return { kind, levels: 1 };
  }
}

/** Who approves (or is copied): by person, role, position, the applicant's department head or N levels up. */
export function ApproverRuleEditor({ value, onChange, label }: { value: ApproverRule | undefined; onChange: (rule: ApproverRule) => void; label: string }) {
  const { t } = useTranslation();
  return (
    <>
      <Form.Item label={label} required>
        <Select
          value={value?.kind}
          placeholder={t('workflow.rule.none')}
          onChange={(k: ApproverKind) => onChange(emptyRule(k))}
          options={approverKinds.map((k) => ({ value: k, label: t(`workflow.drawer.kinds.${k}`) }))}
          data-testid="wf-rule-kind"
        />
      </Form.Item>
      {value?.kind === 'person' ? (
        <Form.Item label={t('workflow.drawer.people')}>
          <PeoplePicker value={value.personIds} onChange={(personIds) => onChange({ kind: 'person', personIds })} testId="wf-rule-people" />
        </Form.Item>
      ) : null}
      {value?.kind === 'role' ? (
        <Form.Item label={t('workflow.drawer.roles')}>
          <CodesSelect kind="role" value={value.roleCodes} onChange={(roleCodes) => onChange({ kind: 'role', roleCodes })} testId="wf-rule-roles" />
        </Form.Item>
      ) : null}
      {value?.kind === 'position' ? (
        <Form.Item label={t('workflow.drawer.positions')}>
          <CodesSelect kind="position" value={value.positionCodes} onChange={(positionCodes) => onChange({ kind: 'position', positionCodes })} testId="wf-rule-positions" />
        </Form.Item>
      ) : null}
      {value?.kind === 'levels_up' ? (
        <Form.Item label={t('workflow.drawer.levels')} extra={t('workflow.drawer.levelsHelp')}>
          <InputNumber min={1} max={10} precision={0} value={value.levels} onChange={(v) => onChange({ kind: 'levels_up', levels: v ?? 1 })} data-testid="wf-rule-levels" />
        </Form.Item>
      ) : null}
    </>
  );
}
