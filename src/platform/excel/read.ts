import type ExcelJS from 'exceljs';
import { AppError } from '../http/errors.ts';

/** What the zip may inflate to: a 5 MB file of legitimate rows stays far below; a zip bomb does not. */
export const MAX_INFLATED_BYTES = 100 * 1024 * 1024;

/** One problem of an imported sheet, named the way a person finds it in Excel. */
export interface RowError {
  sheet: string;
  /** 1-based row number as Excel shows it (the header is row 1). */
  row: number;
  /** Stable field key (`phone`, `orgUnitCode`…). */
  field: string;
  /** The column header (zh-CN). */
  column: string;
  message: string;
}

/** A column of a ledger: the header in both languages, matched on import by either (or by its key). */
export interface SheetColumn<K extends string> {
  key: K;
  'zh-CN': string;
  en: string;
  /** Other header spellings accepted on import. */
  aliases?: string[];
  required?: boolean;
}

export interface SheetRow<K extends string> {
  /** 1-based row number as Excel shows it. */
  row: number;
  cells: Record<K, string>;
}

export interface ReadSheet<K extends string> {
  /** Keys of the columns present in the file (an absent optional column leaves existing data alone). */
  present: Set<K>;
  /** The header each present column had in the file. */
  headerOf: Map<K, string>;
  /** Rows with at least one non-empty cell; cells of absent columns are ''. */
  rows: SheetRow<K>[];
}

/** Sum of the uncompressed sizes in the zip's central directory, or null when this is not a zip at all. */
export function zipInflatedSize(buf: Buffer): number | null {
  if (buf.length < 22 || buf.readUInt32LE(0) !== 0x04034b50) return null;
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = buf.readUInt16LE(eocd + 10);
  let off = buf.readUInt32LE(eocd + 16);
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (off + 46 > buf.length || buf.readUInt32LE(off) !== 0x02014b50) return null;
    const size = buf.readUInt32LE(off + 24);
    // 0xFFFFFFFF means the real size is in a zip64 field: far beyond anything we accept anyway.
    total += size === 0xffffffff ? Number.MAX_SAFE_INTEGER / 2 : size;
    off += 46 + buf.readUInt16LE(off + 28) + buf.readUInt16LE(off + 30) + buf.readUInt16LE(off + 32);
  }
  return total;
}

/**
 * Opens an uploaded .xlsx: refuses what is not a zip, what would inflate past the limit (a zip bomb) and
 * what exceljs cannot read, each as a 4xx naming the file field. exceljs is loaded here, on first use.
 */
export async function loadWorkbook(file: Buffer): Promise<ExcelJS.Workbook> {
  const inflated = zipInflatedSize(file);
  if (inflated === null) throw new AppError('unsupported_media_type', 'file: not an .xlsx workbook (Excel 2007 or later)');
  if (inflated > MAX_INFLATED_BYTES) throw new AppError('payload_too_large', `file: expands to more than ${MAX_INFLATED_BYTES / 1024 / 1024} MB`);
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  try {
    // exceljs types predate Node 20's generic Buffer.
    await wb.xlsx.load(file as unknown as Parameters<typeof wb.xlsx.load>[0]);
  } catch {
    throw new AppError('unsupported_media_type', 'file: not a readable .xlsx workbook');
  }
  return wb;
}

/** Headers as people retype them: no spaces (also full-width), no notes in brackets like （必填）, any case. */
export function normHeader(s: string): string {
  return s
    .replace(/[（(].*?[)）]/g, '')
    .replace(/[\s_*]/g, '')
    .toLowerCase();
}

export function findSheet(wb: ExcelJS.Workbook, names: { 'zh-CN': string; en: string }): ExcelJS.Worksheet | undefined {
  const wanted = [names['zh-CN'], names.en].map(normHeader);
  return wb.worksheets.find((ws) => wanted.includes(normHeader(ws.name)));
}

const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * Plain text of a cell whatever Excel stored (rich text, hyperlink, formula result, number, date). Date
 * cells become `dateText(d)`: an ISO day by default; a ledger with times passes its own (Excel keeps
 * wall-clock times without a zone, so only the module knows which zone they were typed in).
 */
export function cellText(v: ExcelJS.CellValue, dateText: (d: Date) => string = isoDate): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return dateText(v);
  if ('richText' in v) return v.richText.map((t) => t.text).join('').trim();
  if ('hyperlink' in v) return String(v.text).trim();
  if ('result' in v) return v.result === undefined || v.result === null ? '' : cellText(v.result as ExcelJS.CellValue, dateText);
  return '';
}

/**
 * Reads a sheet whose first row is the header: finds each column by any of its names, reports missing
 * required columns as row-1 errors, and returns the non-empty rows as text cells.
 */
export function readSheet<C extends SheetColumn<string>, K extends string = C['key']>(
  ws: ExcelJS.Worksheet,
  columns: readonly C[],
  errors: RowError[],
  opts: {
    dateText?: (d: Date) => string;
    /** Columns a ledger exports but does not read back (computed ones) are never matched; their cells stay ''. */
    imported?: (c: C) => boolean;
  } = {},
): ReadSheet<K> {
  const readable = opts.imported ? columns.filter(opts.imported) : columns;
  const colOf = new Map<string, number>();
  const headerOf = new Map<string, string>();
  ws.getRow(1).eachCell((cell, col) => {
    const text = cellText(cell.value);
    const h = normHeader(text);
    const column = readable.find((c) => [c['zh-CN'], c.en, c.key, ...(c.aliases ?? [])].some((name) => normHeader(name) === h));
    if (column && !colOf.has(column.key)) {
      colOf.set(column.key, col);
      headerOf.set(column.key, text);
    }
  });
  for (const c of readable) {
    if (c.required && !colOf.has(c.key)) errors.push({ sheet: ws.name, row: 1, field: c.key, column: c['zh-CN'], message: `missing column ${c['zh-CN']} / ${c.en}` });
  }
  const rows: SheetRow<K>[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber === 1) return;
    const cells: Record<string, string> = {};
    let any = false;
    for (const c of columns) {
      const col = colOf.get(c.key);
      const text = col ? cellText(row.getCell(col).value, opts.dateText) : '';
      cells[c.key] = text;
      if (text !== '') any = true;
    }
    // Every column of `columns` got a cell above: the record is complete for K.
    if (any) rows.push({ row: rowNumber, cells: cells as Record<K, string> });
  });
  return { present: new Set(colOf.keys()) as Set<K>, headerOf: headerOf as Map<K, string>, rows };
}
