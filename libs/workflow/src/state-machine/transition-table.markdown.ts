// Renders REQUEST_TRANSITIONS as the Markdown table in docs/workflow.md; transition-table.markdown.spec.ts fails
// when the document and the code disagree, and prints the table to paste.
import { REQUEST_TRANSITIONS, type Trigger } from './request.transitions.js';
import { ACTION_TYPES } from './request.transitions.js';

const WHO: Record<Trigger, string> = {
  requester: 'requester',
  'agency-investigator': 'investigator of the agency',
  approver: 'approver',
  provider: 'provider adapter',
  system: 'EVX (system)',
};

export function transitionTableMarkdown(): string {
  const rows = ACTION_TYPES.map((type) => {
    const { from, to, trigger, preconditions } = REQUEST_TRANSITIONS[type];
    return `| \`${type}\` | ${from.join(', ')} | ${to.join(' / ')} | ${WHO[trigger]} | ${preconditions.join('; ')} |`;
  });
  return ['| transition | from | to | who | preconditions |', '|---|---|---|---|---|', ...rows].join('\n');
}
