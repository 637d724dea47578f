import jsQR from 'jsqr';

/**
 * Area QR codes (src/modules/hazards/areas.ts): `<PUBLIC_URL>/hazards/report#area=<org unit id>`. Pure
 * functions only — reading the link, the `#area=` fragment, and decoding a QR code from pixels — so the
 * scanner component stays thin and this is tested without a browser.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The area id of a `#area=<id>` fragment (with or without the `#`); null when there is none or it is malformed. */
export function areaFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const id = params.get('area')?.trim() ?? '';
  return UUID.test(id) ? id.toLowerCase() : null;
}

export type ScannedCode = { kind: 'area'; areaId: string } | { kind: 'not_area'; text: string };

/**
 * What a scanned code means. Any origin is accepted: the label carries the server's PUBLIC_URL, which a
 * phone may reach under another name (an IP address on the plant network); what makes it an area code is
 * the report page path and a well-formed area id after `#`.
 */
export function parseAreaCode(text: string): ScannedCode {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { kind: 'not_area', text };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { kind: 'not_area', text };
  if (!/\/hazards\/report\/?$/.test(url.pathname)) return { kind: 'not_area', text };
  const areaId = areaFromHash(url.hash);
  return areaId ? { kind: 'area', areaId } : { kind: 'not_area', text };
}

/** RGBA pixels → the text of the first QR code in them (jsQR: the fallback where BarcodeDetector is missing). */
export function decodeQrPixels(rgba: Uint8ClampedArray, width: number, height: number): string | null {
  // Printed labels are dark on light; "attemptBoth" also reads a code shown inverted on a phone screen.
  return jsQR(rgba, width, height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}

/** The largest size a frame or photo is scaled to before jsQR reads it (a 12 MP photo would take seconds). */
export const MAX_DECODE_PX = 1024;

export function decodeSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_DECODE_PX / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
