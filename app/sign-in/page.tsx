import { redirect } from 'next/navigation';
import { currentUser } from '@/components/auth/session';
import { SignInForm } from '@/components/auth/sign-in-form';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Sign in · Keystone Nexus' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  const user = await currentUser().catch(() => undefined);
  if (user) redirect(typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/');
  return (
    <div className="sign-in">
      <div className="brand-dark">
        Keystone Nexus
        <small>lakehouse console</small>
      </div>
      <h1>Sign in</h1>
      <SignInForm next={typeof next === 'string' ? next : '/'} />
    </div>
  );
}
