/**
 * `keystone` — the command-line front door. Every command calls the same lib/ functions as the console.
 * Commands live in cli/commands/, one file each, and register themselves on the program here.
 */
import { Command } from 'commander';
import { registerDoctor } from './commands/doctor';
import { registerServe } from './commands/serve';
import { registerIngestor } from './commands/ingestor';
import { registerStream } from './commands/stream';
import { registerGenerate } from './commands/generate';
import { registerPipeline } from './commands/pipeline';
import { registerInspect } from './commands/inspect';
import { registerUsers } from './commands/users';
import { registerCompact } from './commands/compact';
import { registerAthena } from './commands/athena';

const program = new Command('keystone')
  .description('Keystone Nexus — a lakehouse console: files and streams flow bronze → silver → gold.')
  .showHelpAfterError('(run with --help for usage)')
  .configureHelp({ sortSubcommands: false });

registerServe(program);
registerIngestor(program);
registerStream(program);
registerDoctor(program);
registerGenerate(program);
registerPipeline(program);
registerInspect(program);
registerUsers(program);
registerCompact(program);
registerAthena(program);

await program.parseAsync(process.argv);
