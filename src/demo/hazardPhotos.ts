import { Readable } from 'node:stream';
import type { Tx } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { THUMB_MAX_PX } from '../platform/files/service.ts';
import { files } from '../platform/files/schema.ts';
import type { BlobStore } from '../platform/files/storage.ts';
import { findCjkFont } from '../platform/pdf/fonts.ts';

/**
 * Photos for the demo hazards, drawn here (no network, no binary assets in the repository): per category a
 * simple site scene — a barrier, a switch cabinet, an extinguisher, a machine, a tank, stacked goods, a
 * notice board — in two "before" takes with the hazard circled in red, and one tidy "after" take with a
 * green tick, each with a caption. sharp renders the SVG to JPEG (and the 320 px WebP thumbnail the upload
 * path makes), the blob store keeps each once under its SHA-256, and one file row per picture and tenant
 * is shared by every demo hazard of that category: ~20 small pictures instead of 300 uploads.
 */

export const DEMO_PHOTO_CATEGORIES = ['safety', 'electrical', 'fire', 'equipment', 'process', 'layout', 'other'] as const;
type Category = (typeof DEMO_PHOTO_CATEGORIES)[number];
export const BEFORE_TAKES = 2;

const W = 960;
const H = 720;

const looks: Record<Category, { zh: string; en: string; wall: string; accent: string }> = {
  safety: { zh: '安全防护', en: 'Safety guarding', wall: '#8fa3b8', accent: '#f5c400' },
  electrical: { zh: '电气安全', en: 'Electrical', wall: '#9aa89a', accent: '#3a6ea5' },
  fire: { zh: '消防安全', en: 'Fire safety', wall: '#b8a48f', accent: '#d62b1f' },
  equipment: { zh: '设备设施', en: 'Equipment', wall: '#a0a7b4', accent: '#2f7d4f' },
  process: { zh: '工艺安全', en: 'Process', wall: '#a9a18e', accent: '#7a4fb0' },
  layout: { zh: '现场布局', en: 'Site layout', wall: '#9fb0a9', accent: '#c77d12' },
  other: { zh: '其他', en: 'Other', wall: '#a3a3ad', accent: '#4a5568' },
};

