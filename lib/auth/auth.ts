// Sign-in for people: Better Auth with its Prisma adapter on the product's own store (sessions
// live in the store, so every instance sees them and revoking one is immediate), username and
// password (scrypt), the admin plugin for roles and user management, and its rate limiter.
import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { admin, username } from 'better-auth/plugins';
import { adminAc, userAc } from 'better-auth/plugins/admin/access';
import type { Database } from '../db/client';
import type { Config } from '../config';
import type { Logger } from '../log';
import { siteOrigin } from './policy';

export const MIN_PASSWORD_LENGTH = 12;
/**
 * Better Auth's own limit on sign-in requests per client address, a guard against floods only:
 * wrong passwords are limited before it (lib/auth/limits.ts), per username and address, and a
 * tighter limit here would lock every user behind one address out at once again.
 */
const SIGN_IN_FLOOD = { window: 10, max: 150 };

export function createAuth(db: Database, config: Config, secret: string, log: Logger) {
  return betterAuth({
    appName: 'Call wallboard',
    secret,
    // Without PUBLIC_URL the site's address is taken from each request (the Host header); it
    // serves only the origin check, as no e-mail or OAuth callback links are ever built.
    baseURL: config.PUBLIC_URL ?? {
      allowedHosts: ['*'],
      protocol: config.TRUST_PROXY ? 'auto' : 'http',
      fallback: `http://localhost:${config.PORT}`,
    },
    logger: {
      log: (level, message) => log[level]({ component: 'auth' }, message),
    },
    basePath: '/api/auth',
    database: prismaAdapter(db.write, { provider: db.provider }),
    telemetry: { enabled: false },
    // State-changing requests must come from a page of this site (Origin / Fetch Metadata).
    trustedOrigins: (request) =>
      request
        ? [siteOrigin(request.headers, { publicUrl: config.PUBLIC_URL, trustProxy: config.TRUST_PROXY })]
        : [],
    emailAndPassword: {
      enabled: true,
      // Accounts are created by an admin, never by visitors.
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: 256,
    },
    user: {
      additionalFields: {
        mustChangePassword: { type: 'boolean', defaultValue: false, input: false },
      },
    },
    session: {
      // A supervisor's sign-in lasts a week, renewed once a day while in use.
      expiresIn: 7 * 24 * 3600,
      updateAge: 24 * 3600,
    },
    rateLimit: {
      enabled: true,
      // In the store, so a balancer spreading attempts over instances gains the attacker nothing.
      storage: 'database',
      window: 60,
      max: 300,
      // Only requests through auth.handler pass this limiter; the password change calls auth.api
      // directly and is limited in lib/auth/limits.ts.
      customRules: {
        '/sign-in/username': SIGN_IN_FLOOD,
        '/sign-in/email': SIGN_IN_FLOOD,
      },
    },
    advanced: {
      cookiePrefix: 'wallboard',
      // Secure cookies when the public address is https (set PUBLIC_URL behind a TLS proxy).
      useSecureCookies: config.PUBLIC_URL?.startsWith('https://') ?? false,
      // server.ts sets X-Forwarded-For to the socket's address unless TRUST_PROXY is on.
      ipAddress: { ipAddressHeaders: ['x-forwarded-for'] },
      defaultCookieAttributes: { sameSite: 'lax', httpOnly: true },
    },
    plugins: [
      username({ minUsernameLength: 2, maxUsernameLength: 64 }),
      admin({
        defaultRole: 'supervisor',
        adminRoles: ['admin'],
        roles: { admin: adminAc, supervisor: userAc },
      }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
