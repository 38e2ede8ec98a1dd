import { describe, expect, it } from 'vitest';
import { apiOriginFor, contentSecurityPolicy, pageUrlFor } from './security-headers';

describe('apiOriginFor', () => {
  it('uses API_PUBLIC_URL when set, as an origin', () => {
    expect(apiOriginFor(new URL('http://web.local:3000/c/1'), 'https://api.example.com/')).toBe(
      'https://api.example.com',
    );
  });

  it('else the page host on port 3001, by name or IP address', () => {
    expect(apiOriginFor(new URL('http://localhost:3000/login'), null)).toBe(
      'http://localhost:3001',
    );
    expect(apiOriginFor(new URL('http://192.168.1.5:3000/'), null)).toBe('http://192.168.1.5:3001');
    expect(apiOriginFor(new URL('https://[::1]:3000/'), null)).toBe('https://[::1]:3001');
  });
});

describe('pageUrlFor', () => {
  const listening = new URL('http://0.0.0.0:3000/register?invite=x');

  it('takes the host the browser asked for, by name or IP address, not the address the server listens on', () => {
    expect(pageUrlFor(listening, 'localhost:3000').origin).toBe('http://localhost:3000');
    expect(pageUrlFor(listening, '192.168.1.5:3000').origin).toBe('http://192.168.1.5:3000');
    expect(pageUrlFor(listening, '[::1]:3000').origin).toBe('http://[::1]:3000');
    expect(apiOriginFor(pageUrlFor(listening, '192.168.1.5:3000'), null)).toBe(
      'http://192.168.1.5:3001',
    );
  });

  it('keeps the request URL without a Host header or with one that is not a plain host', () => {
    expect(pageUrlFor(listening, null)).toBe(listening);
    expect(pageUrlFor(listening, 'evil.example/path')).toBe(listening);
    expect(pageUrlFor(listening, 'user@evil.example')).toBe(listening);
    expect(pageUrlFor(listening, 'bad host')).toBe(listening);
  });
});

describe('contentSecurityPolicy', () => {
  const policy = contentSecurityPolicy('abc=', 'https://api.example.com');

  it('runs scripts by nonce only, no eval outside development', () => {
    expect(policy).toContain("script-src 'self' 'nonce-abc=' 'strict-dynamic';");
    expect(policy).not.toContain('unsafe-eval');
    expect(contentSecurityPolicy('n', 'http://a:1', true)).toContain("'unsafe-eval'");
  });

  it('lets the page reach its API over https and wss, and nothing else', () => {
    expect(policy).toContain("connect-src 'self' https://api.example.com wss://api.example.com;");
    expect(policy).toContain("img-src 'self' blob: data: https://api.example.com;");
  });

  it('forbids framing, plugins and base rewriting', () => {
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("base-uri 'self'");
  });
});