/** The object of a category, drawn around (cx, cy); `tidy` is the state after the fix. */
function subject(category: Category, cx: number, cy: number, tidy: boolean, accent: string): string {
  switch (category) {
    case 'safety': {
      const stripes = Array.from({ length: 8 }, (_, i) => `<rect x="${cx - 200 + i * 50}" y="${cy + 20}" width="25" height="40" fill="#111"/>`).join('');
      return `<rect x="${cx - 200}" y="${cy + 20}" width="400" height="40" fill="${accent}"/>${tidy ? stripes : stripes.slice(0, stripes.length / 2)}
        <rect x="${cx - 200}" y="${cy + 60}" width="14" height="120" fill="#555"/><rect x="${cx + 186}" y="${cy + 60}" width="14" height="120" fill="#555"/>
        <polygon points="${cx},${cy - 190} ${cx + 110},${cy - 10} ${cx - 110},${cy - 10}" fill="${accent}" stroke="#111" stroke-width="10"/>
        <rect x="${cx - 8}" y="${cy - 140}" width="16" height="80" fill="#111"/><circle cx="${cx}" cy="${cy - 40}" r="10" fill="#111"/>`;
    }
    case 'electrical':
      return `<rect x="${cx - 150}" y="${cy - 200}" width="300" height="400" rx="8" fill="#c9ccd1" stroke="#6b7280" stroke-width="6"/>
        ${tidy ? `<rect x="${cx - 140}" y="${cy - 190}" width="280" height="380" fill="#d7dade"/>` : `<polygon points="${cx + 150},${cy - 200} ${cx + 260},${cy - 160} ${cx + 260},${cy + 240} ${cx + 150},${cy + 200}" fill="#b7bbc1" stroke="#6b7280" stroke-width="6"/>
        ${Array.from({ length: 4 }, (_, i) => `<rect x="${cx - 110 + i * 60}" y="${cy - 150}" width="40" height="90" fill="#222"/>`).join('')}
        <path d="M${cx - 120} ${cy + 40} C ${cx - 40} ${cy + 160}, ${cx + 40} ${cy - 20}, ${cx + 120} ${cy + 120}" stroke="#e11" stroke-width="8" fill="none"/>`}
        <polygon points="${cx - 20},${cy - 60} ${cx + 30},${cy - 60} ${cx},${cy} ${cx + 40},${cy} ${cx - 30},${cy + 90} ${cx - 5},${cy + 20} ${cx - 40},${cy + 20}" fill="#f5c400" stroke="#111" stroke-width="4"/>`;
    case 'fire':
      return `<rect x="${cx - 40}" y="${cy - 120}" width="80" height="260" rx="30" fill="${accent}"/><rect x="${cx - 20}" y="${cy - 160}" width="40" height="45" fill="#222"/>
        <path d="M${cx + 20} ${cy - 150} q 70 0 80 60" stroke="#222" stroke-width="10" fill="none"/>
        <rect x="${cx + 140}" y="${cy - 230}" width="160" height="60" fill="#1e8e3e"/><rect x="${cx + 160}" y="${cy - 220}" width="40" height="40" fill="#fff"/>
        ${tidy ? '' : `<rect x="${cx + 100}" y="${cy}" width="150" height="120" fill="#b07a3c" stroke="#6b4a1f" stroke-width="5"/><rect x="${cx + 130}" y="${cy - 100}" width="130" height="100" fill="#c08a4c" stroke="#6b4a1f" stroke-width="5"/>`}`;
    case 'equipment': {
      const teeth = `<circle cx="${cx}" cy="${cy - 20}" r="115" fill="none" stroke="${accent}" stroke-width="40" stroke-dasharray="30 24"/>`;
      return `<rect x="${cx - 230}" y="${cy + 60}" width="460" height="140" fill="#596273"/>${teeth}
        <circle cx="${cx}" cy="${cy - 20}" r="85" fill="${accent}"/><circle cx="${cx}" cy="${cy - 20}" r="30" fill="#ddd"/>
        ${tidy ? `<rect x="${cx - 150}" y="${cy - 150}" width="300" height="260" rx="14" fill="#cfd8dc" fill-opacity="0.55" stroke="#455a64" stroke-width="6"/>` : ''}`;
    }
    case 'process':
      return `<rect x="${cx - 130}" y="${cy - 200}" width="260" height="360" rx="120" fill="#c5c8cf" stroke="#5f6670" stroke-width="6"/>
        <rect x="${cx + 130}" y="${cy - 40}" width="200" height="30" fill="#7b8290"/><rect x="${cx - 330}" y="${cy + 60}" width="200" height="30" fill="#7b8290"/>
        <circle cx="${cx}" cy="${cy - 80}" r="50" fill="#fff" stroke="#333" stroke-width="6"/>
        <line x1="${cx}" y1="${cy - 80}" x2="${tidy ? cx - 25 : cx + 40}" y2="${tidy ? cy - 115 : cy - 100}" stroke="${tidy ? '#1e8e3e' : '#e11'}" stroke-width="7"/>
        ${tidy ? '' : `<ellipse cx="${cx - 20}" cy="${cy + 190}" rx="140" ry="22" fill="#3b3b3b" fill-opacity="0.55"/>`}`;
    case 'layout': {
      const box = (x: number, y: number) => `<rect x="${x}" y="${y}" width="120" height="90" fill="#b07a3c" stroke="#6b4a1f" stroke-width="5"/>`;
      const stack = tidy ? [box(cx - 250, cy + 80), box(cx - 120, cy + 80)] : [box(cx - 250, cy + 80), box(cx - 120, cy + 80), box(cx - 190, cy - 10), box(cx - 170, cy - 100), box(cx - 150, cy - 190)];
      return `<polygon points="${cx + 40},${H} ${cx + 90},${cy + 10} ${cx + 110},${cy + 10} ${cx + 80},${H}" fill="${accent}" fill-opacity="${tidy ? 1 : 0.35}"/>${stack.join('')}`;
    }
    case 'other':
      return `<rect x="${cx - 200}" y="${cy - 190}" width="400" height="300" fill="#f3efe2" stroke="#6b4a1f" stroke-width="10"/>
        ${Array.from({ length: tidy ? 6 : 2 }, (_, i) => `<rect x="${cx - 160}" y="${cy - 150 + i * 40}" width="${260 - (i % 2) * 60}" height="14" fill="#555"/>`).join('')}
        <rect x="${cx - 12}" y="${cy + 110}" width="24" height="120" fill="#6b4a1f"/>`;
  }
}

