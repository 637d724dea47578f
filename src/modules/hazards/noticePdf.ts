import { openPdf } from '../../platform/pdf/document.ts';
import type { HazardLevel } from './schema.ts';

/**
 * The rectification notice (整改通知书) on paper: A4, red-headed like an official notice, one box per finding
 * with its photo and a QR code that opens the hazard, signature lines for the issuer and the receiver.
 * Pure rendering: the service gathers the data (notice.ts).
 */

export interface NoticeFinding {
  hazardId: string;
  number: string;
  title: string;
  areaName: string | null;
  categoryLabel: string;
  level: HazardLevel;
  levelLabel: string;
  description: string | null;
  measures: string | null;
  deadline: string | null;
  /** JPEG bytes of the first photo's thumbnail, when storage has it. */
  photo: Buffer | null;
  /** What the QR code encodes: the hazard's page in the web app. */
  qrUrl: string;
}

export interface NoticePrint {
  locale: 'zh-CN' | 'en';
  companyName: string;
  number: string;
  departmentName: string;
  issuedDate: string;
  issuerName: string | null;
  issuerUnitName: string | null;
  findings: NoticeFinding[];
}

// ---------------------------------------------------------------------------------------------------------
// Texts (the tenant's language; Chinese first)
// ---------------------------------------------------------------------------------------------------------

const texts = {
  'zh-CN': {
    title: '隐患整改通知书',
    numberLabel: '编号：',
    to: (dept: string) => `${dept}：`,
    intro: (n: number) =>
      `经检查，你单位存在下列事故隐患，共 ${n} 项。依据《中华人民共和国安全生产法》第四十一条及公司隐患排查治理制度，现通知你单位按照“五到位”（整改措施、资金、期限、责任人、应急预案）要求，在规定期限内完成整改；整改期间须落实临时安全防范措施。整改完成后请在系统中上传整改后照片并提交复查验收。逾期未完成整改的，将按公司安全生产考核办法处理。`,
    item: (i: number) => `第 ${i} 项`,
    name: '隐患名称',
    area: '所在区域',
    category: '隐患类别',
    level: '隐患等级',
    description: '隐患描述',
    measures: '整改要求',
    deadline: '整改期限',
    none: '—',
    measuresDefault: '由责任部门制定整改方案，消除隐患并提交复查。',
    scan: '扫码查看隐患',
    noPhoto: '（无照片）',
    issuerUnit: '签发部门（盖章）：',
    issuer: '签发人（签字）：',
    receiverUnit: '整改责任部门：',
    receiver: '接收人（签字）：',
    date: '日期：',
    blankDate: '　　年　　月　　日',
    copies: '本通知书一式两份，签发部门和整改责任部门各执一份。扫描二维码可查看隐患详情和整改进度。',
    page: (p: number, n: number) => `第 ${p} 页 / 共 ${n} 页`,
  },
  en: {
    title: 'Hazard Rectification Notice',
    numberLabel: 'No. ',
    to: (dept: string) => `To: ${dept}`,
    intro: (n: number) =>
      `An inspection found the ${n} hazard(s) listed below in your department. Under Art. 41 of the Work Safety Law and the company's hazard management rules, rectify each one by its deadline with measures, funds, a deadline, a responsible person and interim safety measures in place. When done, upload after-photos and submit the fix for verification. Overdue rectification is assessed under the company's safety rules.`,
    item: (i: number) => `Finding ${i}`,
    name: 'Hazard',
    area: 'Area',
    category: 'Category',
    level: 'Level',
    description: 'Description',
    measures: 'Required measures',
    deadline: 'Deadline',
    none: '—',
    measuresDefault: 'The responsible department plans the fix, removes the hazard and submits it for verification.',
    scan: 'Scan to open',
    noPhoto: '(no photo)',
    issuerUnit: 'Issued by (seal): ',
    issuer: 'Issuer (signature): ',
    receiverUnit: 'Responsible department: ',
    receiver: 'Received by (signature): ',
    date: 'Date: ',
    blankDate: '____-__-__',
    copies: 'Two copies: one for the issuing office, one for the responsible department. Scan a QR code for the hazard and its progress.',
    page: (p: number, n: number) => `Page ${p} of ${n}`,
  },
} as const;

