import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ensureDevPki, generateDevPki, issueActorCertificate, revokeCertificate } from '#evx/pki';
import { PKI_CONFIG } from '../cli.paths.js';

const ROLES = ['investigator', 'supervisor', 'prosecutor', 'judge', 'duty-officer', 'auditor', 'adapter'] as const;

/** `evx certs …`: the dev PKI (generated on first `npm start`) and issuing or revoking more certificates. */
export function certsCommands(program: Command, certsDirOption: () => Option): void {
  const certs = program.command('certs').description('development PKI: CAs, service and actor certificates, CRLs');

  certs
    .command('dev')
    .description('generate the dev PKI if it is missing (--force regenerates everything)')
    .addOption(certsDirOption())
    .option('--force', 'regenerate even when keys exist (invalidates every issued certificate)')
    .action(async (opts: { certs: string; force?: boolean }) => {
      const dir = resolve(opts.certs);
      const summary = opts.force
        ? await generateDevPki({ outDir: dir, config: PKI_CONFIG })
        : await ensureDevPki(dir, { config: PKI_CONFIG });
      if (!summary.generated) {
        console.log(`dev PKI already present in ${dir} (use --force to regenerate)`);
        return;
      }
      console.log(
        `dev PKI generated in ${dir} in ${Math.round(summary.durationMs)} ms: ${summary.identities.length} identities`,
      );
      console.log('see certs-dev/README.md for the layout');
    });

  certs
    .command('issue')
    .description('issue one more actor certificate from the existing dev CAs')
    .addOption(new Option('--role <role>', 'what the actor is').choices(ROLES).makeOptionMandatory())
    .option('--agency <agency>', 'issuing agency (investigators and approvers), e.g. police-hn')
    .option('--provider <provider>', 'provider id (adapters), e.g. telco-a')
    .option('--body <body>', 'oversight body (auditors), e.g. dpa')
    .requiredOption('--id <id>', 'the actor id within its organisation, e.g. inv-3')
    .addOption(certsDirOption())
    .action(
      async (opts: {
        role: (typeof ROLES)[number];
        agency?: string;
        provider?: string;
        body?: string;
        id: string;
        certs: string;
      }) => {
        const issued = await issueActorCertificate({
          out: resolve(opts.certs),
          role: opts.role,
          agency: opts.agency,
          provider: opts.provider,
          body: opts.body,
          id: opts.id,
        });
        console.log(
          `issued ${issued.uri} (serial ${issued.serial})\n  certificate ${issued.certPath}\n  key         ${issued.keyPath}`,
        );
      },
    );

  certs
    .command('revoke')
    .description('revoke a certificate by serial number (adds it to its trust domain CRL)')
    .addOption(
      new Option('--domain <domain>').choices(['authority', 'provider', 'service', 'oversight']).makeOptionMandatory(),
    )
    .requiredOption('--serial <hex>', 'serial number in hex')
    .addOption(certsDirOption())
    .action(
      async (opts: { domain: 'authority' | 'provider' | 'service' | 'oversight'; serial: string; certs: string }) => {
        await revokeCertificate(resolve(opts.certs), opts.domain, opts.serial);
        console.log(`revoked ${opts.serial} in the ${opts.domain} CRL`);
      },
    );
}
