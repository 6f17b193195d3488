import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
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
    /** The response's headers, when a caller needs more than the message (e.g. a 416's Content-Range). */
    readonly headers: Record<string, string | string[] | undefined> = {},
  ) {
    super(message);
  }
}

/** GET a JSON resource of authority-api over HTTPS with the caller's client certificate. */
export function getJson<T>(baseUrl: string, path: string, identity: ClientIdentity): Promise<T> {
  return callJson<T>('GET', baseUrl, path, identity);
}

/** POST a JSON body to authority-api; an error status rejects with ApiError carrying the server's message. */
export function postJson<T>(baseUrl: string, path: string, body: unknown, identity: ClientIdentity): Promise<T> {
  return callJson<T>('POST', baseUrl, path, identity, body);
}

/** The server's explanation: Nest's ValidationPipe sends one message per field, other errors a single string. */
function messageOf(body: unknown, text: string): string {
  const { message, error } = (body ?? {}) as { message?: unknown; error?: unknown };
  const said = Array.isArray(message) ? message.map(String).join('; ') : String(message ?? text);
  // The error code (STALE_GENERATION, SELF_APPROVAL, …) is what scripts and docs/requests.md key on.
  return typeof error === 'string' && error ? `${error}: ${said}` : said;
}

function callJson<T>(
  method: 'GET' | 'POST',
  baseUrl: string,
  path: string,
  identity: ClientIdentity,
  body?: unknown,
): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      {
        method,
        ca: identity.caPem,
        cert: identity.certPem,
        key: identity.keyPem,
        timeout: 30_000,
        // No keep-alive pool: a CLI makes a few calls and must not hold the process (or a test's server) open.
        agent: false,
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : undefined,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            return reject(new ApiError(res.statusCode ?? 0, `not JSON from ${path}: ${text.slice(0, 200)}`));
          }
          if ((res.statusCode ?? 500) >= 400) {
            return reject(new ApiError(res.statusCode ?? 0, `${res.statusCode}: ${messageOf(parsed, text)}`));
          }
          resolve(parsed as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out waiting for ${baseUrl}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * GET a streamed resource (a package file): resolves with the response as soon as its headers arrive, for the
 * caller to read at its own pace. An error status rejects with ApiError and the server's message (JSON body); the
 * connection failing rejects with the socket's error.
 */
export function getStream(
  baseUrl: string,
  path: string,
  identity: ClientIdentity,
  headers: Record<string, string> = {},
): Promise<IncomingMessage> {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      {
        method: 'GET',
        ca: identity.caPem,
        cert: identity.certPem,
        key: identity.keyPem,
        timeout: 60_000,
        agent: false,
        headers,
      },
      (res) => {
        if ((res.statusCode ?? 500) < 400) return resolve(res);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk.length + text.length < 65_536 ? chunk : ''));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = { message: text.slice(0, 200) };
          }
          reject(new ApiError(res.statusCode ?? 0, `${res.statusCode}: ${messageOf(parsed, text)}`, res.headers));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out waiting for ${baseUrl}`)));
    req.on('error', reject);
    req.end();
  });
}
