// Names of package items for messages: which EVX item a file is, so a failure says "record 17" or "approval 2",
// not just a path.
import { PACKAGE_PATHS } from './package-format.js';

const FIXED: Readonly<Record<string, string>> = {
  'bagit.txt': 'bag declaration',
  'bag-info.txt': 'bag-info',
  [PACKAGE_PATHS.descriptor]: 'package descriptor',
  [PACKAGE_PATHS.request]: 'request',
  [PACKAGE_PATHS.requestSignature]: 'request signature',
  [PACKAGE_PATHS.origin]: 'origin statement',
  [PACKAGE_PATHS.originSignature]: 'origin signature',
  [PACKAGE_PATHS.custody]: 'custody statement',
  [PACKAGE_PATHS.custodySignature]: 'custody signature',
  [PACKAGE_PATHS.custodyEvents]: 'custody events',
  [PACKAGE_PATHS.checkpoint]: 'log checkpoint',
  [PACKAGE_PATHS.tlogProof]: 'log proof',
  [PACKAGE_PATHS.disclosure]: 'disclosure',
};

export const RECORD_FILE = /^data\/records\/(\d{8})\.(bin|json)$/;
export const APPROVAL_FILE = /^evx\/authorisation\/approvals\/(\d{2})(\.sig)?\.json$/;

/** The item a bag-relative path belongs to. */
export function itemOf(path: string): string {
  const fixed = FIXED[path];
  if (fixed !== undefined) return fixed;
  const record = RECORD_FILE.exec(path);
  if (record) return `record ${Number(record[1])}${record[2] === 'json' ? ' metadata' : ''}`;
  const approval = APPROVAL_FILE.exec(path);
  if (approval) return `approval ${Number(approval[1])}${approval[2] ? ' signature' : ''}`;
  if (/^manifest-[a-z0-9]+\.txt$/.test(path)) return 'payload manifest';
  if (/^tagmanifest-[a-z0-9]+\.txt$/.test(path)) return 'tag manifest';
  return 'file';
}
