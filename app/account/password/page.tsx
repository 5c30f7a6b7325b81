import { headers } from 'next/headers';
import { PasswordForm } from '@/components/PasswordForm';
import { principalFromHeaders } from '@/lib/auth/access';

export default async function PasswordPage() {
  const principal = principalFromHeaders(await headers());
  const mustChange = principal?.kind === 'user' && principal.mustChangePassword;
  return (
    <main className="auth-page">
      <PasswordForm mustChange={mustChange} username={principal?.kind === 'user' ? principal.username : ''} />
    </main>
  );
}
