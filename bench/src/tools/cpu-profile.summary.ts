// `node dist/bench/src/tools/cpu-profile.summary.js FILE.cpuprofile [top] [--window RE [--after RE] [--calls N]]`:
// where a `node --cpu-prof` profile spent its time: self time by function, and inclusive time by source file (the
// package or module that is slow). With --window, only the samples from the first to the last whose stack has a frame
// matching RE (function name or URL), counted after the last sample matching --after when given (e.g. the
// submissions after the drafts: --window submit-request.use-case --after create-request.use-case); the window's
// busy and idle time are printed, and with --calls the busy time per call (docs/performance.md, figure 3).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 1) : url.replace('file://', '');
}

/** The profile's nodes by id, and each node's parent. */
function indexOf(profile: CpuProfile): { byId: Map<number, ProfileNode>; parent: Map<number, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return { byId, parent };
}

export interface SampleWindow {
  /** First and last sample index, inclusive. */
  first: number;
  last: number;
}

/**
 * The samples from the first to the last whose stack matches `within`, after the last sample matching `after`
 * (if given); undefined when none matches.
 */
export function sampleWindow(profile: CpuProfile, within: RegExp, after?: RegExp): SampleWindow | undefined {
  const { byId, parent } = indexOf(profile);
  const matches = (id: number, re: RegExp): boolean => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = (byId.get(cur) as ProfileNode).callFrame;
      if (re.test(`${f.functionName} ${f.url}`)) return true;
    }
    return false;
  };
  let start = 0;
  if (after) profile.samples.forEach((id, i) => (matches(id, after) ? (start = i + 1) : undefined));
  let first = -1;
  let last = -1;
  for (let i = start; i < profile.samples.length; i++) {
    if (!matches(profile.samples[i] as number, within)) continue;
    if (first < 0) first = i;
    last = i;
  }
  return first < 0 ? undefined : { first, last };
}

export function summarise(profile: CpuProfile, top = 25, window?: SampleWindow, calls?: number): string {
  const { byId, parent } = indexOf(profile);
  const self = new Map<number, number>();
  const from = window?.first ?? 0;
  const to = window?.last ?? profile.samples.length - 1;
  let idle = 0;
  for (let i = from; i <= to; i++) {
    const id = profile.samples[i] as number;
    const us = profile.timeDeltas[i] ?? 0;
    // The idle samples of a window are reported apart: its shares are of busy time.
    if (window && (byId.get(id) as ProfileNode).callFrame.functionName === '(idle)') idle += us;
    else self.set(id, (self.get(id) ?? 0) + us);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fnSelf = new Map<string, number>();
  const fileIncl = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id) as ProfileNode;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}:${f.lineNumber + 1}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
    // Inclusive per file: count each file once per sample along the stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const url =
        shortUrl((byId.get(cur) as ProfileNode).callFrame.url) ||
        `(${(byId.get(cur) as ProfileNode).callFrame.functionName})`;
      if (seen.has(url)) continue;
      seen.add(url);
      fileIncl.set(url, (fileIncl.get(url) ?? 0) + us);
    }
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const lines = [`total sampled: ${(total / 1000).toFixed(0)} ms`];
  if (window) {
    const span = total + idle;
    lines.push(
      `window: samples ${from}-${to}, ${(span / 1000).toFixed(0)} ms, busy ${(total / 1000).toFixed(0)} ms, ` +
        `idle ${(idle / 1000).toFixed(0)} ms (${span > 0 ? ((100 * idle) / span).toFixed(0) : 0} %)`,
    );
    if (calls) lines.push(`busy per call: ${(total / 1000 / calls).toFixed(3)} ms over ${calls} calls`);
  }
  lines.push('', 'self time by function:');
  for (const [k, us] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  lines.push('', 'inclusive time by file:');
  for (const [k, us] of [...fileIncl].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  return lines.join('\n');
}

if (process.argv[2]) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { window: { type: 'string' }, after: { type: 'string' }, calls: { type: 'string' } },
  });
  const profile = JSON.parse(readFileSync(positionals[0] as string, 'utf8')) as CpuProfile;
  const top = Number(positionals[1] ?? 25);
  let window: SampleWindow | undefined;
  if (values.window) {
    window = sampleWindow(profile, new RegExp(values.window), values.after ? new RegExp(values.after) : undefined);
    if (!window) {
      console.error(
        `no sample matches --window ${values.window}${values.after ? ` after --after ${values.after}` : ''}`,
      );
      process.exit(1);
    }
  }
  console.log(summarise(profile, top, window, values.calls ? Number(values.calls) : undefined));
}
