import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Sidebar } from '@/components/layout/sidebar';
import { Providers } from '@/components/layout/providers';
import { currentUser } from '@/components/auth/session';
import './globals.css';

export const metadata: Metadata = {
  title: 'Keystone Nexus',
  description: 'Lakehouse console: bronze → silver → gold',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Pages check the user themselves (requireUser); the layout only decides whether to show the shell.
  const user = await currentUser().catch(() => undefined);
  return (
    <html lang="en">
      <body>
        <Providers>
          {user ? (
            <div className="shell">
              <Sidebar user={user} />
              <main className="main">{children}</main>
            </div>
          ) : (
            <main className="bare">{children}</main>
          )}
        </Providers>
      </body>
    </html>
  );
}
