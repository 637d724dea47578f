import type { Ctx } from '../../platform/auth/actor.ts';
import { openPdf } from '../../platform/pdf/document.ts';
import { getPermit, type PermitDetail } from './views.ts';

/**
 * The permit on A4 in the familiar paper layout (GB 30871 Appendix A): title with number and grade, a
 * bordered table of the common fields, the numbered safety measures with 是否涉及 / 确认人, the gas
 * analysis table, the signature chain and 完工验收, and the e-permit QR in the top corner.
 */

const MM = 72 / 25.4;
const INK = '#1f1f1f';
const GREY = '#595959';

const roleZh: Record<string, string> = { leader: '作业负责人', worker: '作业人', fire_watch: '监火人', rigger: '司索人', signaler: '指挥', electrician: '电工', other: '其他' };
const statusZh: Record<string, string> = { draft: '草稿', gas_tested: '已气体分析', approving: '审批中', approved: '已批准', active: '作业中', suspended: '已暂停', closing: '待验收', closed: '已关闭', cancelled: '已取消', expired: '已过期' };

// Labels of the type-specific fields (Appendix A) on the paper form.
const fieldZh: Record<string, string> = { method: '动火方式', spaceName: '受限空间名称', formerMedium: '原有介质', action: '抽/堵', line: '管道名称', medium: '介质', blindNo: '盲板编号', heightM: '作业高度（m）', loadT: '吊物质量（t）', connectionPoint: '电源接入点', powerKw: '工作容量（kW）', voltageV: '工作电压（V）', depthM: '作业深度（m）', reason: '断路原因' };

const fmt = (iso: string | null) => (iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '');

export function statusUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/permit-status#${token}`;
}

export async function renderPermitPdf(p: PermitDetail, url: string | null): Promise<Buffer> {
  const { doc, drawQr, finish } = await openPdf({ size: 'A4', margins: { top: 40, bottom: 40, left: 40, right: 40 }, info: { Title: `${p.typeName} ${p.number}`, Creator: 'SafeLoop' } });
  const left = 40;
  const width = doc.page.width - 80;
  const qr = 28 * MM;
  if (url) drawQr(url, left + width - qr, 34, qr);
  const title = `${p.typeName}安全作业票`;
  doc.font('cjk-bold').fontSize(18).fillColor(INK).text(title, left, 44, { width: width - qr, align: 'center' });
  doc.font('cjk').fontSize(10).fillColor(GREY).text(`编号：${p.number}    ${p.grade === 'none' ? '' : `级别：${p.gradeName}    `}状态：${statusZh[p.status] ?? p.status}`, left, 72, { width: width - qr, align: 'center' });
  let y = 44 + qr;

  const row = (label: string, value: string, h = 18) => {
    const lw = 90;
    const textH = Math.max(h, doc.font('cjk').fontSize(9).heightOfString(value || ' ', { width: width - lw - 8 }) + 6, doc.font('cjk-bold').fontSize(9).heightOfString(label || ' ', { width: lw - 8 }) + 6);
    if (y + textH > doc.page.height - 50) {
      doc.addPage();
      y = 40;
    }
    doc.lineWidth(0.5).strokeColor(INK).rect(left, y, lw, textH).stroke().rect(left + lw, y, width - lw, textH).stroke();
    doc.font('cjk-bold').fontSize(9).fillColor(INK).text(label, left + 4, y + 4, { width: lw - 8 });
    doc.font('cjk').fontSize(9).fillColor(INK).text(value, left + lw + 4, y + 4, { width: width - lw - 8 });
    y += textH;
  };
  const heading = (text: string) => {
    if (y + 30 > doc.page.height - 50) {
      doc.addPage();
      y = 40;
    }
    doc.font('cjk-bold').fontSize(11).fillColor(INK).text(text, left, y + 8);
    y += 26;
  };

  row('申请单位', p.workUnit ?? '');
  row('作业地点', `${p.areaName ?? ''} ${p.location}`);
  row('作业内容', p.content);
  for (const [k, v] of Object.entries(p.fields)) row(fieldZh[k] ?? k, String(v));
  row('作业时间', `自 ${fmt(p.validFrom)} 至 ${fmt(p.validUntil)}`);
  row('申请人', p.applicantName ?? '');
  row('作业人员', p.workers.map((w) => `${w.name ?? ''}（${roleZh[w.role] ?? w.role}${w.certificateNo ? ` 证号 ${w.certificateNo}` : ''}）`).join('、'));
  row('监护人', p.guardianName ?? '');
  row('关联作业票', p.relatedPermitIds.length ? `${p.relatedPermitIds.length} 张` : '无');
  row('风险辨识', p.jsa.map((j, i) => `${i + 1}. ${j.step}：${j.hazard} → ${j.control}`).join('\n') || '—');

  heading('安全措施');
  for (const m of p.measures) {
    const involved = m.applicable === null ? '未确认' : m.applicable ? '涉及' : '不涉及';
    row(`${m.seq}`, `${m.text}    【${involved}】 确认人：${m.confirmedAt ? `${m.responsibleName ?? ''} ${fmt(m.confirmedAt)}` : ''}`);
  }

  heading('气体分析');
  if (p.gasReadings.length === 0) row('—', '无分析记录');
  for (const g of p.gasReadings) {
    const parts = [g.o2Pct !== null ? `O2 ${g.o2Pct}%` : null, g.flammablePct !== null ? `可燃气 ${g.flammablePct}%` : null, ...g.toxics.map((t) => `${t.code} ${t.value}`)].filter(Boolean).join('  ');
    row(fmt(g.takenAt).replace(' ', '\n'), `${g.point}：${parts}    ${g.passed ? '合格' : '不合格'}    分析人：${g.analystName}`);
  }

  heading('审批与验收');
  const approved = p.history.find((h) => h.to === 'approved');
  const active = p.history.find((h) => h.to === 'active');
  row('审批', approved ? `已批准 ${fmt(approved.at)}` : '');
  row('现场核验', active ? `已核验 ${fmt(active.at)}` : '');
  row('完工验收', p.closedAt ? `已验收 ${fmt(p.closedAt)}` : '');
  doc.font('cjk').fontSize(8).fillColor(GREY).text('扫描右上角二维码查看本作业票实时状态（有效 / 暂停 / 过期）。', left, y + 8, { width });
  return finish();
}

export async function permitPdf(ctx: Ctx, deps: { publicUrl: string }, id: string): Promise<{ pdf: Buffer; fileName: string }> {
  // The paper form is Chinese (Appendix A), whatever the reader's language.
  const p = await getPermit({ ...ctx, locale: 'zh-CN' }, id);
  const pdf = await renderPermitPdf(p, p.qrToken ? statusUrl(deps.publicUrl, p.qrToken) : null);
  return { pdf, fileName: `${p.number}.pdf` };
}
