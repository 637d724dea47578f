import path from 'node:path';

/** The one typed configuration object. Every value comes from the environment; `.env.example` lists them. */
export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  /** PostgreSQL server; when empty the embedded PGlite database in `dbDir` is used. */
  databaseUrl: string | null;
  dataDir: string;
  dbDir: string;
  filesDir: string;
  /** Seed the demo company and the demo logins on first start. */
  demo: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  sessionTtlHours: number;
  loginMaxFailures: number;
  loginLockMinutes: number;
  rateLimitPerMinute: number;
  /** Login attempts per client IP and minute, right or wrong: bounds the password-hashing CPU one address can use. */
  loginAttemptsPerIpPerMinute: number;
  /** Failed logins per client IP and minute before that IP is refused for the rest of the minute (password spraying). */
  loginFailuresPerIpPerMinute: number;
  maxUploadMb: number;
  /** Embedded MQTT broker port; 1883 is usually taken by a plant's own broker. */
  mqttPort: number;
  mqttUrl: string | null;
  smtpUrl: string | null;
  smtpFrom: string;
  trustProxy: boolean;
  /** Identifies this process when it claims jobs, so two app instances never run the same timer. */
  instanceId: string;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, def: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name}: must be an integer from ${min} to ${max}, got "${raw}"`);
    return def;
  }
  return n;
}

function boolVar(env: Env, name: string, def: boolean, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  problems.push(`${name}: must be true or false, got "${raw}"`);
  return def;
}

function urlVar(env: Env, name: string, protocols: string[], problems: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  try {
    const u = new URL(raw);
    if (!protocols.includes(u.protocol)) {
      problems.push(`${name}: protocol must be one of ${protocols.join(', ')}, got "${u.protocol}"`);
      return null;
    }
    return raw;
  } catch {
    problems.push(`${name}: not a valid URL`);
    return null;
  }
}

/** Reads and validates the configuration; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    problems.push(`NODE_ENV: must be development, production or test, got "${nodeEnv}"`);
  }
  const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = (env.LOG_LEVEL ?? 'info') as Config['logLevel'];
  if (!logLevels.includes(logLevel)) problems.push(`LOG_LEVEL: must be one of ${logLevels.join(', ')}`);

  const dataDir = path.resolve(env.DATA_DIR || './data');
  const port = intVar(env, 'PORT', 3000, 0, 65535, problems);
  const host = env.HOST || '127.0.0.1';
  const config: Config = {
    env: nodeEnv as Config['env'],
    host,
    port,
    publicUrl: env.PUBLIC_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    databaseUrl: urlVar(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems),
    dataDir,
    dbDir: path.resolve(env.DB_DIR || path.join(dataDir, 'db')),
    filesDir: path.resolve(env.FILES_DIR || path.join(dataDir, 'files')),
    demo: boolVar(env, 'DEMO', nodeEnv !== 'production', problems),
    logLevel,
    sessionTtlHours: intVar(env, 'SESSION_TTL_HOURS', 12, 1, 24 * 90, problems),
    loginMaxFailures: intVar(env, 'LOGIN_MAX_FAILURES', 5, 1, 100, problems),
    loginLockMinutes: intVar(env, 'LOGIN_LOCK_MINUTES', 15, 1, 24 * 60, problems),
    rateLimitPerMinute: intVar(env, 'RATE_LIMIT_PER_MINUTE', 600, 10, 1_000_000, problems),
    loginAttemptsPerIpPerMinute: intVar(env, 'LOGIN_ATTEMPTS_PER_IP_PER_MINUTE', 120, 1, 100_000, problems),
    loginFailuresPerIpPerMinute: intVar(env, 'LOGIN_FAILURES_PER_IP_PER_MINUTE', 20, 1, 100_000, problems),
    maxUploadMb: intVar(env, 'MAX_UPLOAD_MB', 50, 1, 2048, problems),
    mqttPort: intVar(env, 'MQTT_PORT', 1884, 0, 65535, problems),
    mqttUrl: urlVar(env, 'MQTT_URL', ['mqtt:', 'mqtts:', 'ws:', 'wss:'], problems),
    smtpUrl: urlVar(env, 'SMTP_URL', ['smtp:', 'smtps:'], problems),
    smtpFrom: env.SMTP_FROM || 'SafeLoop <safeloop@localhost>',
    trustProxy: boolVar(env, 'TRUST_PROXY', false, problems),
    instanceId: env.INSTANCE_ID || `${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
  };
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}
