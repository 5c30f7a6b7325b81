'use client';
import type { Viewer } from './Dashboard';

async function signOut() {
  await fetch('/api/auth/sign-out', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  }).catch(() => {});
  window.location.assign('/login');
}

export function UserMenu({ viewer }: { viewer: Viewer }) {
  return (
    <nav className="user-menu" aria-label="Account">
      <span className="user-name" data-testid="signed-in-as">
        {viewer.name}
      </span>
      {viewer.admin ? (
        <a className="button" href="/admin">
          Admin
        </a>
      ) : null}
      <a className="button" href="/account/password">
        Password
      </a>
      <button className="button" type="button" onClick={() => void signOut()}>
        Sign out
      </button>
    </nav>
  );
}
