import type { Identity } from '#evx/pki';
import { identityOf } from './access.decorators.js';

/** The identity the guard attached to this gRPC call (the handler's third argument). */
export function actorOf(call: object): Identity {
  const identity = identityOf(call);
  if (!identity) throw new Error('no identity on this call: is the identity guard registered?');
  return identity;
}

const PEER_CERTIFICATE = Symbol.for('evx.peer-certificate');

interface AuthContextCall {
  getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } };
}

/** Keeps the certificate the identity guard authenticated on the call, so the handler does not ask grpc-js again. */
export function attachPeerCertificate(call: object, certificate: Buffer): void {
  (call as Record<symbol, Buffer>)[PEER_CERTIFICATE] = certificate;
}

/**
 * The caller's TLS client certificate (DER) of a gRPC call: the one the identity guard authenticated (grpc-js's
 * getAuthContext() builds the whole peer certificate object on every call), else the call's own.
 */
export function peerCertificateOf(call: object): Buffer | undefined {
  const attached = (call as Record<symbol, Buffer | undefined>)[PEER_CERTIFICATE];
  return attached ?? (call as AuthContextCall).getAuthContext().sslPeerCertificate?.raw;
}
