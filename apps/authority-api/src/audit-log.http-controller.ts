import { Controller, Get, Query } from '@nestjs/common';
import { decodeAuditEventLeaf, type AuditEventRecord } from '#evx/audit';
import { EvxError } from '#evx/errors';
import type {
  GetCheckpointResponse,
  GetConsistencyProofResponse,
  GetInclusionProofResponse,
  GetLogEntriesResponse,
  ListCheckpointsResponse,
} from '#evx/proto';
import { Allow, VaultClient } from '#evx/transport';

/**
 * The audit log for oversight bodies: checkpoints, entries and proofs, read from the vault. Auditors see what was
 * done and by whom, never evidence content. Binary values are base64; checkpoints and proofs are C2SP text.
 */
@Controller('v1/audit')
@Allow('auditor')
export class AuditLogHttpController {
  constructor(private readonly vault: VaultClient) {}

  @Get('checkpoint')
  async checkpoint() {
    const r = await this.vault.call<GetCheckpointResponse>('getCheckpoint', {});
    return {
      checkpoint: r.checkpoint.toString('utf8'),
      origin: r.origin,
      treeSize: Number(r.treeSize),
      rootHash: r.rootHash.toString('base64'),
    };
  }

  @Get('checkpoints')
  async checkpoints(@Query('from') from = '1', @Query('limit') limit = '100') {
    const r = await this.vault.call<ListCheckpointsResponse>('listCheckpoints', {
      fromTreeSize: whole(from, 'from'),
      pageSize: Number(whole(limit, 'limit')),
    });
    return { checkpoints: r.checkpoints.map((c) => c.toString('utf8')) };
  }

  @Get('entries')
  async entries(@Query('start') start: string, @Query('end') end: string) {
    const r = await this.vault.call<GetLogEntriesResponse>('getLogEntries', {
      startIndex: whole(start, 'start'),
      endIndex: whole(end, 'end'),
    });
    return {
      entries: r.entries.map((e) => ({
        index: Number(e.index),
        leafData: e.leafData.toString('base64'),
        event: decodeAuditEventLeaf(e.leafData) satisfies AuditEventRecord | null,
      })),
    };
  }

  @Get('inclusion-proof')
  async inclusionProof(@Query('index') index: string, @Query('size') size = '0') {
    const r = await this.vault.call<GetInclusionProofResponse>('getInclusionProof', {
      leafIndex: whole(index, 'index'),
      treeSize: whole(size, 'size'),
    });
    return {
      leafIndex: Number(r.leafIndex),
      treeSize: Number(r.treeSize),
      hashes: r.hashes.map((h) => h.toString('base64')),
      checkpoint: r.checkpoint.toString('utf8'),
      tlogProof: r.tlogProof.toString('utf8'),
    };
  }

  @Get('consistency-proof')
  async consistencyProof(@Query('from') from: string, @Query('to') to = '0') {
    const r = await this.vault.call<GetConsistencyProofResponse>('getConsistencyProof', {
      oldTreeSize: whole(from, 'from'),
      newTreeSize: whole(to, 'to'),
    });
    return {
      oldTreeSize: Number(r.oldTreeSize),
      newTreeSize: Number(r.newTreeSize),
      hashes: r.hashes.map((h) => h.toString('base64')),
      checkpoint: r.checkpoint.toString('utf8'),
    };
  }
}

function whole(value: string | undefined, name: string): string {
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    throw new EvxError('invalid-argument', `query parameter ${name} must be a whole number`);
  }
  return value;
}
