import type { DynamicModule, INestMicroservice, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventEmitter } from 'node:events';
import type { ServerHttp2Session } from 'node:http2';
import type { Server, ServerCredentials } from '@grpc/grpc-js';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { createHealth, grpcServerOptions, markServing } from './grpc-server.options.js';
import { logLevelsUpTo } from './service.runner.js';

export interface GrpcMicroserviceSpec {
  url: string;
  /** Fully qualified service names; reported SERVING by grpc.health.v1 once listening. */
  services: string[];
  protoFiles: string[];
  credentials: ServerCredentials;
  logLevel: LogLevel;
  maxReceiveMessageLength?: number;
  /**
   * HTTP/2 receive window per stream and per connection, in bytes (default `HTTP2_RECEIVE_WINDOW_BYTES`). grpc-js
   * servers keep Node's 64 KiB, so an upload stalls every 64 KiB for a round trip; the window also bounds what one
   * connection can push before the service reads it.
   */
  receiveWindowBytes?: number;
}

/** 1 MiB: an evidence chunk (1 MiB) in flight per hop instead of a 16th of one (docs/performance.md, ingest). */
export const HTTP2_RECEIVE_WINDOW_BYTES = 1024 * 1024;

/**
 * How long a closing server lets calls in flight finish before it cancels the rest. Long-lived streams (task streams,
 * report streams, watches) never finish on their own, so without a bound a graceful shutdown would wait for every
 * client to hang up; cancelled clients see UNAVAILABLE/CANCELLED and reconnect to another instance.
 */
export const SHUTDOWN_GRACE_MS = 3000;

/** Starts one mTLS gRPC server for a module and reports it SERVING on the standard health service once it listens. */
export async function startGrpcMicroservice(
  module: DynamicModule,
  spec: GrpcMicroserviceSpec,
): Promise<INestMicroservice> {
  const health = createHealth(spec.services);
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    ...grpcServerOptions({
      url: spec.url,
      services: spec.services,
      protoFiles: spec.protoFiles,
      credentials: spec.credentials,
      health,
      maxReceiveMessageLength: spec.maxReceiveMessageLength,
    }),
    logger: logLevelsUpTo(spec.logLevel),
  });
  await app.listen();
  const transport = app.getTransportServer() as unknown as { close(): Promise<void>; grpcClient?: Server };
  if (transport.grpcClient)
    widenReceiveWindow(transport.grpcClient, spec.receiveWindowBytes ?? HTTP2_RECEIVE_WINDOW_BYTES);
  markServing(health, spec.services);
  // Bound the graceful shutdown. The app is a Nest proxy that ignores property writes, so the hook goes on the
  // transport server, whose close() Nest awaits first; it keeps the grpc-js Server as `grpcClient`.
  const closeTransport = transport.close.bind(transport);
  transport.close = async () => {
    health.setStatus('', 'NOT_SERVING');
    for (const s of spec.services) health.setStatus(s, 'NOT_SERVING');
    const timer = setTimeout(() => transport.grpcClient?.forceShutdown(), SHUTDOWN_GRACE_MS);
    try {
      await closeTransport();
    } finally {
      clearTimeout(timer);
    }
  };
  return app;
}

/**
 * grpc-js offers no server option for the HTTP/2 flow-control window (its clients have `grpc-node.flow_control_window`),
 * so every new session of the server's listeners advertises `bytes` as its stream window and opens its connection
 * window as far. The listeners are grpc-js's `http2Servers` (internal: checked, and left alone if it changes).
 */
export function widenReceiveWindow(server: Server, bytes: number): void {
  const listeners = (server as unknown as { http2Servers?: Map<EventEmitter, unknown> }).http2Servers;
  if (!(listeners instanceof Map) || bytes <= 65_535) return;
  for (const listener of listeners.keys()) {
    listener.on('session', (session: ServerHttp2Session) => {
      try {
        session.settings({ initialWindowSize: bytes });
        session.setLocalWindowSize(bytes);
      } catch {
        // A session that is already closing keeps its defaults.
      }
    });
  }
}
