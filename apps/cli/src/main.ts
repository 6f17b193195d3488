import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { REPO_ROOT } from './cli.paths.js';

/** Exit codes: 0 success, 1 the checked thing is invalid / the operation failed, 2 usage or I/O error. */
const program = new Command('evx')
  .description('EVX: lawful electronic-evidence exchange gateway')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) })
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

const certsDirOption = () =>
  new Option('--certs <dir>', 'PKI folder').env('EVX_CERTS_DIR').default(resolve(REPO_ROOT, 'certs-dev/out'));

type Registrar = () => Promise<void>;

/**
 * Each command's module is loaded only when that command runs (or for help): `evx verify` then starts without
 * loading Nest, grpc-js and the rest, which the stack and request commands need (about half a second).
 */
const COMMANDS: Record<string, Registrar> = {
  up: async () => {
    const { up } = await import('./commands/up.command.js');
    program
      .command('up')
      .description(
        'start the whole stack (vault, provider-edge, authority-api, mock-telecom, mock-bank); Ctrl-C stops it',
      )
      .addOption(certsDirOption())
      .action(async (opts: { certs: string }) => up({ certsDir: resolve(opts.certs) }));
  },
  certs: async () => (await import('./commands/certs.command.js')).certsCommands(program, certsDirOption),
  verify: async () => (await import('./commands/verify.command.js')).verifyCommand(program),
  disclose: async () => (await import('./commands/disclose.command.js')).discloseCommand(program),
  audit: async () => (await import('./commands/audit.command.js')).auditCommands(program, certsDirOption),
  request: async () => (await import('./commands/request.command.js')).requestCommands(program, certsDirOption),
  package: async () => (await import('./commands/package.command.js')).packageCommands(program, certsDirOption),
  'adapter-test': async () =>
    (await import('./commands/adapter-test.command.js')).adapterTestCommand(program, certsDirOption),
  demo: async () => (await import('./commands/demo.command.js')).demoCommand(program, certsDirOption),
};

const named = process.argv[2];
const needed = named !== undefined && named in COMMANDS ? [COMMANDS[named]!] : Object.values(COMMANDS);
// Nest's decorators need the Reflect metadata polyfill before the modules using them load. `verify` loads no Nest
// (its X.509 code imports the polyfill itself), and every millisecond before it starts hashing counts.
if (named !== 'verify') await import('reflect-metadata');
for (const register of needed) await register();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`evx: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
