import { PairForm } from '@/components/PairForm';

export default function PairPage() {
  return (
    <main className="auth-page">
      <PairForm />
    </main>
  );
}
