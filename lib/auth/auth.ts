// Sign-in for people: Better Auth with its Prisma adapter on the product's own store (sessions
// live in the store, so every instance sees them and revoking one is immediate), username and
// password (scrypt), the admin plugin for roles and user management, and its rate limiter.
import { betterAuth, type BetterAuthPlugin } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { admin, username } from 'better-auth/plugins';
import { adminAc, userAc } from 'better-auth/plugins/admin/access';
import { createAuthMiddleware, isAPIError } from 'better-auth/api';
import type { Database } from '../db/client';
import type { Config } from '../config';
import type { Logger } from '../log';
import { siteOrigin } from './policy';
import type { AuditRecorder } from '../ops/audit';

export const MIN_PASSWORD_LENGTH = 12;
/**
 * Better Auth's own limit on sign-in requests per client address, a guard against floods only:
 * wrong passwords are limited before it (lib/auth/limits.ts), per username and address, and a
 * tighter limit here would lock every user behind one address out at once again.
 */
const SIGN_IN_FLOOD = { window: 10, max: 150 };

/** The client address the gate put in X-Forwarded-For. */
const addressOf = (ctx: { request?: Request; headers?: Headers }) =>
  ctx.request?.headers.get('x-forwarded-for') ?? ctx.headers?.get('x-forwarded-for') ?? null;

const usernameOf = (user: { name: string; username?: unknown }) =>
  typeof user.username === 'string' ? user.username : user.name;

/**
 * Sign-ins, failed sign-ins and sign-outs in the audit log. A failed sign-in records the name
 * tried, never the password, and no user id: nobody was signed in. A refusal before Better Auth
 * (the wrong-password limit, lib/auth/limits.ts) checks no password and is not recorded.
 */
/**
 * Sign-ins, failed ones and sign-outs into the audit log: a plugin's hooks, whose matchers run
 * before anything else, so every other Better Auth call (the session check each request makes)
 * passes them by at no cost.
 */
function auditPlugin(audit: AuditRecorder, log: Logger): BetterAuthPlugin {
  const before = createAuthMiddleware(async (ctx) => {
    // Recorded before the session ends, while it still names its user: once it runs, signing out
    // does not fail (Better Auth logs a store error and clears the cookie all the same).
    try {
      const token = await ctx.getSignedCookie(ctx.context.authCookies.sessionToken.name, ctx.context.secret);
      const found = token ? await ctx.context.internalAdapter.findSession(token) : null;
      if (!found) return;
      await audit.record({
        userId: found.user.id,
        username: usernameOf(found.user),
        address: addressOf(ctx),
        action: 'sign-out',
      });
    } catch (err) {
      log.error({ err: String(err) }, 'sign-out not audited');
    }
  });
  const after = createAuthMiddleware(async (ctx) => {
    const returned = ctx.context.returned;
    const session = ctx.context.newSession;
    if (session && !isAPIError(returned)) {
      await audit.record({
        userId: session.user.id,
        username: usernameOf(session.user),
        address: addressOf(ctx),
        action: 'sign-in',
      });
      return;
    }
    const tried: unknown = (ctx.body as { username?: unknown } | undefined)?.username;
    await audit.record({
      // Lower case, as usernames are kept: the log's user filter finds the attempts on an account.
      username: typeof tried === 'string' ? tried.trim().toLowerCase().slice(0, 64) || null : null,
      address: addressOf(ctx),
      action: 'sign-in-failed',
      detail: { reason: isAPIError(returned) ? returned.message : 'no session' },
    });
  });
  return {
    id: 'audit',
    hooks: {
      before: [{ matcher: (ctx) => ctx.path === '/sign-out', handler: before }],
      after: [{ matcher: (ctx) => ctx.path === '/sign-in/username', handler: after }],
    },
  };
}

export function createAuth(db: Database, config: Config, secret: string, log: Logger, audit: AuditRecorder) {
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
        // JSON array of the lines a supervisor sees (lib/auth/scope.ts); null: every line.
        lines: { type: 'string', required: false, input: false },
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
      auditPlugin(audit, log),
      username({
        minUsernameLength: 2,
        maxUsernameLength: 64,
        // As the admin page and ADMIN_USERNAME accept them: dashes too (the default refuses them,
        // so a user named "jo-ann" could be created but never sign in).
        usernameValidator: (name) => /^[a-zA-Z0-9_.-]+$/.test(name),
      }),
      admin({
        defaultRole: 'supervisor',
        adminRoles: ['admin'],
        roles: { admin: adminAc, supervisor: userAc },
      }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
