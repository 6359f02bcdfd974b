import Link from 'next/link';

const LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/layers/bronze', label: 'Bronze' },
  { href: '/layers/silver', label: 'Silver' },
  { href: '/layers/gold', label: 'Gold' },
];

export function Sidebar() {
  return (
    <aside className="sidebar">
      <div className="brand">
        Keystone Nexus
        <small>lakehouse console</small>
      </div>
      <nav className="nav" aria-label="Main">
        {LINKS.map((l) => (
          <Link key={l.href} href={l.href}>
            {l.label}
          </Link>
        ))}
      </nav>
    </aside>
  );
}
