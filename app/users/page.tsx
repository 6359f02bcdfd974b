import { appCatalog } from '@/components/server-context';
import { requireUser } from '@/components/auth/session';
import { canDo } from '@/lib/auth/sessions';
import { listUsers } from '@/lib/console/users';
import { formatWhen } from '@/components/format';
import { AddUserForm } from '@/components/users/add-user-form';
import { ChangePasswordForm } from '@/components/users/change-password-form';
import { UserActions } from '@/components/users/user-actions';

export const dynamic = 'force-dynamic';

export default async function UsersPage() {
  const user = await requireUser('analyst', '/users');
  if (!canDo(user, 'engineer')) {
    return (
      <>
        <h1>Users</h1>
        <p className="note" role="note">
          Managing users needs the engineer role.
        </p>
        <div className="spaced narrow">
          <ChangePasswordForm />
        </div>
      </>
    );
  }
  const { db } = await appCatalog();
  const users = await listUsers(db);
  return (
    <>
      <h1>Users</h1>
      <p className="subtitle">Engineers do everything; analysts browse, run saved queries and read-only SQL.</p>
      <table className="grid" aria-label="Users">
        <thead>
          <tr>
            <th>User</th>
            <th>Name</th>
            <th>Role</th>
            <th>Created</th>
            <th>Last sign-in</th>
            <th>Status</th>
            <th>Manage</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>{u.displayName ?? ''}</td>
              <td>{u.role}</td>
              <td>{formatWhen(u.createdAt)}</td>
              <td>{formatWhen(u.lastLoginAt)}</td>
              <td>{u.disabled ? <span className="badge status-failed">disabled</span> : 'active'}</td>
              <td>
                <UserActions userId={u.id} username={u.username} role={u.role} disabled={u.disabled} isSelf={u.id === user.id} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="spaced narrow">
        <AddUserForm />
      </div>
      <div className="spaced narrow">
        <ChangePasswordForm />
      </div>
    </>
  );
}
