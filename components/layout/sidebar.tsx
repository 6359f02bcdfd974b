import Link from 'next/link';

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

export function Sidebar() {
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
      </nav>
    </aside>
  );
}
