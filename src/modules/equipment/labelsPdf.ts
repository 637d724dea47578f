import { renderQrLabelSheet } from '../../platform/pdf/labelSheet.ts';

/**
 * Checkpoint QR labels (the A4 label sheet of platform/pdf), each with the checkpoint's QR code, its name,
 * area and equipment. qr.ts gathers the data.
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

export function renderCheckpointLabelsPdf(print: CheckpointLabelsPrint): Promise<Buffer> {
  const t = texts[print.locale];
  return renderQrLabelSheet({
    title: t.title,
    author: print.companyName,
    emptyText: t.empty,
    action: t.scan,
    hint: t.hint,
    accent: '#0958d9',
    qrMm: 34,
    labels: print.labels.map((l) => ({
      name: l.name,
      lines: [`${t.area}${l.areaName}`, l.equipment ? `${t.equipment}${l.equipment}` : ''],
      url: l.url,
      footer: [print.companyName],
    })),
  });
}
