// `evx package download <request-id>`: the evidence package of an order, with a progress bar on a terminal (plain
// progress lines otherwise, nothing with --json), resumable with --resume, checked against its SHA-256.
// Exit codes: 0 saved and checked; 1 the server refused, or the file failed its check; 2 usage, I/O, connection.
import { SingleBar, Presets } from 'cli-progress';
import type { Command, Option } from 'commander';
import { ApiError } from '../authority-api.http-client.js';
import {
  downloadPackageFile,
  IntegrityError,
  type DownloadOptions,
  type DownloadProgress,
} from './package/package.download.js';

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

/** A cli-progress bar on stderr (a terminal). */
function barProgress(): DownloadProgress {
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: 'downloading [{bar}] {percentage}% | {done}/{all} | {speed} | eta {eta_formatted}',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let started = Date.now();
  let first = 0;
  return {
    start(total, already) {
      started = Date.now();
      first = already;
      bar.start(total, already, { done: mib(already), all: mib(total), speed: '' });
    },
    update(done) {
      const seconds = (Date.now() - started) / 1000;
      const speed = seconds > 0 ? `${mib((done - first) / seconds)}/s` : '';
      bar.update(done, { done: mib(done), speed });
    },
    stop() {
      bar.stop();
    },
  };
}

/** One line per tenth of the file on stderr (logs, pipes, CI). */
function lineProgress(): DownloadProgress {
  let total = 0;
  let next = 0;
  return {
    start(all, already) {
      total = all;
      next = already + all / 10;
      console.error(`downloading ${mib(all)}${already > 0 ? `, resuming at ${mib(already)}` : ''}`);
    },
    update(done) {
      if (total > 0 && done >= next && done < total) {
        console.error(`  ${Math.floor((done / total) * 100)}% (${mib(done)})`);
        next = done + total / 10;
      }
    },
    stop() {},
  };
}

export function packageCommands(program: Command, certsDirOption: () => Option): void {
  const pkg = program.command('package').description('evidence packages of orders');
  pkg
    .command('download <request-id>')
    .description('download the evidence package of a delivered order, resumable, checked against its SHA-256')
    .addOption(certsDirOption())
    .option('--as <identity>', 'dev identity file name (actors/<name>.crt)', 'police-hn.inv-1')
    .option('--cert <file>', 'your client certificate (PEM), instead of --as')
    .option('--key <file>', 'its private key (PEM)')
    .option('--url <url>', 'authority-api REST base URL', 'https://localhost:8443')
    .option('--out <file>', 'where to save it (default: evx-<request-id>.tar here)')
    .option('--resume', 'continue <file>.part left by a broken download instead of starting again')
    .option('--format <format>', 'TAR or ZIP', 'TAR')
    .option('--json', 'print a JSON summary (no progress)')
    .action(async (id: string, opts: Omit<DownloadOptions, 'id'> & { json?: boolean }) => {
      const progress = opts.json ? undefined : process.stderr.isTTY ? barProgress() : lineProgress();
      try {
        const summary = await downloadPackageFile({ ...opts, id }, progress);
        if (opts.json) console.log(JSON.stringify(summary, null, 2));
        else
          console.log(
            `${summary.file}  ${summary.size} bytes  sha256 ${summary.sha256}  (package ${summary.packageId}` +
              `${summary.resumedFrom > 0 ? `, resumed at byte ${summary.resumedFrom}` : ''}; SHA-256 checked)`,
          );
      } catch (error) {
        if (!(error instanceof ApiError) && !(error instanceof IntegrityError)) throw error;
        console.error(`evx: ${error instanceof ApiError ? 'refused' : 'integrity check failed'}: ${error.message}`);
        process.exitCode = 1;
      }
    });
}
