import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Identity } from '#evx/pki';

export const ALLOW_METADATA = 'evx:allow';
export const PUBLIC_METADATA = 'evx:public';

/**
 * Who may call a handler: an identity kind (`investigator`, `approver`, `auditor`, `adapter`, `service`), an
 * approver role (`approver:judge`) or one EVX service (`service:authority-api`). A handler without `@Allow` admits
 * every identity the service's trust policy admits.
 */
export type AllowRule = Identity['kind'] | `approver:${string}` | `service:${string}`;

export const Allow = (...rules: AllowRule[]) => SetMetadata(ALLOW_METADATA, rules);

/** Marks an HTTP route that needs no client identity (the liveness probe only). */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);

const IDENTITY = Symbol.for('evx.identity');

export function attachIdentity(carrier: object, identity: Identity): void {
  (carrier as Record<symbol, Identity>)[IDENTITY] = identity;
}

export function identityOf(carrier: object): Identity | undefined {
  return (carrier as Record<symbol, Identity | undefined>)[IDENTITY];
}

/** The authenticated caller of this request or call, as established by the identity guard. */
export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): Identity => {
  const carrier: object = ctx.getType() === 'rpc' ? ctx.getArgByIndex(2) : ctx.switchToHttp().getRequest();
  const identity = identityOf(carrier);
  if (!identity) throw new Error('no identity on this call: is the identity guard registered?');
  return identity;
});
