'use client';
import { useState } from 'react';
import Link from 'next/link';
import type { UserInfo, WallboardInfo } from '@/lib/common/admin';
import { send } from './api';
import { AlertAdmin } from './AlertAdmin';
import { LinesEditor } from './LinesEditor';
import { StoreSize } from './StoreSize';
import { LocaleContext, ZoneContext } from './zone';
import { useFormats } from './useTimeZone';

interface Pairing {
  id: string;
  name?: string;
  code: string;
  link: string;
  qr: string;
  expiresAt: string;
}

/** A form of the admin page: its fields go to `submit`, and it is cleared once that succeeded. */
function AdminForm({
  label,
  act,
  submit,
  children,
}: {
  label: string;
  act: (fn: () => Promise<void>) => Promise<void>;
  submit: (data: FormData) => Promise<void>;
  children: React.ReactNode;
}) {
  return (
    <form
      className="admin-form"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const data = new FormData(form);
        void act(async () => {
          await submit(data);
          form.reset();
        });
      }}
    >
      {children}
    </form>
  );
}

/** The admin page, its times in the board's zone (else the browser's) and the browser's locale. */
export function AdminPanel({
  locale,
  zone,
  ...props
}: Parameters<typeof AdminSections>[0] & { locale: string; zone: string }) {
  return (
    <LocaleContext.Provider value={locale}>
      <ZoneContext.Provider value={zone || null}>
        <AdminSections {...props} />
      </ZoneContext.Provider>
    </LocaleContext.Provider>
  );
}

