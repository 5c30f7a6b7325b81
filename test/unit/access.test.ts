// The pure parts of access control: redirects after sign-in, paths, client addresses.
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { maskNumber, maskUpdates } from '@/lib/auth/mask';
import type { CallRow } from '@/lib/common/types';
import fc from 'fast-check';
import { bodyRefusal, clientAddress, cookieValue, decodedPath, requestUrl } from '@/lib/auth/access';
import { decide, isSiteOrigin, publicBase, safeNext, siteOrigin } from '@/lib/auth/policy';
import { baseSecurityHeaders } from '@/lib/security/headers';
import { PLAIN_CALL } from '../helpers/rows';

describe('safeNext', () => {
  it('keeps paths on this site', () => {
    expect(safeNext('/')).toBe('/');
    expect(safeNext('/admin?tab=tv#x')).toBe('/admin?tab=tv#x');
  });
  it('never leads to another site', () => {
    for (const next of [
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      'https://evil.example',
      'javascript:alert(1)',
      '',
      null,
    ]) {
      expect(safeNext(next), String(next)).toBe('/');
    }
  });
});

describe('decodedPath', () => {
  it('decodes as the router does', () => {
    expect(decodedPath('/%61dmin')).toBe('/admin');
    expect(decodedPath('/api/dashboard')).toBe('/api/dashboard');
  });
  it('refuses malformed escapes and encoded traversal or separators', () => {
    for (const p of ['/%E0', '/%2e%2e/admin', '/a/%2E/b', '/x%2F%2Fy', '/a%5Cb', '/a%00b']) {
      expect(decodedPath(p), p).toBeNull();
    }
  });
});

describe('clientAddress', () => {
  const req = (xff: string | undefined) =>
    ({
      socket: { remoteAddress: '10.0.0.1' },
      headers: xff ? { 'x-forwarded-for': xff } : {},
    }) as unknown as IncomingMessage;
  it('is the socket address unless a proxy is trusted', () => {
    expect(clientAddress(req('1.2.3.4'), false)).toBe('10.0.0.1');
  });
  it('behind a trusted proxy, is the hop the proxy appended, not what the client claimed', () => {
    expect(clientAddress(req('6.6.6.6, 203.0.113.9'), true)).toBe('203.0.113.9');
    expect(clientAddress(req(undefined), true)).toBe('10.0.0.1');
  });
});

describe('cookieValue', () => {
  it('ignores a malformed cookie instead of failing the request', () => {
    expect(cookieValue('wallboard_tv=%E0; other=1', 'wallboard_tv')).toBeNull();
    expect(cookieValue('a=1; wallboard_tv=abc', 'wallboard_tv')).toBe('abc');
  });
});

describe('decide', () => {
  const tv = { kind: 'tv', tvId: 't', name: 'TV', lines: null, numbers: 'masked' } as const;
  const supervisor = {
    kind: 'user',
    userId: 'u',
    sessionId: 's',
    username: 'sam',
    name: 'Sam',
    role: 'supervisor',
    mustChangePassword: false,
    lines: null,
    numbers: 'masked',
  } as const;
  it('lets a TV view the board only', () => {
    expect(decide('/', tv).allow).toBe(true);
    expect(decide('/api/dashboard', tv).allow).toBe(true);
    for (const p of ['/api/calls', '/api/calls/export', '/admin', '/api/admin/users', '/account/password']) {
      expect(decide(p, tv).allow, p).toBe(false);
    }
  });
  it('keeps admin paths from supervisors and sends a one-time password to the password page', () => {
    expect(decide('/admin', supervisor)).toMatchObject({ allow: false, status: 403 });
    expect(decide('/api/calls/export', supervisor).allow).toBe(true);
    expect(decide('/', { ...supervisor, mustChangePassword: true })).toMatchObject({
      allow: false,
      redirect: '/account/password',
    });
  });
});

describe('maskUpdates', () => {
  const row = (over: Partial<CallRow>): CallRow => ({
    callSid: 'CA1',
    accountSid: null,
    from: '+15551230123',
    to: '+18005550100',
    status: 'completed',
    startedAt: '2026-01-01T10:00:00.000Z',
    duration: 60,
    mos: 4.4,
    ...PLAIN_CALL,
    eventId: 1,
    ...over,
  });
  it("masks the caller, and on a leg or an outbound call the called party: a person's number", () => {
    const [inbound, leg] = maskUpdates([
      { id: 1, call: row({}), before: null },
      {
        id: 2,
        call: row({ direction: 'outbound-dial', from: '+18005550100', to: '+447700900123' }),
        before: { ...row({ direction: 'outbound-dial', from: '+18005550100', to: '+447700900123' }) },
      },
    ]);
    // The center's line stays readable: it is what the board is about.
    expect([inbound!.call.from, inbound!.call.to]).toEqual(['+1 555 ••• 0123', '+18005550100']);
    expect([leg!.call.from, leg!.call.to]).toEqual(['+1 800 ••• 0100', '+44 770 ••• 0123']);
    expect(leg!.before!.to).toBe('+44 770 ••• 0123');
  });
});

