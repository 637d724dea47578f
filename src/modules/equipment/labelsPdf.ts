import { openPdf } from '../../platform/pdf/document.ts';

/**
 * Checkpoint QR labels on A4: 2 columns × 4 rows of 85 × 62 mm labels with cut marks, each with the
 * checkpoint's QR code, its name, area and equipment. Pure rendering (qr.ts gathers the data); fonts, the
 * 503 pdf_font_missing answer and the lazy pdfkit/qrcode imports come from src/platform/pdf/.
 */

export interface CheckpointLabel {
  name: string;
  areaName: string;
  equipment: string | null;
  url: string;
}

export interface CheckpointLabelsPrint {
  locale: 'zh-CN' | 'en';
  companyName: string;
  labels: CheckpointLabel[];
}

const texts = {
  'zh-CN': { title: '巡检点二维码', scan: '巡检扫码', hint: '到达本点后用手机扫码打卡，再进行检查', area: '区域：', equipment: '设备：', empty: '没有可打印的巡检点。' },
  en: { title: 'Checkpoint QR labels', scan: 'Scan at check', hint: 'Scan with a phone when you reach this point, then do the check', area: 'Area: ', equipment: 'Equipment: ', empty: 'No checkpoints to print.' },
} as const;

const MM = 72 / 25.4;
const COLS = 2;
const ROWS = 4;
const LABEL_W = 85 * MM;
const LABEL_H = 62 * MM;
const INK = '#1f1f1f';
const GREY = '#595959';
const ACCENT = '#0958d9';

export async function renderCheckpointLabelsPdf(print: CheckpointLabelsPrint): Promise<Buffer> {
  const t = texts[print.locale];
  const { doc, drawQr, finish } = await openPdf({ size: 'A4', margins: { top: 0, bottom: 0, left: 0, right: 0 }, info: { Title: t.title, Author: print.companyName, Creator: 'SafeLoop' } });
  const gridX = (doc.page.width - COLS * LABEL_W) / 2;
  const gridY = (doc.page.height - ROWS * LABEL_H) / 2;
  if (print.labels.length === 0) doc.font('cjk').fontSize(14).fillColor(INK).text(t.empty, 56, 80);
  for (const [i, label] of print.labels.entries()) {
    const slot = i % (COLS * ROWS);
    if (i > 0 && slot === 0) doc.addPage();
    const x = gridX + (slot % COLS) * LABEL_W;
    const y = gridY + Math.floor(slot / COLS) * LABEL_H;
    doc.save().lineWidth(0.4).dash(3, { space: 3 }).strokeColor('#bfbfbf').rect(x, y, LABEL_W, LABEL_H).stroke().undash().restore();
    const pad = 5 * MM;
    const inner = LABEL_W - 2 * pad;
    doc.font('cjk-bold').fontSize(15).fillColor(INK).text(label.name, x + pad, y + pad, { width: inner, height: 20, ellipsis: true, lineBreak: false });
    doc.font('cjk').fontSize(8.5).fillColor(GREY).text(`${t.area}${label.areaName}`, x + pad, y + pad + 20, { width: inner, height: 12, ellipsis: true, lineBreak: false });
    if (label.equipment) doc.font('cjk').fontSize(8.5).fillColor(GREY).text(`${t.equipment}${label.equipment}`, x + pad, y + pad + 31, { width: inner, height: 12, ellipsis: true, lineBreak: false });
    const qrSize = 34 * MM;
    const qy = y + LABEL_H - pad - qrSize;
    drawQr(label.url, x + pad - 2, qy, qrSize);
    const tx = x + pad + qrSize + 2 * MM;
    const tw = LABEL_W - (tx - x) - pad;
    doc.font('cjk-bold').fontSize(13).fillColor(ACCENT).text(t.scan, tx, qy + 8, { width: tw });
    doc.font('cjk').fontSize(8).fillColor(GREY).text(t.hint, tx, doc.y + 6, { width: tw, lineGap: 2 });
    doc.font('cjk').fontSize(7).fillColor(GREY).text(print.companyName, tx, y + LABEL_H - pad - 9, { width: tw, height: 10, ellipsis: true, lineBreak: false });
  }
  return finish();
}
