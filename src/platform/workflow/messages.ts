import type { Locale } from '../http/errors.ts';

/** Notification and history texts of the engine, in the tenant's language. */
type Text = Record<Locale, string>;

export const workflowTexts = {
  taskAssigned: (title: string, node: string): Text => ({ 'zh-CN': `待审批：${title}（${node}）`, en: `To approve: ${title} (${node})` }),
  taskDelegated: (title: string, node: string, principal: string): Text => ({
    'zh-CN': `待审批（代${principal}）：${title}（${node}）`,
    en: `To approve on behalf of ${principal}: ${title} (${node})`,
  }),
  taskReminder: (title: string, node: string): Text => ({ 'zh-CN': `审批催办：${title}（${node}）已超时`, en: `Reminder: ${title} (${node}) is overdue` }),
  taskEscalated: (title: string, node: string): Text => ({ 'zh-CN': `审批超时转交给您：${title}（${node}）`, en: `Escalated to you (overdue): ${title} (${node})` }),
  taskTransferred: (title: string, node: string, from: string): Text => ({ 'zh-CN': `${from}将审批转交给您：${title}（${node}）`, en: `${from} handed this approval over to you: ${title} (${node})` }),
  commented: (title: string, by: string): Text => ({ 'zh-CN': `${by}评论了审批：${title}`, en: `${by} commented on: ${title}` }),
  cc: (title: string, node: string): Text => ({ 'zh-CN': `抄送：${title}（${node}）`, en: `For your information: ${title} (${node})` }),
  approved: (title: string): Text => ({ 'zh-CN': `审批通过：${title}`, en: `Approved: ${title}` }),
  rejected: (title: string): Text => ({ 'zh-CN': `审批驳回：${title}`, en: `Rejected: ${title}` }),
  sentBack: (title: string): Text => ({ 'zh-CN': `审批退回，请修改后重新提交：${title}`, en: `Sent back to you; change and resubmit: ${title}` }),
  autoApproved: { 'zh-CN': '超时自动通过', en: 'Approved automatically after the time limit' } as Text,
  autoRejected: { 'zh-CN': '超时自动驳回', en: 'Rejected automatically after the time limit' } as Text,
};
