import { openPdf } from './document.ts';

/**
 * QR labels on A4 to cut out and stick on site: 2 columns × 4 rows of 85 × 62 mm labels with dashed cut
 * lines. Each label has its name across the top (read from a distance), a few lines saying where it is, the
 * QR code bottom left and, beside it, what to do with it. Used for area report codes, checkpoints and any
 * other place a phone scans.
 */
export interface QrLabel {
  name: string;
  /** Small grey lines under the name (place in the tree, equipment…); empty lines are skipped. */
  lines: string[];
  url: string;
  /** Small lines at the bottom beside the code, top to bottom (company, a code to read out…). */
  footer: string[];
}

export interface QrLabelSheet {
  title: string;
  author: string;
  /** Printed on the first page when there is nothing to print, instead of a blank sheet. */
  emptyText: string;
  /** The call to action beside the code, in the accent colour, and the hint under it. */
  action: string;
  hint: string;
  accent: string;
  /** Side of the QR code in millimetres (bigger scans from further away; the label is 62 mm high). */
  qrMm: number;
  labels: QrLabel[];
}

const MM = 72 / 25.4;
const COLS = 2;
const ROWS = 4;
const LABEL_W = 85 * MM;
const LABEL_H = 62 * MM;
const PAD = 5 * MM;
const INK = '#1f1f1f';
const GREY = '#595959';

export async function renderQrLabelSheet(sheet: QrLabelSheet): Promise<Buffer> {
  const { doc, drawQr, finish } = await openPdf({ size: 'A4', margins: { top: 0, bottom: 0, left: 0, right: 0 }, info: { Title: sheet.title, Author: sheet.author, Creator: 'SafeLoop' } });
  const gridX = (doc.page.width - COLS * LABEL_W) / 2;
  const gridY = (doc.page.height - ROWS * LABEL_H) / 2;
  if (sheet.labels.length === 0) doc.font('cjk').fontSize(14).fillColor(INK).text(sheet.emptyText, 56, 80);
  const inner = LABEL_W - 2 * PAD;
  const qrSize = sheet.qrMm * MM;
  const oneLine = { ellipsis: true, lineBreak: false } as const;
  for (const [i, label] of sheet.labels.entries()) {
    const slot = i % (COLS * ROWS);
    if (i > 0 && slot === 0) doc.addPage();
    const x = gridX + (slot % COLS) * LABEL_W;
    const y = gridY + Math.floor(slot / COLS) * LABEL_H;
    doc.save().lineWidth(0.4).dash(3, { space: 3 }).strokeColor('#bfbfbf').rect(x, y, LABEL_W, LABEL_H).stroke().undash().restore();
    doc.font('cjk-bold').fontSize(15).fillColor(INK).text(label.name, x + PAD, y + PAD, { width: inner, height: 20, ...oneLine });
    let lineY = y + PAD + 20;
    for (const line of label.lines.filter(Boolean)) {
      doc.font('cjk').fontSize(8.5).fillColor(GREY).text(line, x + PAD, lineY, { width: inner, height: 12, ...oneLine });
      lineY += 11;
    }
    const qy = y + LABEL_H - PAD - qrSize;
    drawQr(label.url, x + PAD - 2, qy, qrSize);
    const tx = x + PAD + qrSize + 2 * MM;
    const tw = LABEL_W - (tx - x) - PAD;
    doc.font('cjk-bold').fontSize(13).fillColor(sheet.accent).text(sheet.action, tx, qy + 8, { width: tw });
    doc.font('cjk').fontSize(8).fillColor(GREY).text(sheet.hint, tx, doc.y + 6, { width: tw, lineGap: 2 });
    const footer = label.footer.filter(Boolean);
    for (const [n, line] of footer.entries()) {
      doc.font('cjk').fontSize(7).fillColor(GREY).text(line, tx, y + LABEL_H - PAD - 9 - 11 * (footer.length - 1 - n), { width: tw, height: 10, ...oneLine });
    }
  }
  return finish();
}
