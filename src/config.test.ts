import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('defaults: embedded database under ./data, port 3000, MQTT on 1884 (1883 is usually taken), demo on', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBeNull();
    expect(c.dbDir).toMatch(/data\/db$/);
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.mqttPort).toBe(1884);
    expect(c.demo).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).demo).toBe(false);
  });

  it('names every bad variable in one error', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', DEMO: 'maybe', LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('PORT');
    expect(msg).toContain('DATABASE_URL');
    expect(msg).toContain('DEMO');
    expect(msg).toContain('LOG_LEVEL');
  });
});
