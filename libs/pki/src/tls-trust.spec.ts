import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { generateDevPki } from './dev-pki.js';
import type { Domain } from './identity-uri.js';
import { identityFromCertificate } from './identity.js';
import { pemBlocks } from './pem.js';
import { DEFAULT_PKI_CONFIG } from './pki-config.js';
import { TrustStore } from './trust-store.js';

// Only the actors this file needs: key generation dominates the set-up time.
const ACTORS = new Set(['inv-1', 'aud-1', 'expired-1', 'revoked-1']);

let out: string;
let trust: TrustStore;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'evx-pki-tls-'));
  const config = { ...DEFAULT_PKI_CONFIG, actors: DEFAULT_PKI_CONFIG.actors.filter((actor) => ACTORS.has(actor.id) && actor.agency !== 'police-dn') };
  await generateDevPki({ outDir: out, config });
  trust = TrustStore.fromDirectory(out);
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

const read = (path: string) => readFileSync(join(out, path), 'utf8');

interface Server {
  readonly port: number;
  readonly clientErrors: string[];
  close(): Promise<void>;
}

/** A vault-like server that trusts `domains` for client certificates, as a service would configure it. */
async function startServer(domains: Domain[]): Promise<Server> {
  const clientErrors: string[] = [];
  const server = tls.createServer(
    {
      key: read('services/vault.key'),
      cert: read('services/vault.crt'),
      ca: trust.rootsPem(domains),
      crl: trust.crlsPem(domains),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => {
      const identity = identityFromCertificate(socket.getPeerCertificate().raw, trust);
      socket.end(`ok ${identity.uri}`);
    },
  );
  // Node destroys a rejected client without an error of its own; the verification result is on the socket.
  server.on('tlsClientError', (error, socket) => clientErrors.push(`${String(socket.authorizationError ?? '')} ${error.message}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    clientErrors,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The server records the refusal a moment after the client sees the connection drop. */
async function refusalsSince(server: Server, before: number): Promise<string> {
  for (let waited = 0; server.clientErrors.length <= before && waited < 2000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return server.clientErrors.slice(before).join();
}

/** Connects with an actor's key and certificate; resolves with what the server said, or the error. */
function connect(port: number, actor: string, options: { leafOnly?: boolean; servername?: string } = {}): Promise<string> {
  const chain = read(`actors/${actor}.crt`);
  return new Promise((resolve) => {
    let received = '';
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      ...(options.servername === undefined ? {} : { servername: options.servername }),
      ca: trust.rootsPem(['service']),
      key: read(`actors/${actor}.key`),
      cert: options.leafOnly ? pemBlocks(chain, 'CERTIFICATE')[0] : chain,
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', (error) => resolve(`error ${error.message}`));
    socket.on('close', () => resolve(received || 'closed'));
  });
}

describe('TLS with TrustStore.rootsPem / crlsPem', () => {
  let authority: Server;
  beforeAll(async () => {
    authority = await startServer(['authority']);
  });
  afterAll(() => authority.close());

  it('accepts a client of an allowed domain, sending its chain', async () => {
    await expect(connect(authority.port, 'police-hn.inv-1', { servername: 'localhost' })).resolves.toBe(
      'ok evx://authority/police-hn/investigator/inv-1',
    );
  });

  it('accepts a client that sends only its leaf (intermediates are in the ca bundle)', async () => {
    // No servername: the client then checks the server certificate's IP SAN 127.0.0.1.
    await expect(connect(authority.port, 'police-hn.inv-1', { leafOnly: true })).resolves.toMatch(/^ok /);
  });

  it('refuses a client of another trust domain', async () => {
    const before = authority.clientErrors.length;
    await expect(connect(authority.port, 'dpa.aud-1')).resolves.not.toMatch(/^ok/);
    // OpenSSL reports whichever check fails first: the missing oversight CRL or the unknown issuer.
    expect(await refusalsSince(authority, before)).toMatch(/UNABLE_TO_GET_CRL|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
  });

  it('refuses an expired client certificate', async () => {
    const before = authority.clientErrors.length;
    await expect(connect(authority.port, 'police-hn.expired')).resolves.not.toMatch(/^ok/);
    expect(await refusalsSince(authority, before)).toMatch(/CERT_HAS_EXPIRED/);
  });

  it('refuses a revoked client certificate through the CRLs', async () => {
    const before = authority.clientErrors.length;
    await expect(connect(authority.port, 'police-hn.revoked')).resolves.not.toMatch(/^ok/);
    expect(await refusalsSince(authority, before)).toMatch(/CERT_REVOKED/);
  });

  it('needs the root CRLs too: without them OpenSSL cannot check the intermediate', async () => {
    const crls = trust.crlsPem(['authority']);
    expect(crls).toHaveLength(2);
    const server = tls.createServer({
      key: read('services/vault.key'),
      cert: read('services/vault.crt'),
      ca: trust.rootsPem(['authority']),
      crl: crls[0],
      requestCert: true,
      rejectUnauthorized: true,
    });
    const errors: string[] = [];
    server.on('tlsClientError', (_error, socket) => errors.push(String(socket.authorizationError)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await expect(connect((server.address() as AddressInfo).port, 'police-hn.inv-1')).resolves.not.toMatch(/^ok/);
      expect(await refusalsSince({ port: 0, clientErrors: errors, close: async () => undefined }, 0)).toMatch(/UNABLE_TO_GET_CRL/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('serves several domains from one bundle', async () => {
    const both = await startServer(['authority', 'oversight']);
    try {
      await expect(connect(both.port, 'dpa.aud-1')).resolves.toBe('ok evx://oversight/dpa/auditor/aud-1');
      await expect(connect(both.port, 'police-hn.inv-1')).resolves.toMatch(/^ok /);
    } finally {
      await both.close();
    }
  });
});
