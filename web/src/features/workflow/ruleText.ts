import type { TFunction } from 'i18next';
import type { ApproverRule, EscalationRule, NodeTimeout } from './types.ts';

/** One line describing who an approver / CC rule names, for the node cards. */
export function ruleText(t: TFunction, rule: ApproverRule | undefined): string {
  if (!rule) return t('workflow.rule.none');
  switch (rule.kind) {
    case 'person':
      return rule.personIds.length > 0 ? t('workflow.rule.person', { count: rule.personIds.length }) : t('workflow.rule.none');
    case 'role':
      return rule.roleCodes.length > 0 ? t('workflow.rule.role', { names: rule.roleCodes.join('、') }) : t('workflow.rule.none');
    case 'position':
      return rule.positionCodes.length > 0 ? t('workflow.rule.position', { names: rule.positionCodes.join('、') }) : t('workflow.rule.none');
    case 'dept_head':
      return t('workflow.rule.dept_head');
    case 'levels_up':
      return t('workflow.rule.levels_up', { levels: rule.levels });
  }
}

export function escalationText(t: TFunction, rule: EscalationRule | undefined): string {
  if (rule?.kind === 'dept_head') return t(rule.of === 'applicant' ? 'workflow.rule.dept_head_applicant' : 'workflow.rule.dept_head_assignee');
  return ruleText(t, rule);
}

export function timeoutText(t: TFunction, timeout: NodeTimeout): string {
  const action = t(`workflow.drawer.actions.${timeout.action}`);
  const target = timeout.action === 'escalate' ? ` → ${escalationText(t, timeout.escalateTo)}` : '';
  return t('workflow.rule.timeout', { hours: Math.round((timeout.minutes / 60) * 10) / 10, action: `${action}${target}` });
}
