import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

export interface ClientIdentity {
  certPem: string;
  keyPem: string;
  /** CA that issued the EVX servers' certificates. */
  caPem: string;
}

/** `--cert/--key` when given, else the named dev identity (`actors/<as>.crt|.key` in the PKI folder). */
export function resolveIdentity(opts: { certs: string; as: string; cert?: string; key?: string }): ClientIdentity {
  if (Boolean(opts.cert) !== Boolean(opts.key)) throw new UsageError('give --cert and --key together');
  return {
    certPem: readFileSync(opts.cert ?? join(opts.certs, 'actors', `${opts.as}.crt`), 'utf8'),
    keyPem: readFileSync(opts.key ?? join(opts.certs, 'actors', `${opts.as}.key`), 'utf8'),
    caPem: readFileSync(join(opts.certs, 'service', 'root.crt'), 'utf8'),
  };
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The server answered with an error status: its message says what to fix. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GET a JSON resource of authority-api over HTTPS with the caller's client certificate. */
export function getJson<T>(baseUrl: string, path: string, identity: ClientIdentity): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      { method: 'GET', ca: identity.caPem, cert: identity.certPem, key: identity.keyPem, timeout: 30_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            return reject(new ApiError(res.statusCode ?? 0, `not JSON from ${path}: ${text.slice(0, 200)}`));
          }
          if ((res.statusCode ?? 500) >= 400) {
            const message = (body as { message?: unknown }).message;
            return reject(new ApiError(res.statusCode ?? 0, `${res.statusCode}: ${String(message ?? text)}`));
          }
          resolve(body as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out waiting for ${baseUrl}`)));
    req.on('error', reject);
    req.end();
  });
}
