'use client';
import type { Viewer } from './viewer';

async function signOut() {
  await fetch('/api/auth/sign-out', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  }).catch(() => {});
  // A full load: nothing of the signed-in page may stay in memory.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
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
