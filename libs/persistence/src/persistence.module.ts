import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { dataSourceOptions, openDataSource, type DatabaseSettings, type ServiceStore } from './data-source.factory.js';

/** One service's database: its own tables and migrations, applied at start-up. */
@Module({})
export class PersistenceModule {
  static forService(settings: DatabaseSettings, store: ServiceStore): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(settings, store),
          dataSourceFactory: async () => openDataSource(settings, store),
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}

/** Probes the database with a trivial query; used by readiness checks. */
export async function pingDatabase(dataSource: DataSource): Promise<void> {
  await dataSource.query('SELECT 1');
}
