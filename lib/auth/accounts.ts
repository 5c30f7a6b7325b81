// What the admin pages and the account page do, on top of Better Auth and the TV registry.
import type { Db } from '../db/client';
import type { Auth } from './auth';
import { createUser, generatePassword } from './bootstrap';
import type { Role, UserInfo } from '../common/admin';
import { parseLines, type Wallboards } from './tv';

export class AccountError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

export interface Disconnect {
  user(userId: string): void;
  tv(tvId: string): void;
}

export function createAccounts(auth: Auth, db: Db, wallboards: Wallboards, disconnect: Disconnect) {
  const list = async (): Promise<UserInfo[]> =>
    (await db.user.findMany({ orderBy: { createdAt: 'asc' } })).map((u) => ({
      id: u.id,
      username: u.displayUsername ?? u.username ?? u.name,
      name: u.name,
      role: u.role === 'admin' ? 'admin' : 'supervisor',
      mustChangePassword: u.mustChangePassword,
      createdAt: u.createdAt.toISOString(),
      lines: u.role === 'admin' ? null : parseLines(u.lines),
    }));

  async function admins(): Promise<number> {
    return db.user.count({ where: { role: 'admin' } });
  }

  return {
    list,
    wallboards,

    /**
     * Limits a supervisor to some lines (null: every line). Their open boards move to the new
     * lines' rooms and reload (`rescope`). False when there is no such user.
     */
    async setLines(userId: string, lines: string[] | null): Promise<boolean> {
      const user = await db.user.findUnique({ where: { id: userId } });
      if (!user) return false;
      if (user.role === 'admin' && lines !== null)
        throw new AccountError(400, 'admins see every line: make them a supervisor first', 'lines');
      await db.user.update({
        where: { id: userId },
        data: { lines: lines === null ? null : JSON.stringify(lines) },
      });
      return true;
    },

    /** Creates a user with a one-time password, returned once for the admin to hand over. */
    async create(input: { username: string; name: string; role: Role }) {
      const taken = await db.user.findFirst({ where: { username: input.username.toLowerCase() } });
      if (taken) throw new AccountError(409, `username "${input.username}" is taken`, 'username');
      const password = generatePassword();
      const id = await createUser(auth, db, { ...input, password, mustChangePassword: true });
      return { id, password };
    },

    /** A new one-time password; the user's sessions end and their dashboards disconnect. */
    async resetPassword(userId: string, headers: Headers) {
      const user = await db.user.findUnique({ where: { id: userId } });
      if (!user) throw new AccountError(404, 'no such user');
      const password = generatePassword();
      await auth.api.setUserPassword({ body: { userId, newPassword: password }, headers });
      await db.user.update({ where: { id: userId }, data: { mustChangePassword: true } });
      await auth.api.revokeUserSessions({ body: { userId }, headers });
      disconnect.user(userId);
      return { password };
    },

    async setRole(userId: string, role: Role, actingUserId: string, headers: Headers) {
      const user = await db.user.findUnique({ where: { id: userId } });
      if (!user) throw new AccountError(404, 'no such user');
      if (user.role === 'admin' && role !== 'admin' && (await admins()) <= 1) {
        throw new AccountError(409, 'the last admin cannot stop being one', 'role');
      }
      if (userId === actingUserId && role !== 'admin') {
        throw new AccountError(409, 'ask another admin to change your own role', 'role');
      }
      await auth.api.setRole({ body: { userId, role }, headers });
      // Their open pages hold the old role: make them reconnect and sign in again.
      await auth.api.revokeUserSessions({ body: { userId }, headers });
      disconnect.user(userId);
    },

    async remove(userId: string, actingUserId: string, headers: Headers) {
      if (userId === actingUserId) throw new AccountError(409, 'you cannot remove yourself');
      const user = await db.user.findUnique({ where: { id: userId } });
      if (!user) throw new AccountError(404, 'no such user');
      if (user.role === 'admin' && (await admins()) <= 1)
        throw new AccountError(409, 'the last admin cannot be removed');
      await auth.api.removeUser({ body: { userId }, headers });
      disconnect.user(userId);
    },

    /** The signed-in user's own password; clears the one-time flag and ends their other sessions. */
    async changeOwnPassword(userId: string, current: string, next: string, headers: Headers) {
      if (current === next)
        throw new AccountError(400, 'the new password must differ from the current one', 'newPassword');
      let setCookie: string[];
      try {
        // Other sessions end; this one is replaced by a new session, whose cookie goes back.
        const result = await auth.api.changePassword({
          body: { currentPassword: current, newPassword: next, revokeOtherSessions: true },
          headers,
          returnHeaders: true,
        });
        setCookie = result.headers.getSetCookie();
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (/invalid password/i.test(message))
          throw new AccountError(400, 'the current password is wrong', 'currentPassword');
        if (/too short|too long/i.test(message)) throw new AccountError(400, message, 'newPassword');
        throw e;
      }
      await db.user.update({ where: { id: userId }, data: { mustChangePassword: false } });
      disconnect.user(userId);
      return { setCookie };
    },

    /** A new pairing code; the TV that held the wallboard is signed out and disconnected. */
    async renewWallboard(id: string) {
      const renewed = await wallboards.renew(id);
      if (!renewed) throw new AccountError(404, 'no such wallboard, or it is revoked');
      disconnect.tv(id);
      return renewed;
    },

    async revokeWallboard(id: string) {
      const done = await wallboards.revoke(id);
      if (!done) throw new AccountError(404, 'no such wallboard, or already revoked');
      disconnect.tv(id);
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
