import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Public } from '#evx/transport';
import { VaultClient } from '#evx/transport';

interface StatusResponse {
  status(code: number): StatusResponse;
  json(body: unknown): void;
}

/** Liveness and readiness for load balancers and `evx up`: no client certificate needed, nothing sensitive said. */
@Controller()
export class HealthHttpController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly vault: VaultClient,
  ) {}

  @Public()
  @Get('health')
  @HttpCode(HttpStatus.OK)
  async health(@Res() res: StatusResponse): Promise<void> {
    const [database, vault] = await Promise.all([
      this.dataSource.query('SELECT 1').then(
        () => 'ok',
        () => 'unreachable',
      ),
      this.vault.health(),
    ]);
    const ok = database === 'ok' && vault === 'SERVING';
    res
      .status(ok ? 200 : 503)
      .json({ status: ok ? 'ok' : 'degraded', service: 'authority-api', checks: { database, vault } });
  }
}
