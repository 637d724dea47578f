import { bytesOf, findCjkFont, fontMissing } from './fonts.ts';

/**
 * A PDF document with the CJK faces registered as `cjk` and `cjk-bold`, and a QR drawer. pdfkit and qrcode
 * are loaded with the first document, not at start (a static import of pdfkit alone costs ~0.5–1 s of every
 * start; see the import rule in eslint.config.js).
 */
export interface PdfDocument {
  doc: PDFKit.PDFDocument;
  /** Draws `url` as a QR code of vector squares: sharp at any zoom and on any printer, no image decoding. */
  drawQr(url: string, x: number, y: number, size: number): void;
  /** Ends the document and resolves with its bytes. */
  finish(): Promise<Buffer>;
}

/** Throws 503 `pdf_font_missing` (naming the Debian package) when the machine has no CJK font. */
export async function openPdf(options: PDFKit.PDFDocumentOptions): Promise<PdfDocument> {
  const fonts = findCjkFont();
  if (!fonts) throw fontMissing();
  const [{ default: PDFDocument }, { default: QRCode }] = await Promise.all([import('pdfkit'), import('qrcode')]);
  const doc = new PDFDocument(options);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', bytesOf(fonts.regular.path), fonts.regular.name);
  doc.registerFont('cjk-bold', bytesOf(fonts.bold.path), fonts.bold.name);
  return {
    doc,
    drawQr(url, x, y, size) {
      const qr = QRCode.create(url, { errorCorrectionLevel: 'M' });
      const n = qr.modules.size;
      const quiet = 2;
      const cell = size / (n + quiet * 2);
      doc.save();
      doc.rect(x, y, size, size).fill('#ffffff');
      doc.fillColor('#000000');
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          if (qr.modules.get(r, c)) doc.rect(x + (c + quiet) * cell, y + (r + quiet) * cell, cell + 0.05, cell + 0.05);
        }
      }
      doc.fill();
      doc.restore();
    },
    finish() {
      doc.end();
      return done;
    },
  };
}

/** A QR code as PNG or SVG bytes (labels on screen, downloads). */
export async function qrImage(url: string, format: 'png' | 'svg', opts: { width?: number; margin?: number } = {}): Promise<Buffer> {
  const { default: QRCode } = await import('qrcode');
  const common = { errorCorrectionLevel: 'M' as const, margin: opts.margin ?? 2 };
  return format === 'png'
    ? QRCode.toBuffer(url, { ...common, type: 'png', width: opts.width ?? 512 })
    : Buffer.from(await QRCode.toString(url, { ...common, type: 'svg' }), 'utf8');
}
