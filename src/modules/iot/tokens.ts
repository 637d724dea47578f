import { newSecret, sha256 } from '../../platform/auth/service.ts';

/** Device tokens: 32 random bytes, shown once; only the SHA-256 is stored (like session and API tokens). */
export const DEVICE_TOKEN_PREFIX = 'sld_';

export function newDeviceToken(): string {
  return newSecret(DEVICE_TOKEN_PREFIX);
}

export function hashDeviceToken(token: string): string {
  return sha256(token);
}

export function looksLikeDeviceToken(token: string): boolean {
  return token.startsWith(DEVICE_TOKEN_PREFIX) && token.length >= 20 && token.length <= 100;
}
