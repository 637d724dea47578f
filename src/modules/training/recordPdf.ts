import { openPdf } from '../../platform/pdf/document.ts';
import type { PersonFile } from './records.ts';

/**
 * A person's training file on paper (个人安全培训档案): A4, one row per record — time, content, hours,
 * trainer, result — and the total hours, as 安全生产法 Art. 28 / 3号令 Art. 24 want it kept.
 * Pure rendering: records.ts gathers the data.
 */
export interface RecordPrint extends PersonFile {
  companyName: string;
  unitName: string | null;
  printedOn: string;
  timeZone: string;
}

const cols = [
  { title: '时间', width: 90 },
  { title: '培训内容', width: 215 },
  { title: '学时', width: 35 },
  { title: '讲师', width: 60 },
  { title: '结果', width: 83 },
];

export async function renderRecordPdf(p: RecordPrint): Promise<Buffer> {
  const pdf = await openPdf({ size: 'A4', margins: { top: 50, bottom: 50, left: 56, right: 56 }, info: { Title: `Training record ${p.person.employeeNo}`, Author: p.companyName, Creator: 'SafeLoop' } });
  const { doc } = pdf;
  doc.font('cjk-bold').fontSize(16).text(`${p.companyName} 个人安全培训档案`, { align: 'center' });
  doc.moveDown(0.6);
  doc.font('cjk').fontSize(10);
  doc.text(`姓名：${p.person.name}    工号：${p.person.employeeNo}    部门：${p.unitName ?? '—'}    人员类别：${p.person.kind === 'contractor' ? '承包商' : '员工'}`);
  doc.text(`累计学时：${p.totalHours}    记录条数：${p.items.length}    打印日期：${p.printedOn}`);
  doc.moveDown(0.6);
  const left = doc.page.margins.left;
  const row = (cells: string[], bold: boolean) => {
    const y = doc.y;
    doc.font(bold ? 'cjk-bold' : 'cjk').fontSize(9);
    let x = left;
    let h = 0;
    cells.forEach((c, i) => {
      const w = cols[i]!.width;
      h = Math.max(h, doc.heightOfString(c, { width: w - 6 }));
    });
    if (y + h + 8 > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      return row(cells, bold);
    }
    cells.forEach((c, i) => {
      const w = cols[i]!.width;
      doc.text(c, x + 3, y + 4, { width: w - 6 });
      doc.rect(x, y, w, h + 8).stroke('#999999');
      x += w;
    });
    doc.x = left;
    doc.y = y + h + 8;
  };
  row(
    cols.map((c) => c.title),
    true,
  );
  const fmt = new Intl.DateTimeFormat('zh-CN', { timeZone: p.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
  for (const r of p.items) row([fmt.format(new Date(r.at)), r.content, String(r.hours), r.trainer ?? '—', r.result ?? '—'], false);
  if (p.items.length === 0) doc.text('暂无培训记录');
  doc.moveDown(2);
  doc.font('cjk').fontSize(10).text('本人签字：________________        安全管理部门（盖章）：________________', left);
  return pdf.finish();
}
