import fs from 'node:fs';
import { AppError } from '../http/errors.ts';

/**
 * Chinese text in printed documents (permits, notices, labels, notice cards) needs a CJK font, found at run
 * time: Debian's fonts-noto-cjk (installed by scripts/install-chromium.sh). Without one, a document route
 * answers 503 `pdf_font_missing` naming the package, rather than printing empty boxes.
 */

export interface FontFace {
  path: string;
  /** Face inside a TrueType collection (.ttc); pdfkit picks it by PostScript name. */
  name?: string;
}

export interface FontCandidate {
  regular: FontFace;
  bold?: FontFace;
}

export const CJK_FONT_PACKAGE = 'fonts-noto-cjk';

const NOTO = '/usr/share/fonts/opentype/noto';
const defaultCandidates: FontCandidate[] = [
  { regular: { path: `${NOTO}/NotoSansCJK-Regular.ttc`, name: 'NotoSansCJKsc-Regular' }, bold: { path: `${NOTO}/NotoSansCJK-Bold.ttc`, name: 'NotoSansCJKsc-Bold' } },
  { regular: { path: `${NOTO}/NotoSerifCJK-Regular.ttc`, name: 'NotoSerifCJKsc-Regular' }, bold: { path: `${NOTO}/NotoSerifCJK-Bold.ttc`, name: 'NotoSerifCJKsc-Bold' } },
  // Other distributions ship the simplified-Chinese faces as single OpenType files.
  { regular: { path: '/usr/share/fonts/noto-cjk/NotoSansCJKsc-Regular.otf' }, bold: { path: '/usr/share/fonts/noto-cjk/NotoSansCJKsc-Bold.otf' } },
  { regular: { path: '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' } },
];

let candidateOverride: FontCandidate[] | null = null;

/** Tests only: pretend the machine has these fonts (or, with `[]`, none); `null` restores the real lookup. */
export function overrideCjkFonts(candidates: FontCandidate[] | null): void {
  candidateOverride = candidates;
}

export interface ResolvedFonts {
  regular: FontFace;
  bold: FontFace;
}

/** The first installed CJK font (bold falls back to regular), or null when the machine has none. */
export function findCjkFont(): ResolvedFonts | null {
  for (const c of candidateOverride ?? defaultCandidates) {
    if (!fs.existsSync(c.regular.path)) continue;
    const bold = c.bold && fs.existsSync(c.bold.path) ? c.bold : c.regular;
    return { regular: c.regular, bold };
  }
  return null;
}

export function fontMissing(): AppError {
  const looked = (candidateOverride ?? defaultCandidates).map((c) => c.regular.path).join(', ');
  return new AppError('pdf_font_missing', `no Chinese (CJK) font on this server (looked for ${looked}); install the Debian package ${CJK_FONT_PACKAGE} (apt-get install ${CJK_FONT_PACKAGE}, or bash scripts/install-chromium.sh)`, {
    extra: { package: CJK_FONT_PACKAGE },
  });
}

// The CJK collections are ~20 MB each: read once per process, not per notice.
const fontBytes = new Map<string, Buffer>();
export function bytesOf(path: string): Buffer {
  let b = fontBytes.get(path);
  if (!b) {
    b = fs.readFileSync(path);
    fontBytes.set(path, b);
  }
  return b;
}
