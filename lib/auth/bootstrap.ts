// First start without configuration: a session secret generated once and kept in the store, and
// an admin account when there are no users yet.
import { randomBytes, randomInt } from 'node:crypto';
import type { Db } from '../db/client';
import type { Auth } from './auth';

const SECRET_KEY = 'auth.secret';

/** AUTH_SECRET if set, else the one stored on the first start (the same for every instance). */
export async function sessionSecret(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const fresh = randomBytes(32).toString('base64url');
  // Two instances starting at once: the first insert wins and both read it back.
  await db.setting.upsert({
    where: { key: SECRET_KEY },
    create: { key: SECRET_KEY, value: fresh },
    update: {},
  });
  const row = await db.setting.findUniqueOrThrow({ where: { key: SECRET_KEY } });
  return row.value;
}

// Unambiguous characters, grouped for reading off a console.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
export function generatePassword(groups = 4): string {
  const parts: string[] = [];
  for (let g = 0; g < groups; g++) {
    let p = '';
    for (let i = 0; i < 5; i++) p += ALPHABET[randomInt(ALPHABET.length)];
    parts.push(p);
  }
  return parts.join('-');
}

const userEmail = (username: string) => `${username.toLowerCase()}@users.invalid`;

export interface NewUser {
  username: string;
  name: string;
  role: 'admin' | 'supervisor';
  password: string;
  mustChangePassword: boolean;
}

export async function createUser(auth: Auth, db: Db, u: NewUser): Promise<string> {
  const { user } = await auth.api.createUser({
    body: {
      email: userEmail(u.username),
      password: u.password,
      name: u.name,
      role: u.role,
      data: { username: u.username.toLowerCase(), displayUsername: u.username },
    },
  });
  if (u.mustChangePassword) {
    await db.user.update({ where: { id: user.id }, data: { mustChangePassword: true } });
  }
  return user.id;
}

/**
 * With no users yet, creates `admin`: with ADMIN_PASSWORD when set, else with a one-time password
 * returned for printing once, which must be changed at the first sign-in.
 */
export async function ensureFirstAdmin(
  auth: Auth,
  db: Db,
  opts: { username: string; password?: string },
): Promise<{ username: string; oneTimePassword: string | null } | null> {
  if ((await db.user.count()) > 0) return null;
  const oneTime = opts.password ? null : generatePassword();
  try {
    await createUser(auth, db, {
      username: opts.username,
      name: 'Administrator',
      role: 'admin',
      password: opts.password ?? oneTime!,
      mustChangePassword: !opts.password,
    });
  } catch (e) {
    // Another instance created it first.
    if ((await db.user.count()) > 0) return null;
    throw e;
  }
  return { username: opts.username, oneTimePassword: oneTime };
}
