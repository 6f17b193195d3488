#!/usr/bin/env node
// `npm run proto:check` (CI): the wire contracts must lint, and libs/proto/src/generated must be exactly what
// `buf generate` makes from proto/ today. It regenerates into a temporary folder (buf's --output), so the working tree
// is never touched. Offline: buf.yaml has no remote deps (the google/protobuf imports are buf's built-in well-known
// types) and buf.gen.yaml runs only the local ts-proto plugin from node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GENERATED = join('libs', 'proto', 'src', 'generated');
const BUF = join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'buf.cmd' : 'buf');

function buf(args) {
  const result = spawnSync(BUF, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status === 0;
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

function compare(committedDir, freshDir) {
  const committed = new Set(listFiles(committedDir));
  const fresh = new Set(listFiles(freshDir));
  const problems = [];
  for (const file of fresh) {
    if (!committed.has(file)) problems.push(`missing:  ${join(GENERATED, file)}`);
    else if (!readFileSync(join(committedDir, file)).equals(readFileSync(join(freshDir, file)))) {
      problems.push(`stale:    ${join(GENERATED, file)}`);
    }
  }
  for (const file of committed) {
    if (!fresh.has(file)) problems.push(`orphan:   ${join(GENERATED, file)}`);
  }
  return problems;
}

let ok = true;
if (!buf(['lint'])) {
  console.error('proto:check: `buf lint` failed (see above).');
  ok = false;
}

const scratch = mkdtempSync(join(tmpdir(), 'evx-proto-check-'));
try {
  if (!buf(['generate', '--output', scratch])) {
    console.error('proto:check: `buf generate` failed (see above).');
    ok = false;
  } else {
    const problems = compare(join(ROOT, GENERATED), join(scratch, GENERATED));
    if (problems.length > 0) {
      console.error(`proto:check: ${GENERATED} does not match proto/:\n  ${problems.join('\n  ')}`);
      console.error('Run `npm run proto` and commit the result; never edit generated files by hand.');
      ok = false;
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (!ok) process.exit(1);
console.log(`proto:check: buf lint passed; ${GENERATED} is up to date.`);
