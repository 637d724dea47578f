import type { Severity } from '../../platform/notify/service.ts';
import type { HazardNotice, HazardRow } from './store.ts';

/** Notification texts (zh-CN first, en beside it). `type` is what channels filter on. */

type Phase = 'respond' | 'rectify' | 'verify';

const phaseZh: Record<Phase, string> = { respond: '响应', rectify: '整改', verify: '验收' };
const phaseEn: Record<Phase, string> = { respond: 'response', rectify: 'rectification', verify: 'verification' };

const short = (h: HazardRow) => `${h.number} ${h.title}`.slice(0, 160);

export const notices = {
  assigned: (h: HazardRow): HazardNotice => ({
    type: 'hazard.assigned',
    title: { 'zh-CN': `隐患待整改：${short(h)}`, en: `Hazard assigned to you: ${short(h)}` },
    body: { 'zh-CN': '请尽快确认接收并安排整改。', en: 'Please accept it and arrange the rectification.' },
  }),
  needsTriage: (h: HazardRow, why: string): HazardNotice => ({
    type: 'hazard.needs_triage',
    title: { 'zh-CN': `隐患待分派：${short(h)}`, en: `Hazard needs an owner: ${short(h)}` },
    body: { 'zh-CN': why, en: why },
  }),
  accepted: (h: HazardRow): HazardNotice => ({
    type: 'hazard.accepted',
    severity: 'info',
    title: { 'zh-CN': `您上报的隐患已接收整改：${short(h)}`, en: `Your report is being fixed: ${short(h)}` },
  }),
  rejected: (h: HazardRow, reason: string): HazardNotice => ({
    type: 'hazard.rejected',
    severity: 'info',
    title: { 'zh-CN': `您上报的隐患未被受理：${short(h)}`, en: `Your report was not accepted: ${short(h)}` },
    body: { 'zh-CN': `原因：${reason}`, en: `Reason: ${reason}` },
  }),
  merged: (h: HazardRow, into: HazardRow): HazardNotice => ({
    type: 'hazard.merged',
    severity: 'info',
    title: { 'zh-CN': `隐患 ${h.number} 与 ${into.number} 重复，已合并`, en: `Hazard ${h.number} duplicates ${into.number} and was merged` },
  }),
  submitted: (h: HazardRow): HazardNotice => ({
    type: 'hazard.submitted',
    title: { 'zh-CN': `隐患整改待验收：${short(h)}`, en: `Rectification to verify: ${short(h)}` },
  }),
  failed: (h: HazardRow, reason: string): HazardNotice => ({
    type: 'hazard.verification_failed',
    severity: 'warning',
    title: { 'zh-CN': `隐患验收未通过，请返工：${short(h)}`, en: `Verification failed, rework needed: ${short(h)}` },
    body: { 'zh-CN': `原因：${reason}`, en: `Reason: ${reason}` },
  }),
  closed: (h: HazardRow): HazardNotice => ({
    type: 'hazard.closed',
    severity: 'info',
    title: { 'zh-CN': `隐患已验收关闭：${short(h)}`, en: `Hazard closed after verification: ${short(h)}` },
  }),
  majorReported: (h: HazardRow): HazardNotice => ({
    type: 'hazard.major_reported',
    severity: 'critical',
    title: { 'zh-CN': `新报重大隐患：${short(h)}`, en: `Major hazard reported: ${short(h)}` },
    body: {
      'zh-CN': '重大隐患须制定治理方案、经管理层签批，并报告负有安全生产监督管理职责的部门。',
      en: 'A major hazard needs a treatment plan, management sign-off and a report to the supervising authority.',
    },
  }),
  majorClosed: (h: HazardRow): HazardNotice => ({
    type: 'hazard.major_closed',
    severity: 'warning',
    title: { 'zh-CN': `重大隐患已整改验收关闭：${short(h)}`, en: `Major hazard closed: ${short(h)}` },
  }),
  extensionRequested: (h: HazardRow, newDue: string): HazardNotice => ({
    type: 'hazard.extension_requested',
    title: { 'zh-CN': `整改延期申请待审批：${short(h)}`, en: `Extension request to decide: ${short(h)}` },
    body: { 'zh-CN': `申请延期至 ${newDue}`, en: `New deadline requested: ${newDue}` },
  }),
  extensionDecided: (h: HazardRow, approved: boolean, newDue: string): HazardNotice => ({
    type: approved ? 'hazard.extension_approved' : 'hazard.extension_refused',
    severity: 'info',
    title: approved
      ? { 'zh-CN': `延期申请已批准，新期限 ${newDue}：${short(h)}`, en: `Extension approved, new deadline ${newDue}: ${short(h)}` }
      : { 'zh-CN': `延期申请未获批准：${short(h)}`, en: `Extension refused: ${short(h)}` },
  }),
  regraded: (h: HazardRow, reason: string, due: string): HazardNotice => ({
    type: 'hazard.regraded',
    title: { 'zh-CN': `隐患等级/类别已调整：${short(h)}`, en: `Hazard regraded: ${short(h)}` },
    body: { 'zh-CN': `原因：${reason}；整改期限 ${due}`, en: `Reason: ${reason}; rectification due ${due}` },
  }),
  signoffRequested: (h: HazardRow): HazardNotice => ({
    type: 'hazard.signoff_requested',
    severity: 'warning',
    title: { 'zh-CN': `重大隐患治理方案待签批：${short(h)}`, en: `Major hazard treatment plan to sign off: ${short(h)}` },
  }),
  reminder: (h: HazardRow, phase: Phase, due: string): HazardNotice => ({
    type: 'hazard.sla_reminder',
    severity: 'warning',
    title: { 'zh-CN': `隐患${phaseZh[phase]}即将到期（${due}）：${short(h)}`, en: `Hazard ${phaseEn[phase]} due soon (${due}): ${short(h)}` },
  }),
  overdue: (h: HazardRow, phase: Phase, due: string): HazardNotice => ({
    type: 'hazard.overdue',
    severity: (h.level === 'general' ? 'warning' : 'critical') as Severity,
    title: { 'zh-CN': `隐患${phaseZh[phase]}已超期（期限 ${due}）：${short(h)}`, en: `Hazard ${phaseEn[phase]} overdue (due ${due}): ${short(h)}` },
    body: { 'zh-CN': '已升级至部门负责人（一级）。', en: 'Escalated to the department head (level 1).' },
  }),
  escalated: (h: HazardRow, phase: Phase, due: string): HazardNotice => ({
    type: 'hazard.escalated',
    severity: 'critical',
    title: { 'zh-CN': `隐患${phaseZh[phase]}超期未处理，升级至二级：${short(h)}`, en: `Hazard ${phaseEn[phase]} still overdue, escalated to level 2: ${short(h)}` },
    body: { 'zh-CN': `期限 ${due}`, en: `Due ${due}` },
  }),
};
