// fetch.txt (RFC 8493 §2.2.3): "url length path" lines. The validator never fetches anything; it checks that
// the lines are well formed and that their paths could not point outside the payload.
import type { IssueList } from './bag.issue.js';
import { manifestPath, type ParsedManifest } from './manifest.parser.js';
import { splitLines } from './tag-text.util.js';

const FILE = 'fetch.txt';

export function checkFetch(text: string, v1: boolean, manifests: readonly ParsedManifest[], issues: IssueList): void {
  issues.warn('fetch-present', 'the bag lists remote content in fetch.txt; it is not fetched by the validator', {
    file: FILE,
  });
  const listed = manifests.map((m) => ({ file: m.file, paths: new Set(m.entries.map((e) => e.path)) }));
  splitLines(text).forEach((content, index) => {
    const line = index + 1;
    const at = { file: FILE, line };
    const match = /^(\S+)[ \t]+([0-9]+|-)[ \t]+(.+)$/.exec(content);
    if (!match) {
      issues.error('fetch-line-invalid', `expected "<url> <length|-> <path>", found ${JSON.stringify(content)}`, at);
      return;
    }
    const [, url = '', , raw = ''] = match;
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) issues.error('fetch-line-invalid', `${url} is not an absolute URI`, at);
    const path = manifestPath(raw, { file: FILE, line, v1, kind: 'payload' }, issues);
    if (path === undefined) return;
    for (const manifest of listed) {
      if (!manifest.paths.has(path)) {
        issues.error('fetch-not-in-manifest', `${path} is not listed in ${manifest.file}`, at);
      }
    }
  });
}
