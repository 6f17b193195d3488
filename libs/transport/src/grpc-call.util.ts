import type { ServerHttp2Session } from 'node:http2';
import { TLSSocket } from 'node:tls';
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
 * The caller's TLS client certificate (DER) of a gRPC call: the one the identity guard authenticated, else the
 * connection's (`connectionPeerCertificate`).
 */
export function peerCertificateOf(call: object): Buffer | undefined {
  const attached = (call as Record<symbol, Buffer | undefined>)[PEER_CERTIFICATE];
  return attached ?? connectionPeerCertificate(call);
}

/** Each HTTP/2 session's peer certificate, read from its TLS socket once (undefined: none presented). */
const sessionPeers = new WeakMap<ServerHttp2Session, Buffer | undefined>();

/**
 * The verified client certificate (DER) of the TLS connection a grpc-js server call came on; undefined when the
 * connection is not TLS, the certificate did not verify, or none was presented. What grpc-js's getAuthContext()
 * gives, but read once per connection: getAuthContext() builds Node's whole certificate object (subject, issuer,
 * fingerprints, the DER) on every call, ≈ 6 % of authority-api's CPU per submission (issue #6).
 *
 * Remembering it per connection is sound because a connection's peer cannot change: Node's HTTP/2 sessions turn TLS
 * renegotiation off on their socket (RFC 9113 §9.2.1 forbids it; a renegotiation attempt destroys the socket), and
 * TLS 1.3 has none. Whether the handshake verified (`authorized`) is still read on every call, and everything that
 * depends on time or revocation stays with the identity guard, per call.
 *
 * The session is reached through grpc-js internals (1.14: the surface call's `call`, its `nextCall` chain, the base
 * call's `stream.session`); when they are not there, this asks getAuthContext() as before.
 */
export function connectionPeerCertificate(call: object): Buffer | undefined {
  const session = http2SessionOf(call);
  if (!session) return (call as AuthContextCall).getAuthContext().sslPeerCertificate?.raw;
  const socket = session.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  if (sessionPeers.has(session)) return sessionPeers.get(session);
  const raw = socket.getPeerCertificate().raw as Buffer | undefined;
  const peer = raw && raw.length > 0 ? raw : undefined;
  sessionPeers.set(session, peer);
  return peer;
}

/** The HTTP/2 session under a grpc-js server call, or undefined if grpc-js's internals are not as expected. */
export function http2SessionOf(call: object): ServerHttp2Session | undefined {
  let layer = (call as { call?: unknown }).call;
  for (let depth = 0; depth < 8 && typeof layer === 'object' && layer !== null; depth++) {
    const stream = (layer as { stream?: { session?: unknown } }).stream;
    if (stream !== undefined) {
      const session = stream?.session;
      return typeof session === 'object' && session !== null && 'socket' in session
        ? (session as ServerHttp2Session)
        : undefined;
    }
    layer = (layer as { nextCall?: unknown }).nextCall;
  }
  return undefined;
}

/**
 * Makes a grpc-js server call that the handler pauses for backpressure read ahead at most `messages` messages.
 *
 * grpc-js hands a client stream's messages to a Node Readable in object mode with the default high-water mark of 16
 * messages, and keeps asking the connection for more while fewer are buffered, also while the call is paused. For
 * evidence chunks of up to 1 MiB that is 16 MiB per call held beyond the handler's own byte bound, and those buffers
 * wait long enough to reach the V8 old generation, which then needs a full collection every few MiB
 * (docs/performance.md, figure 1). The mark is a field of the stream's state (Node's `_readableState`, read on every
 * refill); without it the call keeps grpc-js's default.
 */
export function limitReadAhead(call: object, messages = 1): void {
  const state = (call as { _readableState?: { highWaterMark?: unknown } })._readableState;
  if (state && typeof state.highWaterMark === 'number') state.highWaterMark = Math.max(1, messages);
}
