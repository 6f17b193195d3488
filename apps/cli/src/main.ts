import 'reflect-metadata';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { adapterTestCommand } from './commands/adapter-test.command.js';
import { auditCommands } from './commands/audit.command.js';
import { certsCommands } from './commands/certs.command.js';
import { demoCommand } from './commands/demo.command.js';
import { discloseCommand } from './commands/disclose.command.js';
import { packageCommands } from './commands/package.command.js';
import { requestCommands } from './commands/request.command.js';
import { up } from './commands/up.command.js';
import { verifyCommand } from './commands/verify.command.js';
import { REPO_ROOT } from './cli.paths.js';

/** Exit codes: 0 success, 1 the checked thing is invalid / the operation failed, 2 usage or I/O error. */
const program = new Command('evx')
  .description('EVX: lawful electronic-evidence exchange gateway')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) })
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

const certsDirOption = () =>
  new Option('--certs <dir>', 'PKI folder').env('EVX_CERTS_DIR').default(resolve(REPO_ROOT, 'certs-dev/out'));

program
  .command('up')
  .description('start the whole stack (vault, provider-edge, authority-api, mock-telecom, mock-bank); Ctrl-C stops it')
  .addOption(certsDirOption())
  .action(async (opts: { certs: string }) => up({ certsDir: resolve(opts.certs) }));

certsCommands(program, certsDirOption);
verifyCommand(program);
discloseCommand(program);
auditCommands(program, certsDirOption);
requestCommands(program, certsDirOption);
packageCommands(program, certsDirOption);
adapterTestCommand(program, certsDirOption);
demoCommand(program, certsDirOption);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`evx: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
