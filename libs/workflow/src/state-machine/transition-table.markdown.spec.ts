import { readFileSync } from 'node:fs';
import { transitionTableMarkdown } from './transition-table.markdown.js';

/** Table rows with cell padding and separator widths removed, so Prettier's alignment does not matter. */
function tableRows(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((line) => line.trim().startsWith('|'))
    .map((line) =>
      line
        .trim()
        .split('|')
        .map((cell) => cell.trim().replace(/^:?-+:?$/, '---'))
        .join('|'),
    );
}

describe('docs/workflow.md', () => {
  it('holds the transition table exactly as the code defines it (on failure, paste the expected table)', () => {
    const doc = tableRows(readFileSync(new URL('../../../../docs/workflow.md', import.meta.url), 'utf8')).join('\n');
    expect(doc).toContain(tableRows(transitionTableMarkdown()).join('\n'));
  });
});
