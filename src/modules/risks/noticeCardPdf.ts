import { openPdf } from '../../platform/pdf/document.ts';
import type { RiskLevel } from './schema.ts';

/**
 * The risk notice card (风险告知卡) of one map area on A4: the area's highest level as a coloured header,
 * each risk event with its level, consequences, control measures; the emergency measures; a QR code that
 * opens the live area on the four-colour map. Pure rendering: noticeCard.ts gathers the data.
 */

export interface NoticeCardEvent {
  name: string;
  level: RiskLevel | null;
  levelLabel: string;
  colour: string | null;
  consequences: string | null;
  controls: string[];
}

export interface NoticeCardPrint {
  locale: 'zh-CN' | 'en';
  /** A card for a map area (default) or for a post (岗位风险告知卡: the risks a post controls). */
  subject?: 'area' | 'post';
  companyName: string;
  mapName: string;
  areaName: string;
  level: RiskLevel | null;
  levelLabel: string;
  colour: string | null;
  events: NoticeCardEvent[];
  emergency: string[];
  qrUrl: string;
  printedDate: string;
}

const texts = {
  'zh-CN': {
    title: '风险告知卡',
    area: '区域',
    post: '岗位',
    map: '平面图',
    level: '风险等级',
    events: '主要风险（危险有害因素）',
    consequences: '可能导致的事故',
    controls: '管控措施',
    emergency: '应急措施',
    none: '—',
    scan: '扫码查看实时风险',
    printed: '打印日期',
    noEvents: '该区域尚未关联风险事件',
  },
  en: {
    title: 'Risk notice card',
    area: 'Area',
    post: 'Post',
    map: 'Map',
    level: 'Risk level',
    events: 'Main risks (hazards)',
    consequences: 'Possible accidents',
    controls: 'Controls',
    emergency: 'Emergency measures',
    none: '—',
    scan: 'Scan for the live risk map',
    printed: 'Printed',
    noEvents: 'No risk events are linked to this area',
  },
} as const;

const INK = '#1f1f1f';
const GREY = '#595959';

/** Black text on yellow, white on the other level colours. */
const textOn = (hex: string) => {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  const lum = 0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return lum > 160 ? INK : '#ffffff';
};

export async function renderNoticeCardPdf(print: NoticeCardPrint): Promise<Buffer> {
  const t = texts[print.locale];
  const pdf = await openPdf({ size: 'A4', margin: 40, info: { Title: `${t.title} ${print.areaName}` } });
  const { doc } = pdf;
  const left = 40;
  const width = doc.page.width - 80;
  const bottom = doc.page.height - 50;
  const head = print.colour ?? '#8c8c8c';

  doc.rect(left, 40, width, 70).fill(head);
  doc.font('cjk-bold').fontSize(28).fillColor(textOn(head)).text(t.title, left, 52, { width, align: 'center', characterSpacing: print.locale === 'zh-CN' ? 8 : 1 });
  doc.font('cjk').fontSize(11).fillColor(textOn(head)).text(print.companyName, left, 90, { width, align: 'center' });

  const qrSize = 110;
  const infoTop = 125;
  const row = (label: string, value: string, y: number) => {
    doc.font('cjk-bold').fontSize(12).fillColor(GREY).text(label, left, y, { width: 80 });
    doc.font('cjk').fontSize(12).fillColor(INK).text(value, left + 80, y, { width: width - 80 - qrSize - 10 });
  };
  row(print.subject === 'post' ? t.post : t.area, print.areaName, infoTop);
  // A post card names the post's unit(s) in place of the map.
  row(print.subject === 'post' ? t.area : t.map, print.mapName, infoTop + 24);
  row(t.level, print.levelLabel, infoTop + 48);
  pdf.drawQr(print.qrUrl, left + width - qrSize, infoTop - 5, qrSize);
  doc.font('cjk').fontSize(8).fillColor(GREY).text(t.scan, left + width - qrSize, infoTop + qrSize - 2, { width: qrSize, align: 'center' });

  let y = infoTop + qrSize + 20;
  const ensure = (h: number) => {
    if (y + h > bottom) {
      doc.addPage();
      y = 40;
    }
  };
  const section = (title: string) => {
    ensure(30);
    doc.rect(left, y, width, 22).fill('#f0f0f0');
    doc.font('cjk-bold').fontSize(12).fillColor(INK).text(title, left + 8, y + 5, { width: width - 16 });
    y += 30;
  };
  const para = (text: string, indent = 0, font = 'cjk', size = 10, colour = INK) => {
    doc.font(font).fontSize(size);
    const h = doc.heightOfString(text, { width: width - indent, lineGap: 2 });
    ensure(h + 4);
    doc.fillColor(colour).text(text, left + indent, y, { width: width - indent, lineGap: 2 });
    y += h + 4;
  };

  section(t.events);
  if (print.events.length === 0) para(t.noEvents);
  print.events.forEach((e, i) => {
    ensure(40);
    const tag = e.colour ?? '#8c8c8c';
    doc.font('cjk-bold').fontSize(9);
    const tagW = doc.widthOfString(e.levelLabel) + 12;
    doc.rect(left, y, tagW, 16).fill(tag);
    doc.fillColor(textOn(tag)).text(e.levelLabel, left + 6, y + 3, { width: tagW - 6, lineBreak: false });
    doc.font('cjk-bold').fontSize(11).fillColor(INK).text(`${i + 1}. ${e.name}`, left + tagW + 8, y + 1, { width: width - tagW - 8 });
    y += 22;
    para(`${t.consequences}：${e.consequences ?? t.none}`, 12, 'cjk', 10, GREY);
    para(`${t.controls}：`, 12, 'cjk-bold', 10);
    for (const c of e.controls.length ? e.controls : [t.none]) para(`• ${c}`, 24);
    y += 4;
  });

  section(t.emergency);
  for (const line of print.emergency) para(`• ${line}`, 12);

  ensure(20);
  doc.font('cjk').fontSize(8).fillColor(GREY).text(`${t.printed}：${print.printedDate}`, left, bottom - 10, { width, align: 'right' });
  return pdf.finish();
}
