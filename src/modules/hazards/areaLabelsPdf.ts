import { renderQrLabelSheet } from '../../platform/pdf/labelSheet.ts';

/**
 * Area QR labels (the A4 label sheet of platform/pdf), each with the QR code of the area's report link, the
 * area's name and where it sits in the tree. areas.ts gathers the data.
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

export function renderAreaLabelsPdf(print: AreaLabelsPrint): Promise<Buffer> {
  const t = texts[print.locale];
  return renderQrLabelSheet({
    title: t.title,
    author: print.companyName,
    emptyText: t.empty,
    action: t.scan,
    hint: t.hint,
    accent: '#c8161d',
    // Bigger than a checkpoint's: an area label is scanned from further away, often from below.
    qrMm: 38,
    labels: print.labels.map((l) => ({ name: l.name, lines: [l.trail], url: l.url, footer: [print.companyName, l.code] })),
  });
}
