import { createHash, randomBytes } from 'node:crypto';

/** Device tokens: 32 random bytes, shown once; only the SHA-256 is stored (like session and API tokens). */
export const DEVICE_TOKEN_PREFIX = 'sld_';

export function newDeviceToken(): string {
  return DEVICE_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashDeviceToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function looksLikeDeviceToken(token: string): boolean {
  return token.startsWith(DEVICE_TOKEN_PREFIX) && token.length >= 20 && token.length <= 100;
}
