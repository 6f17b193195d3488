import { makeClientConstructor, type ChannelCredentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

type HealthClient = Client & {
  check(
    request: { service: string },
    options: { deadline: Date },
    callback: (error: ServiceError | null, response?: { status: string | number }) => void,
  ): void;
};

const HealthClientCtor = makeClientConstructor(healthService, 'grpc.health.v1.Health') as unknown as new (
  address: string,
  credentials: ChannelCredentials,
  options?: Record<string, unknown>,
) => HealthClient;

/** Calls grpc.health.v1.Health/Check; resolves the status name, rejects with the gRPC error. */
export async function checkGrpcHealth(
  address: string,
  credentials: ChannelCredentials,
  service = '',
  timeoutMs = 3000,
): Promise<string> {
  const client = new HealthClientCtor(address, credentials);
  try {
    return await new Promise<string>((resolve, reject) => {
      client.check({ service }, { deadline: new Date(Date.now() + timeoutMs) }, (error, response) => {
        if (error) reject(error);
        else resolve(normalise(response?.status));
      });
    });
  } finally {
    client.close();
  }
}

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

function normalise(status: string | number | undefined): string {
  if (typeof status === 'number') return STATUS_NAMES[status] ?? 'UNKNOWN';
  return status ?? 'UNKNOWN';
}