describe('maskNumber', () => {
  it('keeps country, first and last digits and hides at least three, whatever the number', () => {
    expect(maskNumber('+15551230123')).toBe('+1 555 ••• 0123');
    expect(maskNumber('+447700900123')).toBe('+44 770 ••• 0123');
    expect(maskNumber('+4930123456')).toBe('+49 301 ••• 56');
    expect(maskNumber('15551230123')).toBe('155 ••• 0123');
    expect(maskNumber('12345')).toBe('••• 45');
    expect(maskNumber('911')).toBe('•••');
    expect(maskNumber('sip:alice@example.com')).toBe('•••');
    expect(maskNumber('client:bob42')).toBe('•••');
    expect(maskNumber('anonymous')).toBe('anonymous');
  });

  it('never lets a whole number through', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9]{3,15}$/), (n) => {
        const digits = n.replace(/\D/g, '');
        const shown = maskNumber(n).replace(/\D/g, '');
        expect(digits.length - shown.length).toBeGreaterThanOrEqual(3);
        expect(maskNumber(n)).toContain('•••');
      }),
    );
  });
});

describe('isSiteOrigin', () => {
  const site = 'http://127.0.0.1:3600';
  it('takes the exact origin only: scheme, host and port', () => {
    expect(isSiteOrigin('http://127.0.0.1:3600', site)).toBe(true);
    for (const origin of [
      'https://127.0.0.1:3600',
      'http://evil@127.0.0.1:3600',
      'http://127.0.0.1:3601',
      'http://127.0.0.1:3600/',
      'http://127.0.0.1',
      'null',
      '',
      'HTTP://127.0.0.1:3600',
    ]) {
      expect(isSiteOrigin(origin, site), origin).toBe(false);
    }
  });
  it('compares with the site as a browser serialises it', () => {
    expect(isSiteOrigin('http://localhost', 'http://LOCALHOST:80')).toBe(true);
    expect(isSiteOrigin('https://board.example', 'https://board.example:443')).toBe(true);
    expect(isSiteOrigin('http://board.example', 'http://a b')).toBe(false);
  });
});

describe('requestUrl', () => {
  it('refuses targets that would name another host, and takes the rest', () => {
    for (const target of ['//', '//x', '///', '//x/admin', '/\\x/admin'])
      expect(requestUrl(target), target).toBeNull();
    expect(requestUrl('/admin?x=1')?.pathname).toBe('/admin');
    expect(requestUrl('/a//b')?.pathname).toBe('/a//b');
    expect(requestUrl(undefined)?.pathname).toBe('/');
  });
});

describe('bodyRefusal', () => {
  it('refuses a declared length over the limit and a body of unknown length', () => {
    expect(bodyRefusal({}, 100)).toBeNull();
    expect(bodyRefusal({ 'content-length': '100' }, 100)).toBeNull();
    expect(bodyRefusal({ 'content-length': '101' }, 100)).toEqual({
      status: 413,
      error: 'body is 101 bytes; the limit is 100',
    });
    expect(bodyRefusal({ 'transfer-encoding': 'chunked' }, 100)?.status).toBe(411);
  });
});

describe('baseSecurityHeaders', () => {
  it('adds HSTS only behind https', () => {
    expect(baseSecurityHeaders({ https: false })['Strict-Transport-Security']).toBeUndefined();
    expect(baseSecurityHeaders({ https: true })['Strict-Transport-Security']).toBe('max-age=31536000');
  });
});

describe('publicBase and siteOrigin', () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  const proxied = headers({
    host: '10.0.0.5:3000',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'wb.example.com, x',
  });
  it('take PUBLIC_URL first, with its path for signatures and its origin for browsers', () => {
    const opts = { publicUrl: 'https://example.com/wallboard/', trustProxy: true };
    expect(publicBase(proxied, opts)).toBe('https://example.com/wallboard');
    expect(siteOrigin(proxied, opts)).toBe('https://example.com');
  });
  it('follow the proxy’s forwarded scheme and host only with TRUST_PROXY', () => {
    expect(publicBase(proxied, { trustProxy: true })).toBe('https://wb.example.com');
    expect(publicBase(proxied, { trustProxy: false })).toBe('http://10.0.0.5:3000');
    expect(siteOrigin(headers({}), { trustProxy: false })).toBe('http://localhost');
  });
});
