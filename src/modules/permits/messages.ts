/** Notification texts of the permit module (zh-CN first, en beside it). */

export type Locale = 'zh-CN' | 'en';
export type Text = Record<Locale, string>;

export const notices = {
  suspended: (number: string, reason: string): { title: Text; body: Text } => ({
    title: { 'zh-CN': `作业票已暂停：${number}`, en: `Permit suspended: ${number}` },
    body: { 'zh-CN': `作业票 ${number} 已暂停作业：${reason}。恢复前须重新进行气体分析。`, en: `Work under permit ${number} is suspended: ${reason}. A new gas analysis is needed before resuming.` },
  }),
  expired: (number: string): { title: Text; body: Text } => ({
    title: { 'zh-CN': `作业票已过期：${number}`, en: `Permit expired: ${number}` },
    body: { 'zh-CN': `作业票 ${number} 已超过有效期，作业必须停止；继续作业须重新办理作业票。`, en: `Permit ${number} has passed its validity: the work must stop; a new permit is needed to go on.` },
  }),
  followUpDue: (number: string): { title: Text; body: Text } => ({
    title: { 'zh-CN': `动火后复查到期：${number}`, en: `Fire-watch round due: ${number}` },
    body: { 'zh-CN': `作业票 ${number} 的动火作业已结束，请到现场复查有无余火并拍照签字。`, en: `Hot work under permit ${number} has ended: check the site for smouldering fire, with photo and signature.` },
  }),
};

export const reasons = {
  gasFailed: { 'zh-CN': '气体分析不合格', en: 'gas analysis failed' },
  reanalysisOverdue: { 'zh-CN': '受限空间定期气体分析超时未做', en: 'periodic confined-space gas analysis overdue' },
} satisfies Record<string, Text>;
