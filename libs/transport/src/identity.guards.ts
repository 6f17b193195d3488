import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ServerSurfaceCall } from '@grpc/grpc-js/build/src/server-call.js';
import type { TLSSocket } from 'node:tls';
import type { TrustStore } from '#evx/pki';
import { EvxError } from '#evx/errors';
import { ALLOW_METADATA, PUBLIC_METADATA, attachIdentity, type AllowRule } from './access.decorators.js';
import { attachPeerCertificate, connectionPeerCertificate } from './grpc-call.util.js';
import { ACCESS_POLICY, TRUST_STORE, authorizeCertificate, type AccessPolicy } from './identity.authorizer.js';

abstract class IdentityGuard implements CanActivate {
  constructor(
    protected readonly reflector: Reflector,
    @Inject(TRUST_STORE) protected readonly trust: TrustStore,
    @Inject(ACCESS_POLICY) protected readonly policy: AccessPolicy,
  ) {}

  abstract canActivate(context: ExecutionContext): boolean;

  protected rules(context: ExecutionContext): AllowRule[] | undefined {
    return this.reflector.getAllAndOverride<AllowRule[]>(ALLOW_METADATA, [context.getHandler(), context.getClass()]);
  }
}

/** gRPC: the peer certificate is the TLS connection's, from the raw call (third handler argument). */
@Injectable()
export class GrpcIdentityGuard extends IdentityGuard {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'rpc') return true;
    const call = context.getArgByIndex<ServerSurfaceCall>(2);
    const certificate = connectionPeerCertificate(call);
    attachIdentity(call, authorizeCertificate(certificate, this.trust, this.policy, this.rules(context)));
    // authorizeCertificate refused a call without one.
    attachPeerCertificate(call, certificate as Buffer);
    return true;
  }
}

/**
 * HTTPS: the server asks for a client certificate but lets the handshake finish, so that a refused certificate
 * gets a 401 with a reason instead of a dropped connection.
 */
@Injectable()
export class HttpIdentityGuard extends IdentityGuard {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<{ socket: TLSSocket }>();
    const socket = request.socket;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    const certificate = peer && 'raw' in peer ? peer.raw : undefined;
    // Our own check first: it names the problem (wrong trust domain, expired, revoked) better than OpenSSL does.
    const identity = authorizeCertificate(certificate, this.trust, this.policy, this.rules(context));
    if (!socket.authorized) {
      throw new EvxError(
        'unauthenticated',
        `client certificate refused by TLS: ${String(socket.authorizationError)}`,
        `CERT_${String(socket.authorizationError)}`,
      );
    }
    attachIdentity(request, identity);
    return true;
  }
}
