import Link from 'next/link';
import type { SessionUser } from '@/lib/auth/sessions';
import { signOutAction } from '@/components/auth/actions';

/** Every page of the console, in the order a person works through them. */
export const NAV_LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/ingest', label: 'Ingest' },
  { href: '/layers/bronze', label: 'Bronze' },
  { href: '/layers/silver', label: 'Silver' },
  { href: '/layers/gold', label: 'Gold' },
  { href: '/sql', label: 'SQL' },
  { href: '/jobs', label: 'Jobs' },
  { href: '/lineage', label: 'Lineage' },
  { href: '/dashboards', label: 'Dashboards' },
] as const;

/** Pages only engineers use. */
export const ENGINEER_LINKS = [{ href: '/users', label: 'Users' }] as const;

export function Sidebar({ user }: { user: SessionUser }) {
  return (
    <aside className="sidebar">
      <div className="brand">
        Keystone Nexus
        <small>lakehouse console</small>
      </div>
      <nav className="nav" aria-label="Main">
        {NAV_LINKS.map((l) => (
          <Link key={l.href} href={l.href}>
            {l.label}
          </Link>
        ))}
        {user.role === 'engineer' && ENGINEER_LINKS.map((l) => (
          <Link key={l.href} href={l.href}>
            {l.label}
          </Link>
        ))}
      </nav>
      <div className="who" aria-label="Signed in">
        <div data-testid="current-user">
          <b>{user.displayName ?? user.username}</b>
          {user.displayName ? <span className="muted"> ({user.username})</span> : null}
        </div>
        <div className={`role role-${user.role}`}>{user.role}</div>
        <form action={signOutAction}>
          <button type="submit" className="link-button">
            Sign out
          </button>
        </form>
      </div>
    </aside>
  );
}
