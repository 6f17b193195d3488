import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

/**
 * Write-then-rename, so a reader (a trust store reloading a CRL, a service reading a key) never
 * sees a half-written file, and the rename gives the file a new inode that reload() notices.
 */
export function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, data, { mode });
  // writeFileSync's mode is filtered by the umask; chmod makes 0600 exact.
  chmodSync(temp, mode);
  renameSync(temp, path);
}

export function writePrivateKeyFile(path: string, pem: string): void {
  writeFileAtomic(path, pem, 0o600);
}
