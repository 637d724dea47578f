import { Form, Radio, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApproverRuleEditor } from './ApproverRuleEditor.tsx';
import { TimeoutEditor } from './TimeoutEditor.tsx';
import type { ApprovalStep } from './types.ts';

/** The drawer's fields of an approver node. */
export function ApprovalFields({ step, onChange }: { step: ApprovalStep; onChange: (s: ApprovalStep) => void }) {
  const { t } = useTranslation();
  return (
    <>
      <ApproverRuleEditor label={t('workflow.drawer.approverKind')} value={step.approvers} onChange={(approvers) => onChange({ ...step, approvers })} />
      <Form.Item label={t('workflow.drawer.mode')}>
        <Radio.Group value={step.mode} onChange={(e) => onChange({ ...step, mode: e.target.value === 'all' ? 'all' : 'any' })} data-testid="wf-mode">
          <Radio value="any">{t('workflow.drawer.modes.any')}</Radio>
          <Radio value="all">{t('workflow.drawer.modes.all')}</Radio>
        </Radio.Group>
      </Form.Item>
      <Form.Item label={t('workflow.drawer.requireSignature')}>
        <Switch checked={step.requireSignature === true} onChange={(on) => onChange({ ...step, requireSignature: on })} data-testid="wf-require-signature" />
      </Form.Item>
      <TimeoutEditor
        value={step.timeout}
        onChange={(timeout) => {
          const next: ApprovalStep = { ...step, timeout };
          if (timeout === undefined) delete next.timeout;
          onChange(next);
        }}
      />
    </>
  );
}
