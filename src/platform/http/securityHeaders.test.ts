import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';

let plain: TestApp;
let tls: TestApp;

beforeAll(async () => {
  plain = await createTestApp({ PUBLIC_URL: 'http://10.1.2.3:3000' });
  tls = await createTestApp({ PUBLIC_URL: 'https://safeloop.example.com' });
});
afterAll(async () => {
  await plain.close();
  await tls.close();
});

describe('security headers', () => {
  it('API answers carry no-sniff, no-framing and same-origin, success and problem alike', async () => {
    for (const url of ['/api/v1/me', '/api/v1/no-such-route', '/api/v1/hazards']) {
      const res = await plain.app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBe("frame-ancestors 'none'");
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      // Document-only headers are not sent with JSON.
      expect(res.headers['x-dns-prefetch-control']).toBeUndefined();
      expect(res.headers['origin-agent-cluster']).toBeUndefined();
    }
  });

  it('the health probe (a constant answer polled by load balancers) carries only nosniff', async () => {
    const res = await plain.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeUndefined();
    expect(res.headers['cross-origin-resource-policy']).toBeUndefined();
  });

  it('pages get the full document set with a CSP that allows only our own scripts', async () => {
    const res = await plain.app.inject({ method: 'GET', url: '/docs' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('on plain HTTP sends no HSTS and no upgrade-insecure-requests (a LAN site on http:// must keep loading its assets)', async () => {
    for (const url of ['/docs', '/api/v1/health']) {
      const res = await plain.app.inject({ method: 'GET', url });
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(String(res.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    }
  });

  it('over HTTPS sends HSTS on pages and API answers, and upgrades insecure requests on pages', async () => {
    const page = await tls.app.inject({ method: 'GET', url: '/docs' });
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(String(page.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    const api = await tls.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(api.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });
});
