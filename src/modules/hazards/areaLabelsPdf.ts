import { openPdf } from '../../platform/pdf/document.ts';

/**
 * Area QR labels on A4: 2 columns × 4 rows of 85 × 62 mm labels with cut marks, each with the QR code of
 * the area's report link, the area's name and where it sits in the tree. Pure rendering (areas.ts gathers
 * the data); the same fonts as the rectification notice.
 */

export interface AreaLabel {
  name: string;
  /** Units above it, e.g. "一厂 › 铸造车间". */
  trail: string;
  code: string;
  url: string;
}

export interface AreaLabelsPrint {
  locale: 'zh-CN' | 'en';
  companyName: string;
  labels: AreaLabel[];
}

const texts = {
  'zh-CN': { title: '隐患上报区域二维码', scan: '扫码上报隐患', hint: '手机扫码，直接上报本区域隐患', empty: '没有可打印的区域。' },
  en: { title: 'Hazard report area codes', scan: 'Scan to report a hazard', hint: 'Scan with a phone to report a hazard in this area', empty: 'No areas to print.' },
} as const;

const MM = 72 / 25.4;
const COLS = 2;
const ROWS = 4;
const LABEL_W = 85 * MM;
const LABEL_H = 62 * MM;
const INK = '#1f1f1f';
const GREY = '#595959';
const ACCENT = '#c8161d';

export async function renderAreaLabelsPdf(print: AreaLabelsPrint): Promise<Buffer> {
  const t = texts[print.locale];
  const pdf = await openPdf({ size: 'A4', margins: { top: 0, bottom: 0, left: 0, right: 0 }, info: { Title: t.title, Author: print.companyName, Creator: 'SafeLoop' } });
  const { doc } = pdf;

  const gridX = (doc.page.width - COLS * LABEL_W) / 2;
  const gridY = (doc.page.height - ROWS * LABEL_H) / 2;
  if (print.labels.length === 0) doc.font('cjk').fontSize(14).fillColor(INK).text(t.empty, 56, 80);

  for (const [i, label] of print.labels.entries()) {
    const slot = i % (COLS * ROWS);
    if (i > 0 && slot === 0) doc.addPage();
    const x = gridX + (slot % COLS) * LABEL_W;
    const y = gridY + Math.floor(slot / COLS) * LABEL_H;
    // Dashed cut lines around each label.
    doc.save().lineWidth(0.4).dash(3, { space: 3 }).strokeColor('#bfbfbf').rect(x, y, LABEL_W, LABEL_H).stroke().undash().restore();
    const pad = 5 * MM;
    const inner = LABEL_W - 2 * pad;
    // Name and place across the top (read from a distance), the code and what to do with it below.
    doc.font('cjk-bold').fontSize(16).fillColor(INK).text(label.name, x + pad, y + pad, { width: inner, height: 22, ellipsis: true, lineBreak: false });
    doc.font('cjk').fontSize(8.5).fillColor(GREY).text(label.trail || ' ', x + pad, y + pad + 22, { width: inner, height: 12, ellipsis: true, lineBreak: false });
    const qrSize = 38 * MM;
    const qy = y + LABEL_H - pad - qrSize;
    pdf.drawQr(label.url, x + pad - 2, qy, qrSize);
    const tx = x + pad + qrSize + 2 * MM;
    const tw = LABEL_W - (tx - x) - pad;
    doc.font('cjk-bold').fontSize(13).fillColor(ACCENT).text(t.scan, tx, qy + 10, { width: tw });
    doc.font('cjk').fontSize(8).fillColor(GREY).text(t.hint, tx, doc.y + 6, { width: tw, lineGap: 2 });
    doc.font('cjk').fontSize(7).fillColor(GREY).text(print.companyName, tx, y + LABEL_H - pad - 20, { width: tw, height: 10, ellipsis: true, lineBreak: false });
    doc.font('cjk').fontSize(7).fillColor(GREY).text(label.code, tx, y + LABEL_H - pad - 9, { width: tw, height: 10, ellipsis: true, lineBreak: false });
  }
  return pdf.finish();
}
