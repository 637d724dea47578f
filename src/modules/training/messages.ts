/** Notification and reason texts of the training module (zh-CN first, en beside it). */

export type Locale = 'zh-CN' | 'en';
export type Text = Record<Locale, string>;

export interface ReminderFacts {
  personName: string;
  certificate: Text;
  number: string;
  day: string;
  daysLeft: number;
}

export const notices = {
  expiring: (f: ReminderFacts): { type: string; title: Text; body: Text } => ({
    type: 'training.certificate_expiring',
    title: { 'zh-CN': `证书即将到期：${f.personName} ${f.certificate['zh-CN']}`, en: `Certificate expiring: ${f.personName}, ${f.certificate.en}` },
    body: {
      'zh-CN': `证号 ${f.number}，有效期至 ${f.day}（还剩 ${f.daysLeft} 天）。请及时办理延期换证。`,
      en: `No. ${f.number} is valid until ${f.day} (${f.daysLeft} days left). Please renew it in time.`,
    },
  }),
  reviewDue: (f: ReminderFacts): { type: string; title: Text; body: Text } => ({
    type: 'training.certificate_review_due',
    title: { 'zh-CN': `证书即将复审：${f.personName} ${f.certificate['zh-CN']}`, en: `Certificate review due: ${f.personName}, ${f.certificate.en}` },
    body: {
      'zh-CN': `证号 ${f.number}，复审截止 ${f.day}（还剩 ${f.daysLeft} 天）。逾期未复审的证书不能用于作业。`,
      en: `No. ${f.number} must be reviewed by ${f.day} (${f.daysLeft} days left). An overdue certificate does not count for work.`,
    },
  }),
};

export const reasonTexts = {
  missing: (what: Text): Text => ({ 'zh-CN': `缺少有效证书：${what['zh-CN']}`, en: `No valid certificate: ${what.en}` }),
  expired: (what: Text, number: string, day: string): Text => ({ 'zh-CN': `证书已过期：${what['zh-CN']}（${number}，有效期至 ${day}）`, en: `Certificate expired: ${what.en} (${number}, valid until ${day})` }),
  reviewOverdue: (what: Text, number: string, day: string): Text => ({
    'zh-CN': `证书逾期未复审：${what['zh-CN']}（${number}，复审截止 ${day}）`,
    en: `Certificate review overdue: ${what.en} (${number}, review was due by ${day})`,
  }),
  revoked: (what: Text, number: string, reason: string | null): Text => ({
    'zh-CN': `证书已吊销：${what['zh-CN']}（${number}）${reason ? `，原因：${reason}` : ''}`,
    en: `Certificate revoked: ${what.en} (${number})${reason ? `; reason: ${reason}` : ''}`,
  }),
  courseMissing: (title: string): Text => ({ 'zh-CN': `未完成岗位必修课程：${title}`, en: `Required course not completed: ${title}` }),
  courseExpired: (title: string, day: string): Text => ({ 'zh-CN': `岗位必修课程需复训：${title}（有效至 ${day}）`, en: `Required course due again: ${title} (counted until ${day})` }),
  induction: (levels: string[]): Text => ({
    'zh-CN': `三级安全教育未完成：${levels.map((l) => levelZh[l] ?? l).join('、')}`,
    en: `Three-level safety induction incomplete: ${levels.map((l) => levelEn[l] ?? l).join(', ')}`,
  }),
};

const levelZh: Record<string, string> = { company: '厂级', workshop: '车间级', team: '班组级' };
const levelEn: Record<string, string> = { company: 'company', workshop: 'workshop', team: 'team' };
