// @peculiar/x509 resolves its algorithm registry through tsyringe, which refuses to load without a
// Reflect metadata polyfill; this module is the only place the library is imported, so the polyfill
// is guaranteed to be evaluated first (ESM evaluates imports in order).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Pin the provider to Node's WebCrypto explicitly: under Jest's VM sandbox `globalThis.crypto`
// is not guaranteed to be the Node implementation.
x509.cryptoProvider.set(webcrypto);

export { x509 };