function AdminSections({
  me,
  initialUsers,
  initialWallboards,
  settings,
  privacy,
}: {
  me: string;
  initialUsers: UserInfo[];
  initialWallboards: WallboardInfo[];
  /** The board settings section. */
  settings: React.ReactNode;
  /** The privacy section. */
  privacy: React.ReactNode;
}) {
  const formats = useFormats();
  const when = (iso: string | null) => (iso ? formats.dateTime(iso) : '—');
  const [users, setUsers] = useState(initialUsers);
  const [wallboards, setWallboards] = useState(initialWallboards);
  const [secret, setSecret] = useState<{ username: string; password: string } | null>(null);
  const [pairing, setPairing] = useState<Pairing | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reloadUsers = async () =>
    setUsers((await send<{ users: UserInfo[] }>('GET', '/api/admin/users')).users);
  const reloadBoards = async () =>
    setWallboards((await send<{ wallboards: WallboardInfo[] }>('GET', '/api/admin/wallboards')).wallboards);

  async function act(fn: () => Promise<void>) {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <main className="admin">
      <header className="board-head">
        <h1>Admin</h1>
        <Link className="button" href="/admin/audit" prefetch={false}>
          Audit log
        </Link>
        <Link className="button" href="/" prefetch={false}>
          Back to the board
        </Link>
      </header>
      {error ? (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      ) : null}

      <section className="panel admin-section" aria-label="Users">
        <h2>Users</h2>
        {secret ? (
          <div className="notice notice-warning" data-testid="one-time-password">
            One-time password for <strong>{secret.username}</strong>: <code>{secret.password}</code>. Hand it
            over now; it is not shown again and must be changed at the first sign-in.
          </div>
        ) : null}
        <table className="admin-table">
          <thead>
            <tr>
              <th>Username</th>
              <th>Name</th>
              <th>Role</th>
              <th>Lines</th>
              <th>Since</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-testid={`user-${u.username}`}>
                <td>{u.username}</td>
                <td>{u.name}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.username}`}
                    value={u.role}
                    disabled={u.id === me}
                    onChange={(e) =>
                      void act(async () => {
                        await send('PATCH', `/api/admin/users/${u.id}`, { role: e.target.value });
                        await reloadUsers();
                      })
                    }
                  >
                    <option value="supervisor">supervisor</option>
                    <option value="admin">admin</option>
                  </select>
                  {u.mustChangePassword ? <span className="admin-tag">one-time password</span> : null}
                </td>
                <td>
                  {u.role === 'admin' ? (
                    'All lines'
                  ) : (
                    <LinesEditor
                      of={u.username}
                      lines={u.lines}
                      save={(lines) =>
                        act(async () => {
                          await send('PUT', `/api/admin/users/${u.id}/lines`, { lines });
                          await reloadUsers();
                        })
                      }
                    />
                  )}
                </td>
                <td suppressHydrationWarning>{when(u.createdAt)}</td>
                <td className="admin-actions">
                  <button
                    className="button"
                    type="button"
                    onClick={() =>
                      void act(async () => {
                        const r = await send<{ oneTimePassword: string }>(
                          'PATCH',
                          `/api/admin/users/${u.id}`,
                          {
                            resetPassword: true,
                          },
                        );
                        setSecret({ username: u.username, password: r.oneTimePassword });
                        await reloadUsers();
                      })
                    }
                  >
                    Reset password
                  </button>
                  {u.id !== me ? (
                    <button
                      className="button button-danger"
                      type="button"
                      onClick={() =>
                        void act(async () => {
                          if (!window.confirm(`Remove ${u.username}?`)) return;
                          await send('DELETE', `/api/admin/users/${u.id}`);
                          await reloadUsers();
                        })
                      }
                    >
                      Remove
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <AdminForm
          label="Add user"
          act={act}
          submit={async (data) => {
            const username = String(data.get('username') ?? '');
            const r = await send<{ oneTimePassword: string }>('POST', '/api/admin/users', {
              username,
              name: String(data.get('name') ?? ''),
              role: String(data.get('role') ?? 'supervisor'),
            });
            setSecret({ username, password: r.oneTimePassword });
            await reloadUsers();
          }}
        >
          <input name="username" placeholder="username" aria-label="New username" required />
          <input name="name" placeholder="full name" aria-label="New user's name" required />
          <select name="role" aria-label="New user's role" defaultValue="supervisor">
            <option value="supervisor">supervisor</option>
            <option value="admin">admin</option>
          </select>
          <button className="button button-primary" type="submit">
            Add user
          </button>
        </AdminForm>
      </section>

      <section className="panel admin-section" aria-label="Wallboard TVs">
        <h2>Wallboard TVs</h2>
        <p className="auth-hint">
          A TV stays signed in, read-only, until you revoke it. Revoking signs it out and closes its live
          connection within seconds.
        </p>
        {pairing ? (
          <div className="pairing" data-testid="pairing">
            {/* A data: URL made on the server: nothing for next/image to optimise. */}
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={pairing.qr} alt="QR code of the pairing link" width={180} height={180} />
            <div>
              <p>
                On the TV, open <strong>{pairing.link}</strong> and enter
              </p>
              <p className="pairing-code" data-testid="pairing-code">
                {pairing.code}
              </p>
              <p className="auth-hint">Valid once, until {formats.clock(new Date(pairing.expiresAt))}.</p>
            </div>
          </div>
        ) : null}
        <table className="admin-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>State</th>
              <th>Lines</th>
              <th>Paired</th>
              <th>Last seen</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {wallboards.map((w) => (
              <tr key={w.id} data-testid={`wallboard-${w.name}`}>
                <td>{w.name}</td>
                <td>{w.state}</td>
                <td>
                  {w.state === 'revoked' ? (
                    '—'
                  ) : (
                    <LinesEditor
                      of={w.name}
                      lines={w.lines}
                      save={(lines) =>
                        act(async () => {
                          await send('PUT', `/api/admin/wallboards/${w.id}/lines`, { lines });
                          await reloadBoards();
                        })
                      }
                    />
                  )}
                </td>
                <td suppressHydrationWarning>{when(w.pairedAt)}</td>
                <td suppressHydrationWarning>{when(w.lastSeenAt)}</td>
                <td className="admin-actions">
                  {w.state !== 'revoked' ? (
                    <>
                      <button
                        className="button"
                        type="button"
                        onClick={() =>
                          void act(async () => {
                            setPairing(await send<Pairing>('POST', `/api/admin/wallboards/${w.id}`));
                            await reloadBoards();
                          })
                        }
                      >
                        New code
                      </button>
                      <button
                        className="button button-danger"
                        type="button"
                        onClick={() =>
                          void act(async () => {
                            await send('DELETE', `/api/admin/wallboards/${w.id}`);
                            if (pairing?.id === w.id) setPairing(null);
                            await reloadBoards();
                          })
                        }
                      >
                        Revoke
                      </button>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <AdminForm
          label="Add wallboard TV"
          act={act}
          submit={async (data) => {
            setPairing(
              await send<Pairing>('POST', '/api/admin/wallboards', { name: String(data.get('name') ?? '') }),
            );
            await reloadBoards();
          }}
        >
          <input name="name" placeholder="e.g. Floor 2 TV" aria-label="Wallboard name" required />
          <button className="button button-primary" type="submit">
            Add wallboard TV
          </button>
        </AdminForm>
      </section>
      {settings}
      {privacy}
      <StoreSize />
      <AlertAdmin />
    </main>
  );
}
