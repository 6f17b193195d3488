import { join } from 'node:path';
import type { Domain } from './identity-uri.js';

/**
 * File layout of a generated PKI folder (certs-dev/out by default). Paths in identities.json are
 * relative to that folder so the folder can be moved or mounted elsewhere.
 */
export const pkiLayout = {
  domainDir: (out: string, domain: Domain) => join(out, domain),
  rootCert: (out: string, domain: Domain) => join(out, domain, 'root.crt'),
  rootKey: (out: string, domain: Domain) => join(out, domain, 'root.key'),
  rootCrl: (out: string, domain: Domain) => join(out, domain, 'root.crl'),
  caCert: (out: string, domain: Domain) => join(out, domain, 'ca.crt'),
  caKey: (out: string, domain: Domain) => join(out, domain, 'ca.key'),
  caCrl: (out: string, domain: Domain) => join(out, domain, 'ca.crl'),
  servicesDir: (out: string) => join(out, 'services'),
  actorsDir: (out: string) => join(out, 'actors'),
  logDir: (out: string) => join(out, 'log'),
  logKey: (out: string) => join(out, 'log', 'log.key'),
  logPub: (out: string) => join(out, 'log', 'log.pub'),
  manifest: (out: string) => join(out, 'identities.json'),
  /** Relative paths as stored in identities.json (always forward slashes). */
  relativeService: (name: string, ext: 'crt' | 'key') => `services/${name}.${ext}`,
  relativeActor: (file: string, ext: 'crt' | 'key') => `actors/${file}.${ext}`,
} as const;
