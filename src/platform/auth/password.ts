import { hash, verify } from '@node-rs/argon2';

// OWASP 2024 minimums for argon2id: m=19 MiB, t=2, p=1.
const options = { algorithm: 2 /* Algorithm.Argon2id (a const enum, not importable under verbatimModuleSyntax) */, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(plain: string): Promise<string> {
  return hash(plain, options);
}

export async function verifyPassword(hashed: string, plain: string): Promise<boolean> {
  try {
    return await verify(hashed, plain);
  } catch {
    return false;
  }
}

/** Same work as a real check, so a login for an unknown user takes as long as one with a wrong password. */
let dummyHash: Promise<string> | null = null;
export async function burnPasswordCheck(plain: string): Promise<void> {
  dummyHash ??= hashPassword('safeloop-timing-equaliser');
  await verifyPassword(await dummyHash, plain);
}

/** Passwords: at least 8 characters with three of lower, upper, digit, symbol. */
export function passwordProblem(plain: string): string | null {
  if (plain.length < 8) return 'at least 8 characters';
  if (plain.length > 128) return 'at most 128 characters';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(plain)).length;
  return classes >= 3 ? null : 'use three of: lower case, upper case, digits, symbols';
}
