import type { Severity } from '../../platform/notify/service.ts';

/** Notification texts of the register (zh-CN first, en beside it). `type` is what channels filter on. */

export interface RiskNotice {
  type: string;
  severity: Severity;
  title: { 'zh-CN': string; en: string };
  body?: { 'zh-CN': string; en: string };
}

const short = (name: string) => name.slice(0, 150);

export const notices = {
  reassessmentDue: (eventName: string, due: string): RiskNotice => ({
    type: 'risk.reassessment_due',
    severity: 'warning',
    title: { 'zh-CN': `风险事件到期需重新评价：${short(eventName)}`, en: `Risk event due for re-assessment: ${short(eventName)}` },
    body: { 'zh-CN': `评价有效期至 ${due}，请重新开展风险评价。`, en: `The assessment was valid until ${due}; please assess the risk again.` },
  }),
  reassessmentRequested: (eventName: string, reason: string): RiskNotice => ({
    type: 'risk.reassessment_requested',
    severity: 'warning',
    title: { 'zh-CN': `风险事件需重新评价：${short(eventName)}`, en: `Risk event needs re-assessment: ${short(eventName)}` },
    body: { 'zh-CN': `原因：${reason}`, en: `Reason: ${reason}` },
  }),
};
