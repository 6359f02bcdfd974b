/**
 * `keystone users add|list` — console users from the command line (the Users page does the same).
 * A password comes from --password-stdin (scripts), --password, or is generated and printed once.
 */
import type { Command } from 'commander';
import { createUser } from '../../lib/auth/users';
import { generatePassword } from '../../lib/auth/passwords';
import { openCatalog } from '../../lib/catalog/database';
import { loadConfig } from '../../lib/config';
import { listUsers, parseRole } from '../../lib/console/users';
import { createLogger } from '../../lib/logger';
import { action } from '../run-command';
import { textTable } from '../format-table';

async function withCatalog<T>(fn: (db: Awaited<ReturnType<typeof openCatalog>>['db']) => Promise<T>): Promise<T> {
  const catalog = await openCatalog(loadConfig(), { log: createLogger({}, () => undefined), applicationName: 'keystone-cli' });
  try {
    return await fn(catalog.db);
  } finally {
    await catalog.close();
  }
}

async function readStdin(): Promise<string> {
  let s = '';
  for await (const chunk of process.stdin) s += String(chunk);
  return s.replace(/\r?\n$/, '');
}

export function registerUsers(program: Command) {
  const users = program.command('users').description('Manage console users: `users add <name> --role analyst`, `users list`.');
  users
    .command('add')
    .description('Add a console user (engineer or analyst). Without a password option, one is generated and printed once.')
    .argument('<username>', '2–64 letters, digits, ".", "_" or "-"')
    .requiredOption('--role <role>', 'engineer (does everything) or analyst (browses, runs queries)')
    .option('--password <password>', 'the password (visible in the process list: prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--name <displayName>', 'the name shown in the console')
    .action(
      action(async (username: string, opts: { role: string; password?: string; passwordStdin?: boolean; name?: string }) => {
        const role = parseRole(opts.role);
        const password = opts.passwordStdin ? await readStdin() : (opts.password ?? generatePassword());
        await withCatalog((db) => createUser(db, { username, password, role, ...(opts.name ? { displayName: opts.name } : {}) }));
        process.stdout.write(`added ${username} (${role})${opts.password || opts.passwordStdin ? '' : ` with password\n\n    ${password}\n\nIt is shown only this once.`}\n`);
      }),
    );
  users
    .command('list')
    .description('List console users with their roles.')
    .action(
      action(async () => {
        const rows = await withCatalog((db) => listUsers(db));
        process.stdout.write(textTable(['user', 'role', 'name', 'created', 'last sign-in'], rows.map((u) => [u.username, u.role, u.displayName, u.createdAt, u.lastLoginAt])) + '\n');
      }),
    );
}
