import 'reflect-metadata';
import { Logger, type INestApplication, type INestMicroservice, type LogLevel } from '@nestjs/common';
import { ConfigError } from '#evx/config';

/** A started EVX service, as seen by `evx up`, tests and benchmarks. */
export interface RunningService {
  name: string;
  /** `host:port` of its gRPC server, when it serves one. */
  grpcAddress?: string;
  /** For clients such as the mock adapters: the server they are connected to. */
  connectedTo?: string;
  /** `https://host:port` of its REST API, when it has one. */
  httpsUrl?: string;
  app?: INestApplication | INestMicroservice;
  close(): Promise<void>;
}

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** Nest log levels up to and including the configured one. */
export function logLevelsUpTo(level: LogLevel): LogLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1);
}

/**
 * The body of every service's main.ts: start, report where it listens, stop cleanly on SIGINT/SIGTERM.
 * A configuration error ends the process with exit code 78 (EX_CONFIG) and a message naming the setting.
 */
export async function runMain(name: string, start: () => Promise<RunningService>): Promise<void> {
  const logger = new Logger(name);
  let running: RunningService;
  try {
    running = await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${name}: ${error.message}`);
      process.exit(78);
    }
    console.error(
      `${name}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  }
  const where = [
    running.grpcAddress ? `listening: gRPC ${running.grpcAddress}` : undefined,
    running.httpsUrl ? `REST ${running.httpsUrl}` : undefined,
    running.connectedTo ? `connected to ${running.connectedTo}` : undefined,
  ].filter(Boolean);
  logger.log(where.join(', '));
  // Under `evx up` the launcher learns readiness and addresses over IPC instead of parsing logs.
  const { grpcAddress, httpsUrl, connectedTo } = running;
  process.send?.({ type: 'evx-ready', name, grpcAddress, httpsUrl, connectedTo });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: shutting down`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${name}: error while stopping: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
