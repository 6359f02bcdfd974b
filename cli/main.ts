/**
 * `keystone` — the command-line front door. Every command calls the same lib/ functions as the console.
 * Commands live in cli/commands/, one file each, and register themselves on the program here.
 */
import { Command } from 'commander';
import { registerDoctor } from './commands/doctor';
import { registerServe } from './commands/serve';
import { registerIngestor } from './commands/ingestor';
import { registerGenerate } from './commands/generate';
import { registerPipeline } from './commands/pipeline';
import { registerInspect } from './commands/inspect';

const program = new Command('keystone')
  .description('Keystone Nexus — a lakehouse console: files and streams flow bronze → silver → gold.')
  .showHelpAfterError('(run with --help for usage)')
  .configureHelp({ sortSubcommands: false });

registerServe(program);
registerIngestor(program);
registerDoctor(program);
registerGenerate(program);
registerPipeline(program);
registerInspect(program);

await program.parseAsync(process.argv);
