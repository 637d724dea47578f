/**
 * Photos are shrunk on the phone before they leave it: a 12-megapixel camera picture is 4–8 MB, which
 * on a weak plant-floor signal takes minutes; 1600 px JPEG at q 0.8 is ~300 KB and still shows a loose
 * bolt clearly.
 */
export const MAX_PHOTO_SIDE = 1600;
const JPEG_QUALITY = 0.8;

function canvasToBlob(canvas: HTMLCanvasElement, type: string, quality: number): Promise<Blob | null> {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

async function decode(file: Blob): Promise<{ source: CanvasImageSource; width: number; height: number; close: () => void }> {
  if (typeof createImageBitmap === 'function') {
    // EXIF orientation applied, so a portrait photo does not arrive lying on its side.
    const bmp = await createImageBitmap(file, { imageOrientation: 'from-image' });
    return { source: bmp, width: bmp.width, height: bmp.height, close: () => bmp.close() };
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return { source: img, width: img.naturalWidth, height: img.naturalHeight, close: () => undefined };
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The photo as a JPEG no larger than 1600 px on its long side; the original if it cannot be decoded. */
export async function compressPhoto(file: Blob, maxSide = MAX_PHOTO_SIDE): Promise<Blob> {
  try {
    const img = await decode(file);
    try {
      const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
      const w = Math.max(1, Math.round(img.width * scale));
      const h = Math.max(1, Math.round(img.height * scale));
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const g = canvas.getContext('2d');
      if (!g) return file;
      g.fillStyle = '#fff'; // transparent PNG areas would turn black in JPEG
      g.fillRect(0, 0, w, h);
      g.drawImage(img.source, 0, 0, w, h);
      const out = await canvasToBlob(canvas, 'image/jpeg', JPEG_QUALITY);
      // A small JPEG already under the limit may grow when re-encoded: keep whichever is smaller.
      if (!out) return file;
      return out.size < file.size || scale < 1 || file.type !== 'image/jpeg' ? out : file;
    } finally {
      img.close();
    }
  } catch {
    return file;
  }
}

export function photoName(i: number): string {
  return `photo-${i + 1}.jpg`;
}

/** A random Idempotency-Key (letters, digits and -), generated once per report and kept with it. */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return `hz-${crypto.randomUUID()}`;
  return `hz-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}

export interface GeoPoint {
  lat: number;
  lng: number;
  accuracy: number | null;
}

export function currentPosition(timeoutMs = 10_000): Promise<GeoPoint> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new Error('unsupported'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: Math.round(p.coords.latitude * 1e6) / 1e6, lng: Math.round(p.coords.longitude * 1e6) / 1e6, accuracy: Number.isFinite(p.coords.accuracy) ? Math.round(p.coords.accuracy) : null }),
      (e) => reject(new Error(e.message || 'position unavailable')),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    );
  });
}
