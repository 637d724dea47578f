/**
 * Client-side mirror of the server's `grants()` (src/platform/auth/permissions.ts). It only decides what
 * the UI shows; the server checks every request again, so a wrong guess here costs a 403, never data.
 */
export function grants(held: readonly string[], wanted: string): boolean {
  if (held.includes('*') || held.includes(wanted)) return true;
  const colon = wanted.indexOf(':');
  return colon > 0 && held.includes(`${wanted.slice(0, colon)}:*`);
}

/** `null` = any signed-in user; otherwise at least one of the listed permissions. */
export function grantsAny(held: readonly string[], anyOf: readonly string[] | null): boolean {
  return anyOf === null || anyOf.some((p) => grants(held, p));
}
