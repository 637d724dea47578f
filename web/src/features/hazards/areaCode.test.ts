import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { areaFromHash, decodeQrPixels, decodeSize, parseAreaCode } from './areaCode.ts';

const AREA = '0192f0aa-1b2c-7d3e-8f40-123456789abc';

/** A QR code as RGBA pixels, as a canvas would hand them over: `scale` px per module, 4 modules quiet zone. */
function qrPixels(text: string, scale = 4): { data: Uint8ClampedArray; size: number } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const size = (n + 8) * scale;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.floor(y / scale) - 4;
      const c = Math.floor(x / scale) - 4;
      if (r >= 0 && c >= 0 && r < n && c < n && qr.modules.get(r, c)) {
        const i = (y * size + x) * 4;
        data[i] = data[i + 1] = data[i + 2] = 0;
      }
    }
  }
  return { data, size };
}

describe('area codes', () => {
  it('reads the area of a #area= fragment and ignores anything else', () => {
    expect(areaFromHash(`#area=${AREA}`)).toBe(AREA);
    expect(areaFromHash(`area=${AREA.toUpperCase()}`)).toBe(AREA);
    expect(areaFromHash('#outbox')).toBeNull();
    expect(areaFromHash('#area=../../etc')).toBeNull();
    expect(areaFromHash('')).toBeNull();
  });

  it('accepts a report link of any host, and nothing that is not one', () => {
    expect(parseAreaCode(`https://safety.example.com/hazards/report#area=${AREA}`)).toEqual({ kind: 'area', areaId: AREA });
    expect(parseAreaCode(`http://10.1.2.3:3000/hazards/report#area=${AREA}`)).toEqual({ kind: 'area', areaId: AREA });
    expect(parseAreaCode(`https://safety.example.com/hazards/${AREA}`).kind).toBe('not_area');
    expect(parseAreaCode('https://safety.example.com/hazards/report#area=nope').kind).toBe('not_area');
    expect(parseAreaCode(`javascript:alert(1)//hazards/report#area=${AREA}`).kind).toBe('not_area');
    expect(parseAreaCode('WIFI:S:plant;T:WPA;P:secret;;')).toEqual({ kind: 'not_area', text: 'WIFI:S:plant;T:WPA;P:secret;;' });
  });

  it('decodes a QR code from pixels (the jsQR fallback), also one shown inverted', () => {
    const link = `https://safety.example.com/hazards/report#area=${AREA}`;
    const { data, size } = qrPixels(link);
    expect(decodeQrPixels(data, size, size)).toBe(link);
    const inverted = data.map((v, i) => (i % 4 === 3 ? v : 255 - v));
    expect(decodeQrPixels(inverted, size, size)).toBe(link);
    expect(parseAreaCode(decodeQrPixels(data, size, size) ?? '')).toEqual({ kind: 'area', areaId: AREA });
  });

  it('finds nothing in a blank picture', () => {
    const blank = new Uint8ClampedArray(200 * 200 * 4).fill(255);
    expect(decodeQrPixels(blank, 200, 200)).toBeNull();
  });

  it('scales big photos down before decoding, never up', () => {
    expect(decodeSize(4000, 3000)).toEqual({ width: 1024, height: 768 });
    expect(decodeSize(640, 480)).toEqual({ width: 640, height: 480 });
  });
});
