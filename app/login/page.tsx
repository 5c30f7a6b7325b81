import { LoginForm } from '@/components/LoginForm';
import { safeNext } from '@/lib/auth/policy';

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <main className="auth-page">
      <LoginForm next={safeNext(next)} />
    </main>
  );
}
