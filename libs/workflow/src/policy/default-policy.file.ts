import { readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicies } from './policy.config.js';
import type { WorkflowPolicies } from './policy.model.js';

/** The policy file shipped with EVX (libs/workflow/policies), from the sources or from the compiled `dist/`. */
export function defaultPolicyFile(): string {
  const here = fileURLToPath(import.meta.url);
  const marker = `${sep}dist${sep}`;
  const root = here.includes(marker) ? here.slice(0, here.lastIndexOf(marker)) : resolve(dirname(here), '../../../..');
  return join(root, 'libs', 'workflow', 'policies', 'default.policy.json');
}

/** The shipped default policies, validated. */
export function defaultPolicies(): WorkflowPolicies {
  return loadPolicies(readFileSync(defaultPolicyFile(), 'utf8'));
}