// reference §2.2 palette: 重大 red, 较大 orange, 一般 yellow (darkened so it reads on paper).
const levelColour: Record<HazardLevel, string> = { major: '#c8161d', serious: '#d46b08', general: '#ad8b00' };
const RED = '#c8161d';
const INK = '#1f1f1f';
const GREY = '#595959';
const RULE = '#8c8c8c';

// ---------------------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------------------

export interface RenderOptions {
  /** Uncompressed content streams (tests read the drawing operators). */
  compress?: boolean;
}

export async function renderNoticePdf(print: NoticePrint, opts: RenderOptions = {}): Promise<Buffer> {
  const t = texts[print.locale];
  const pdf = await openPdf({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 56, right: 56 },
    bufferPages: true,
    compress: opts.compress ?? true,
    info: {
      Title: `${t.title} ${print.number}`,
      Author: print.companyName,
      // ASCII on purpose: readable in the file's trailer without a PDF library.
      Subject: `${print.number} ${print.findings.map((f) => f.number).join(' ')}`,
      Creator: 'SafeLoop',
    },
  });
  const { doc } = pdf;

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom - 8;

  // ---- red head: company, title, red rule, number ----
  doc.font('cjk-bold').fontSize(15).fillColor(RED).text(print.companyName, left, 56, { width, align: 'center', characterSpacing: 2 });
  doc.moveDown(0.3);
  doc.font('cjk-bold').fontSize(26).fillColor(RED).text(t.title, left, doc.y, { width, align: 'center', characterSpacing: print.locale === 'zh-CN' ? 6 : 1 });
  doc.moveDown(0.4);
  const ruleY = doc.y;
  doc.save().lineWidth(2).strokeColor(RED).moveTo(left, ruleY).lineTo(left + width, ruleY).stroke();
  doc.lineWidth(0.6).moveTo(left, ruleY + 3.5).lineTo(left + width, ruleY + 3.5).stroke().restore();
  doc.font('cjk').fontSize(11).fillColor(INK).text(`${t.numberLabel}${print.number}`, left, ruleY + 10, { width, align: 'right' });

  // ---- addressee and body ----
  doc.moveDown(0.6);
  doc.font('cjk-bold').fontSize(13).fillColor(INK).text(t.to(print.departmentName), left, doc.y, { width });
  doc.moveDown(0.4);
  doc.font('cjk').fontSize(11).fillColor(INK).text(t.intro(print.findings.length), left, doc.y, { width, indent: print.locale === 'zh-CN' ? 22 : 0, lineGap: 4, align: 'justify' });
  doc.moveDown(0.8);

  // ---- one box per finding ----
  const labelW = print.locale === 'zh-CN' ? 62 : 96;
  const sideW = 112;
  const valueW = width - labelW - sideW - 16;
  const pad = 6;
  for (const [i, f] of print.findings.entries()) {
    const rows: { label: string; value: string; colour?: string }[] = [
      { label: t.name, value: f.title },
      { label: t.area, value: f.areaName ?? t.none },
      { label: t.category, value: f.categoryLabel },
      { label: t.level, value: f.levelLabel, colour: levelColour[f.level] },
      { label: t.description, value: f.description ?? t.none },
      { label: t.measures, value: f.measures ?? t.measuresDefault },
      { label: t.deadline, value: f.deadline ?? t.none },
    ];
    doc.font('cjk').fontSize(10);
    const heights = rows.map((r) => Math.max(doc.heightOfString(r.value, { width: valueW, lineGap: 2 }), doc.heightOfString(r.label, { width: labelW - pad })) + 6);
    const headerH = 22;
    const photoH = 74;
    const qrSize = 70;
    const sideH = photoH + 6 + qrSize + 12;
    const bodyH = Math.max(heights.reduce((a, b) => a + b, 0) + pad * 2, sideH + pad);
    const boxH = headerH + bodyH;
    if (doc.y + boxH > bottom()) doc.addPage();
    const top = doc.y;

    // Header band: item number, hazard number, level.
    doc.save().rect(left, top, width, headerH).fill('#f5f5f5').restore();
    doc.font('cjk-bold').fontSize(11).fillColor(INK).text(`${t.item(i + 1)}    ${f.number}`, left + pad, top + 5, { width: width - 2 * pad - 80, lineBreak: false });
    doc.font('cjk-bold').fontSize(11).fillColor(levelColour[f.level]).text(f.levelLabel, left + width - 80 - pad, top + 5, { width: 80, align: 'right', lineBreak: false });

    // Label / value rows.
    let y = top + headerH + pad;
    for (const [k, r] of rows.entries()) {
      doc.font('cjk-bold').fontSize(10).fillColor(GREY).text(r.label, left + pad, y, { width: labelW - pad });
      doc.font('cjk').fontSize(10).fillColor(r.colour ?? INK).text(r.value, left + labelW, y, { width: valueW, lineGap: 2 });
      y += heights[k] ?? 0;
    }

    // Side column: photo thumbnail, then the QR code that opens the hazard.
    const sx = left + width - sideW - pad + 4;
    let sy = top + headerH + pad;
    if (f.photo) {
      try {
        doc.image(f.photo, sx, sy, { fit: [sideW - 4, photoH], align: 'center', valign: 'center' });
      } catch {
        // An unreadable thumbnail must not cost the whole notice.
        doc.font('cjk').fontSize(8).fillColor(GREY).text(t.noPhoto, sx, sy + photoH / 2 - 5, { width: sideW - 4, align: 'center' });
      }
    } else {
      doc.save().rect(sx, sy, sideW - 4, photoH).lineWidth(0.5).dash(2, { space: 2 }).strokeColor('#bfbfbf').stroke().undash().restore();
      doc.font('cjk').fontSize(8).fillColor(GREY).text(t.noPhoto, sx, sy + photoH / 2 - 5, { width: sideW - 4, align: 'center' });
    }
    sy += photoH + 6;
    const qx = sx + (sideW - 4 - qrSize) / 2;
    pdf.drawQr(f.qrUrl, qx, sy, qrSize);
    doc.font('cjk').fontSize(7.5).fillColor(GREY).text(t.scan, sx, sy + qrSize + 1, { width: sideW - 4, align: 'center' });

    doc.save().lineWidth(0.8).strokeColor(RULE).rect(left, top, width, boxH).stroke();
    doc.moveTo(left, top + headerH).lineTo(left + width, top + headerH).stroke().restore();
    doc.y = top + boxH + 12;
    doc.x = left;
  }

  // ---- signatures: issued by / received by ----
  const sigH = 120;
  if (doc.y + sigH > bottom()) doc.addPage();
  doc.moveDown(0.6);
  const half = width / 2;
  /** Label, then either a printed value or a line to sign on (with the printed name beside it, small). */
  const field = (label: string, x: number, y: number, value: string | null, printedName?: string | null) => {
    doc.font('cjk').fontSize(11).fillColor(INK).text(label, x, y, { lineBreak: false });
    const vx = x + doc.widthOfString(label);
    if (value !== null) {
      doc.text(value, vx, y, { width: half - 10 - (vx - x), lineBreak: false, ellipsis: true });
      return;
    }
    const lineEnd = x + half - 16 - (printedName ? 70 : 0);
    doc.save().lineWidth(0.6).strokeColor(INK).moveTo(vx + 2, y + 14).lineTo(lineEnd, y + 14).stroke().restore();
    if (printedName) doc.font('cjk').fontSize(8.5).fillColor(GREY).text(`（${printedName.slice(0, 12)}）`, lineEnd + 2, y + 3, { lineBreak: false });
  };
  const sy0 = doc.y;
  field(t.issuerUnit, left, sy0, print.issuerUnitName ?? null);
  field(t.receiverUnit, left + half, sy0, print.departmentName);
  const sy1 = sy0 + 30;
  field(t.issuer, left, sy1, null, print.issuerName);
  field(t.receiver, left + half, sy1, null);
  const sy2 = sy1 + 30;
  field(t.date, left, sy2, print.issuedDate);
  field(t.date, left + half, sy2, t.blankDate);
  doc.font('cjk').fontSize(8.5).fillColor(GREY).text(t.copies, left, sy2 + 34, { width, align: 'left' });

  // ---- page footers (pages are buffered, so "page p of n" is known) ----
  const range = doc.bufferedPageRange();
  for (let p = range.start; p < range.start + range.count; p++) {
    doc.switchToPage(p);
    const fy = doc.page.height - doc.page.margins.bottom + 14;
    // Writing inside the bottom margin would start a new page; lift the margin while drawing the footer.
    const savedBottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('cjk')
      .fontSize(8)
      .fillColor(GREY)
      .text(`${print.number}    ${t.page(p - range.start + 1, range.count)}`, left, fy, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = savedBottom;
  }
  return pdf.finish();
}
