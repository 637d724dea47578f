import { Form, InputNumber, Select, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { CodesSelect } from './CodesSelect.tsx';
import { PeoplePicker } from './PeoplePicker.tsx';
import { escalationKinds, timeoutActions, type EscalationKind, type EscalationRule, type NodeTimeout, type TimeoutAction } from './types.ts';

const kindOf = (r: EscalationRule | undefined): EscalationKind | undefined =>
  r === undefined ? undefined : r.kind === 'dept_head' ? (r.of === 'applicant' ? 'dept_head_applicant' : 'dept_head_assignee') : r.kind;

function ruleFor(kind: EscalationKind): EscalationRule {
  if (kind === 'person') return { kind, personIds: [] };
  if (kind === 'role') return { kind, roleCodes: [] };
  return { kind: 'dept_head', of: kind === 'dept_head_applicant' ? 'applicant' : 'assignee' };
}

/** Per-node timeout: after N hours remind, escalate to someone, or let the system approve / reject. */
export function TimeoutEditor({ value, onChange }: { value: NodeTimeout | undefined; onChange: (t: NodeTimeout | undefined) => void }) {
  const { t } = useTranslation();
  const set = (patch: Partial<NodeTimeout>) => {
    if (!value) return;
    const next: NodeTimeout = { ...value, ...patch };
    // escalateTo only belongs to an escalation (the server refuses nothing, but a stale target confuses).
    if (next.action !== 'escalate') delete next.escalateTo;
    onChange(next);
  };
  return (
    <>
      <Form.Item label={t('workflow.drawer.timeout')}>
        <Switch checked={value !== undefined} onChange={(on) => onChange(on ? { minutes: 24 * 60, action: 'remind' } : undefined)} data-testid="wf-timeout-switch" />
      </Form.Item>
      {value ? (
        <>
          <Form.Item label={t('workflow.drawer.timeoutHours')}>
            <InputNumber min={0.5} max={720} step={0.5} value={value.minutes / 60} onChange={(h) => set({ minutes: Math.max(1, Math.round((h ?? 24) * 60)) })} data-testid="wf-timeout-hours" />
          </Form.Item>
          <Form.Item label={t('workflow.drawer.timeoutAction')}>
            <Select
              value={value.action}
              onChange={(action: TimeoutAction) => set({ action })}
              options={timeoutActions.map((a) => ({ value: a, label: t(`workflow.drawer.actions.${a}`) }))}
              data-testid="wf-timeout-action"
            />
          </Form.Item>
          {value.action === 'escalate' ? (
            <>
              <Form.Item label={t('workflow.drawer.escalateTo')} required>
                <Select
                  value={kindOf(value.escalateTo)}
                  onChange={(k: EscalationKind) => set({ escalateTo: ruleFor(k) })}
                  options={escalationKinds.map((k) => ({ value: k, label: t(`workflow.drawer.escalationKinds.${k}`) }))}
                  data-testid="wf-escalate-kind"
                />
              </Form.Item>
              {value.escalateTo?.kind === 'person' ? (
                <Form.Item label={t('workflow.drawer.people')}>
                  <PeoplePicker value={value.escalateTo.personIds} onChange={(personIds) => set({ escalateTo: { kind: 'person', personIds } })} />
                </Form.Item>
              ) : null}
              {value.escalateTo?.kind === 'role' ? (
                <Form.Item label={t('workflow.drawer.roles')}>
                  <CodesSelect kind="role" value={value.escalateTo.roleCodes} onChange={(roleCodes) => set({ escalateTo: { kind: 'role', roleCodes } })} />
                </Form.Item>
              ) : null}
            </>
          ) : null}
        </>
      ) : null}
    </>
  );
}
