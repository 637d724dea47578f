/** Notification texts of the equipment module (zh-CN first, en beside it). */

export type Locale = 'zh-CN' | 'en';
export type Text = Record<Locale, string>;

export interface DueFacts {
  code: string;
  name: string;
  registrationNo: string | null;
  day: string;
  daysLeft: number;
}

const reg = (f: DueFacts, l: Locale) => (f.registrationNo ? (l === 'en' ? `, registration No. ${f.registrationNo}` : `，使用登记证编号 ${f.registrationNo}`) : '');

export const notices = {
  inspectionDue: (f: DueFacts): { type: string; title: Text; body: Text } => ({
    type: 'equipment.inspection_due',
    title:
      f.daysLeft <= 0
        ? { 'zh-CN': `设备今日到期检验：${f.code} ${f.name}`, en: `Statutory inspection due today: ${f.code} ${f.name}` }
        : { 'zh-CN': `设备即将到期检验：${f.code} ${f.name}`, en: `Statutory inspection due soon: ${f.code} ${f.name}` },
    body: {
      'zh-CN': `${f.name}（${f.code}${reg(f, 'zh-CN')}）的定期检验应于 ${f.day} 前完成${f.daysLeft > 0 ? `（还剩 ${f.daysLeft} 天）` : ''}。请提前向检验机构申请检验；未经定期检验或检验不合格的特种设备不得继续使用。`,
      en: `${f.name} (${f.code}${reg(f, 'en')}) must pass its periodic inspection by ${f.day}${f.daysLeft > 0 ? ` (${f.daysLeft} days left)` : ''}. Book the inspection body in time: special equipment without a valid inspection must not be used.`,
    },
  }),
};
