import { randomBytes } from 'node:crypto';

/**
 * Checkpoint scan codes: 15 random bytes from the OS CSPRNG as 24 characters of RFC 4648 base32 (120 bits,
 * unguessable; no 0/1/8/9 or look-alike letters to misread when a label is typed in by hand).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const CODE_LENGTH = 24;
export const CODE_PATTERN = /^[A-Z2-7]{24}$/;

export function newScanCode(): string {
  const bytes = randomBytes(15);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** What a phone sends, as the code is stored: trimmed, upper-case, without spaces or dashes typed in. */
export function normalizeScanCode(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase();
}

/** The URL printed in the QR code: the code after `#`, so it never reaches a server or proxy log. */
export function scanUrl(publicUrl: string, code: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/s#${code}`;
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (d: number) => (d * Math.PI) / 180;

/** Great-circle distance in metres (haversine; within centimetres at checkpoint distances). */
export function distanceMetres(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}
