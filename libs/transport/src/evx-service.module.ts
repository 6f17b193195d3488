import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { TrustStore } from '#evx/pki';
import { EvxExceptionFilter } from './exception.filter.js';
import { ACCESS_POLICY, TRUST_STORE, type AccessPolicy } from './identity.authorizer.js';
import { GrpcIdentityGuard, HttpIdentityGuard } from './identity.guards.js';

/**
 * What every EVX service registers: its trust store and trust policy, the identity guard of each transport, and
 * the error mapping of each transport. Guards and filters are global, so no handler can forget them.
 */
@Global()
@Module({})
export class EvxServiceModule {
  static forRoot(options: { trust: TrustStore; policy: AccessPolicy; http?: boolean }): DynamicModule {
    const guards = [{ provide: APP_GUARD, useClass: GrpcIdentityGuard }];
    if (options.http) guards.push({ provide: APP_GUARD, useClass: HttpIdentityGuard });
    return {
      module: EvxServiceModule,
      providers: [
        { provide: TRUST_STORE, useValue: options.trust },
        { provide: ACCESS_POLICY, useValue: options.policy },
        ...guards,
        { provide: APP_FILTER, useClass: EvxExceptionFilter },
      ],
      exports: [TRUST_STORE, ACCESS_POLICY],
    };
  }
}
