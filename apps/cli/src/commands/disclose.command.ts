import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { disclosePackage, DisclosureError } from '#evx/evidence-package';

/**
 * `evx disclose <package> --records 3,17 -o subset.tar`: a selective disclosure (docs/package-format.md §9).
 * Exit 0 written, 1 the source package is inconsistent, 2 usage or I/O error.
 */
export function discloseCommand(program: Command): void {
  program
    .command('disclose')
    .description('write a package holding only the chosen records, each with its Merkle inclusion proof')
    .argument('<package>', 'package file (.tar) or unpacked package folder')
    .requiredOption('--records <list>', 'record sequence numbers, e.g. 3,17 or 3-5,17', parseRecordList)
    .requiredOption('-o, --out <file>', 'the disclosure to write (.tar); must not exist')
    .action(async (path: string, opts: { records: number[]; out: string }) => {
      try {
        const disclosed = await disclosePackage(resolve(path), opts.records, resolve(opts.out));
        console.log(
          `wrote ${opts.out}: records ${disclosed.disclosed.join(', ')} of ${disclosed.recordCount}, ` +
            `${disclosed.size} bytes, sha256 ${disclosed.sha256}`,
        );
      } catch (error) {
        if (!(error instanceof DisclosureError)) throw error;
        console.error(`evx disclose: ${error.message}`);
        process.exitCode = 1;
      }
    });
}

/** "3,17" or "3-5,17" to [3, 4, 5, 17]. */
export function parseRecordList(value: string): number[] {
  const numbers: number[] = [];
  for (const part of value.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const from = Number(match?.[1]);
    const to = match?.[2] === undefined ? from : Number(match[2]);
    if (!match || !Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || to < from) {
      throw new InvalidArgumentError(`"${part}" is not a record number or range like 3 or 3-5`);
    }
    if (numbers.length + (to - from) > 1_000_000) throw new InvalidArgumentError('too many records');
    for (let n = from; n <= to; n++) numbers.push(n);
  }
  return numbers;
}
