import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { LogAppender, TransparencyLog, logSignerFromPem } from '#evx/log';
import { TypeormLogStore } from './persistence/typeorm-log.store.js';
import type { VaultConfig } from './vault.config.js';

export const TRANSPARENCY_LOG = Symbol('evx:transparency-log');
export const LOG_APPENDER = Symbol('evx:log-appender');

/** The log over the vault's database, signing with the log key of the PKI folder. */
export function logProviders(config: VaultConfig): Provider[] {
  return [
    {
      provide: TRANSPARENCY_LOG,
      inject: [getDataSourceToken()],
      useFactory: (dataSource: DataSource) =>
        new TransparencyLog(new TypeormLogStore(dataSource), {
          origin: config.logOrigin,
          signer: logSignerFromPem(config.logOrigin, readFileSync(join(config.certsDir, 'log', 'log.key'), 'utf8')),
        }),
    },
    {
      provide: LOG_APPENDER,
      inject: [TRANSPARENCY_LOG],
      useFactory: (log: TransparencyLog) => new LogAppender(log, config.logBatchSize),
    },
  ];
}
