import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { auditLog, type AuditEventRecord, type LogAuditReport, type LogSource } from '#evx/audit';
import { logVerifierKeyFromPem } from '#evx/log';
import { parseVerifierKey } from '#evx/tlog';
import { getJson, resolveIdentity, type ClientIdentity } from '../authority-api.http-client.js';

interface AuditOptions {
  trusted?: string;
  saveCheckpoint?: string;
  certs: string;
  trust?: string;
  as: string;
  cert?: string;
  key?: string;
  url: string;
  origin: string;
  json?: boolean;
}

/** REST view of the log for auditors (authority-api `/v1/audit/*`). */
export function restLogSource(url: string, identity: ClientIdentity): LogSource {
  return {
    checkpoints: async (from) =>
      (await getJson<{ checkpoints: string[] }>(url, `/v1/audit/checkpoints?from=${from}&limit=1000`, identity))
        .checkpoints,
    leaves: async (start, end) =>
      (
        await getJson<{ entries: Array<{ leafData: string }> }>(
          url,
          `/v1/audit/entries?start=${start}&end=${end}`,
          identity,
        )
      ).entries.map((e) => Buffer.from(e.leafData, 'base64')),
    inclusionProof: async (index, size) =>
      (
        await getJson<{ hashes: string[] }>(url, `/v1/audit/inclusion-proof?index=${index}&size=${size}`, identity)
      ).hashes.map((h) => Buffer.from(h, 'base64')),
  };
}

/** Re-hashes the whole log against every signed checkpoint; the log key comes from the trust folder, not the server. */
export async function verifyAuditLog(opts: AuditOptions): Promise<LogAuditReport> {
  const trust = resolve(opts.trust ?? opts.certs);
  const verifier = parseVerifierKey(
    logVerifierKeyFromPem(opts.origin, readFileSync(join(trust, 'log', 'log.pub'), 'utf8')),
  );
  const identity = resolveIdentity({ ...opts, certs: resolve(opts.certs) });
  const progress = !opts.json && process.stderr.isTTY;
  const report = await auditLog(restLogSource(opts.url, identity), verifier, opts.origin, {
    trustedCheckpoint: opts.trusted ? readFileSync(opts.trusted, 'utf8') : undefined,
    onProgress: (done, total) => {
      if (progress) process.stderr.write(`\rre-hashed ${done} of ${total} entries`);
    },
  });
  if (report.ok && opts.saveCheckpoint) {
    const latest = await getJson<{ checkpoint: string }>(opts.url, '/v1/audit/checkpoint', identity);
    writeFileSync(opts.saveCheckpoint, latest.checkpoint);
  }
  return report;
}

export function auditCommands(program: Command, certsDirOption: () => Option): void {
  const audit = program.command('audit').description('the tamper-evident audit log (auditors)');
  const common = (cmd: Command) =>
    cmd
      .addOption(certsDirOption())
      .option('--as <identity>', 'dev identity file name (actors/<name>.crt)', 'dpa.aud-1')
      .option('--cert <file>', 'your client certificate (PEM), instead of --as')
      .option('--key <file>', 'its private key (PEM)')
      .option('--url <url>', 'authority-api REST base URL', 'https://localhost:8443')
      .option('--origin <origin>', 'the log origin its checkpoints must name', 'evx.local/log')
      .option('--json', 'machine-readable output');

  common(audit.command('verify'))
    .description('re-hash every log entry against every signed checkpoint and say where it breaks')
    .option('--trust <folder>', 'trust anchors folder holding log/log.pub (default: the PKI folder)')
    .option('--trusted <file>', 'a checkpoint kept from an earlier audit: fail if the log no longer extends it')
    .option('--save-checkpoint <file>', 'after a clean audit, keep the latest checkpoint here for the next --trusted')
    .action(async (opts: AuditOptions) => {
      const report = await verifyAuditLog(opts);
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else if (report.ok) {
        console.error('');
        console.log(
          `audit log OK: ${report.entries} entries re-hashed, ${report.checkpoints} signed checkpoints verified (tree size ${report.latestSize})`,
        );
      } else {
        console.error('');
        const where = report.brokenAt === undefined ? '' : `first bad entry: index ${report.brokenAt}; `;
        console.log(`audit log BROKEN: ${where}${report.problem}`);
      }
      process.exitCode = report.ok ? 0 : 1;
    });

  common(audit.command('list'))
    .description('list audit events')
    .option('--start <n>', 'first index', '0')
    .option('--end <n>', 'one past the last index (default: the tree size, at most 1000 after start)')
    .action(async (opts: AuditOptions & { start: string; end?: string }) => {
      const identity = resolveIdentity({ ...opts, certs: resolve(opts.certs) });
      const size = (await getJson<{ treeSize: number }>(opts.url, '/v1/audit/checkpoint', identity)).treeSize;
      const end = opts.end ?? String(Math.min(size, Number(opts.start) + 1000));
      const page = await getJson<{ entries: Array<{ index: number; event: AuditEventRecord | null }> }>(
        opts.url,
        `/v1/audit/entries?start=${opts.start}&end=${end}`,
        identity,
      );
      if (opts.json) return console.log(JSON.stringify(page.entries, null, 2));
      for (const { index, event } of page.entries) {
        if (!event) console.log(`${index}  (package commitment)`);
        else
          console.log(
            `${index}  ${event.occurredAt}  ${event.action.replace('AUDIT_ACTION_', '')}  ${event.actorUri}  ${event.objects.map((o) => o.id).join(',')}  ${event.oldState}→${event.newState}`,
          );
      }
    });
}
