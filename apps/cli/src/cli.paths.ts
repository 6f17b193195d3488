import { fileURLToPath } from 'node:url';

/** dist/ of the compiled project (this file runs as dist/apps/cli/src/cli.paths.js). */
export const DIST_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The repository root (dist/..). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The committed generator configuration of the dev PKI. */
export const PKI_CONFIG = fileURLToPath(new URL('../../../../certs-dev/pki.config.json', import.meta.url));
