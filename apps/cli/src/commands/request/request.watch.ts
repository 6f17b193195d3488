// `evx request watch`: REST has no stream, so this one uses gRPC WatchRequests with the same client certificate.
import { credentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { createServiceClient } from '#evx/proto';
import { ApiError } from '../../authority-api.http-client.js';
import { identityOf, type RequestConnection } from './request.actions.js';

export interface WatchedChange {
  cursor: string;
  authorisationId: string;
  generation: number;
  oldStatus: string;
  newStatus: string;
  desiredStatus: string;
  reason: string;
}

export interface WatchOptions extends RequestConnection {
  /** authority-api gRPC address, host:port. */
  grpc: string;
  /** Resume after this cursor (printed with each change); empty: from now on. */
  cursor?: string;
  ids?: string[];
  /** Comma-separated statuses, short (DISPATCHED) or proto names. */
  status?: string;
}

interface WatchResponse {
  cursor: string;
  change: (Omit<WatchedChange, 'cursor' | 'generation'> & { generation: number | string }) | null;
  heartbeat: object | null;
}

type WatchCall = (request: unknown) => ClientReadableStream<WatchResponse>;

/**
 * Calls onChange for every status change until `signal` aborts (resolves) or the server ends or refuses the
 * stream (rejects with ApiError: its gRPC code and message). onCaughtUp runs at the first heartbeat.
 */
export function watchRequests(
  opts: WatchOptions,
  onChange: (change: WatchedChange) => void,
  events: { signal?: AbortSignal; onCaughtUp?: () => void } = {},
): Promise<void> {
  const identity = identityOf(opts);
  const client = createServiceClient(
    'authority',
    opts.grpc,
    credentials.createSsl(Buffer.from(identity.caPem), Buffer.from(identity.keyPem), Buffer.from(identity.certPem)),
  );
  const statuses = (opts.status ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean)
    .map((s) => (s.startsWith('REQUEST_STATUS_') ? s : `REQUEST_STATUS_${s}`));
  const call = (client as unknown as { watchRequests: WatchCall }).watchRequests.call(client, {
    cursor: opts.cursor ?? '',
    authorisationIds: opts.ids ?? [],
    statuses,
  });
  let caughtUp = false;
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: Error) => {
      client.close();
      if (error) reject(error);
      else resolve();
    };
    events.signal?.addEventListener('abort', () => {
      call.cancel();
      finish();
    });
    call.on('data', (response: WatchResponse) => {
      if (response.change)
        onChange({ ...response.change, generation: Number(response.change.generation), cursor: response.cursor });
      else if (response.heartbeat && !caughtUp) {
        caughtUp = true;
        events.onCaughtUp?.();
      }
    });
    call.on('error', (error: ServiceError) => {
      if (events.signal?.aborted) return;
      // UNAVAILABLE (14) is a connection problem (exit 2); other codes are the server's refusal (exit 1).
      finish(
        error.code === 14
          ? new Error(error.details || error.message)
          : new ApiError(error.code, `gRPC ${error.code}: ${error.details}`),
      );
    });
    call.on('end', () => {
      if (!events.signal?.aborted) finish(new Error('the server ended the watch'));
    });
  });
}
