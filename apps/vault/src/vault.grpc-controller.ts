import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { EvxError } from '#evx/errors';
import {
  VAULT_SERVICE_NAME,
  timestampFromDate,
  type GetLogEntriesRequest,
  type GetLogEntriesResponse,
} from '#evx/proto';
import { Allow } from '#evx/transport';
import { LogEntriesReader } from './log-entries.reader.js';

/** gRPC VaultService, internal only. RPCs without a handler here answer UNIMPLEMENTED until they are built. */
@Controller()
export class VaultGrpcController {
  constructor(private readonly reader: LogEntriesReader) {}

  @GrpcMethod(VAULT_SERVICE_NAME, 'GetLogEntries')
  @Allow('service')
  async getLogEntries(request: GetLogEntriesRequest): Promise<GetLogEntriesResponse> {
    const rows = await this.reader.range(
      parseIndex(request.startIndex, 'start_index'),
      parseIndex(request.endIndex, 'end_index'),
    );
    return {
      entries: rows.map((row) => ({
        index: String(row.seq),
        leafData: Buffer.from(row.body, 'utf8'),
        integratedAt: timestampFromDate(new Date(row.createdAt)),
        auditEvent: null,
        packageCommitment: null,
      })),
    };
  }
}

function parseIndex(value: string, field: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new EvxError('invalid-argument', `${field} must be a whole number`);
  return n;
}