function sceneSvg(category: Category, take: 'after' | number, cjk: boolean): string {
  const look = looks[category];
  const tidy = take === 'after';
  // Each take frames the scene a little differently, as two photos by two people would.
  const shift = take === 'after' ? 0 : take === 0 ? -70 : 80;
  const cx = W / 2 + shift;
  const cy = 330 + (take === 1 ? 20 : 0);
  const floorLines = Array.from({ length: 7 }, (_, i) => `<line x1="${W / 2 + shift / 2}" y1="430" x2="${-200 + i * 230}" y2="${H}" stroke="#6e6e6e" stroke-width="3"/>`).join('');
  const marker = tidy
    ? `<circle cx="${W - 90}" cy="90" r="56" fill="#1e8e3e"/><polyline points="${W - 120},90 ${W - 98},114 ${W - 58},66" fill="none" stroke="#fff" stroke-width="14" stroke-linecap="round" stroke-linejoin="round"/>`
    : `<ellipse cx="${cx}" cy="${cy}" rx="300" ry="250" fill="none" stroke="#e02020" stroke-width="9" stroke-dasharray="26 12"/>`;
  const phase = tidy ? (cjk ? '整改后' : 'after the fix') : cjk ? '整改前' : 'as found';
  const caption = cjk ? `${look.zh} · ${phase} · 演示照片` : `${look.en} · ${phase} · demo photo`;
  const font = cjk ? "'Noto Sans CJK SC', 'Noto Sans SC', sans-serif" : "'DejaVu Sans', sans-serif";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
    <defs><linearGradient id="wall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${look.wall}"/><stop offset="1" stop-color="#d9d9d9"/></linearGradient>
    <linearGradient id="floor" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#8d8d8d"/><stop offset="1" stop-color="#b5b5b5"/></linearGradient></defs>
    <rect width="${W}" height="430" fill="url(#wall)"/><rect y="430" width="${W}" height="${H - 430}" fill="url(#floor)"/>${floorLines}
    <rect x="40" y="60" width="180" height="110" fill="#e8eef3" stroke="#6b7280" stroke-width="6"/>
    ${subject(category, cx, cy, tidy, look.accent)}
    ${marker}
    <rect y="${H - 64}" width="${W}" height="64" fill="#000" fill-opacity="0.6"/>
    <text x="24" y="${H - 22}" font-family="${font}" font-size="30" fill="#fff">${caption}</text>
  </svg>`;
}

export interface DemoPhotoBlob {
  category: Category;
  take: 'after' | number;
  sha256: string;
  size: number;
  thumbSha256: string;
}

/** Renders the pictures and stores them (content-addressed: a second run stores nothing new). */
export async function storeDemoPhotos(store: BlobStore): Promise<DemoPhotoBlob[]> {
  const cjk = findCjkFont() !== null;
  // Loaded here, on the first start only (a static import would cost every start).
  const { default: sharp } = await import('sharp');
  const takes: ('after' | number)[] = [...Array.from({ length: BEFORE_TAKES }, (_, i) => i), 'after'];
  const jobs = DEMO_PHOTO_CATEGORIES.flatMap((category) => takes.map((take) => ({ category, take })));
  return Promise.all(
    jobs.map(async ({ category, take }) => {
      const jpeg = await sharp(Buffer.from(sceneSvg(category, take, cjk))).jpeg({ quality: 80 }).toBuffer();
      const thumb = await sharp(jpeg).resize(THUMB_MAX_PX, THUMB_MAX_PX, { fit: 'inside' }).webp({ quality: 80 }).toBuffer();
      const [blob, thumbBlob] = [await store.put(Readable.from([jpeg])), await store.put(Readable.from([thumb]))];
      return { category, take, sha256: blob.sha256, size: blob.size, thumbSha256: thumbBlob.sha256 };
    }),
  );
}

export interface DemoPhotoIds {
  /** Photo ids of a finding as reported (one of the before takes, by `pick`). */
  before(category: string, pick: number): string;
  after(category: string): string;
}

/** One file row per picture for this tenant; every demo hazard of a category points at the same rows. */
export async function insertDemoPhotoRows(tx: Tx, tenantId: string, blobs: DemoPhotoBlob[], at: Date): Promise<DemoPhotoIds> {
  const rows = blobs.map((b) => ({
    id: newId(),
    tenantId,
    sha256: b.sha256,
    size: b.size,
    mime: 'image/jpeg',
    kind: 'image' as const,
    originalName: `demo-${b.category}-${b.take === 'after' ? 'after' : `before-${b.take + 1}`}.jpg`,
    width: W,
    height: H,
    thumbSha256: b.thumbSha256,
    createdBy: null,
    createdAt: at,
  }));
  await tx.insert(files).values(rows);
  const idOf = (category: string, take: 'after' | number) => {
    const known = (DEMO_PHOTO_CATEGORIES as readonly string[]).includes(category) ? category : 'other';
    const row = rows[blobs.findIndex((b) => b.category === known && b.take === take)];
    if (!row) throw new Error(`demo photos: no picture for ${known} ${take}`);
    return row.id;
  };
  return { before: (category, pick) => idOf(category, Math.abs(pick) % BEFORE_TAKES), after: (category) => idOf(category, 'after') };
}
